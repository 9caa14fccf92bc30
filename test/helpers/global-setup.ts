// Collects every byte b0s wrote during the suite and fails the run if any admin token
// (the simulator's, or one a test made) appears in it, raw, escaped or encoded.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { SECRETS, tokenLeaks } from './secrets';

let dir: string;

export default function setup(project: TestProject) {
  dir = mkdtempSync(path.join(os.tmpdir(), 'b0s-output-'));
  project.provide('outputLogDir', dir);
  return () => {
    const started = performance.now();
    const files = readdirSync(dir);
    let bytes = 0;
    const leaks: string[] = [];
    for (const f of files) {
      const text = readFileSync(path.join(dir, f), 'latin1');
      bytes += text.length;
      // Whole tokens, each part of one (a clipped excerpt must not leak either), and
      // their escaped and encoded forms.
      for (const leak of tokenLeaks(text)) leaks.push(`${f}: contains ${leak}`);
    }
    rmSync(dir, { recursive: true, force: true });
    if (leaks.length) {
      // vitest reports a teardown error but still exits 0: set the exit code ourselves.
      process.exitCode = 1;
      throw new Error(`b0s wrote a token to its output:\n${leaks.join('\n')}`);
    }
    console.log(`Token check: ${bytes.toLocaleString('en-US')} bytes that b0s wrote in this run hold none of the ${SECRETS.length} test tokens, raw, escaped or encoded (checked in ${Math.round(performance.now() - started)} ms).`);
  };
}
