// Runs once around the whole suite. It gives the run a TMPDIR of its own (so what the
// tests leave behind can be told from what other processes on the machine create), fails
// the run if any test left a file there, and collects every byte b0s wrote during the
// suite to fail the run if any admin token (the simulator's, or one a test made)
// appears in it, raw, escaped or encoded. A test that ran b0s with this machine's home
// (b0s's folders there appearing during the run) fails it too.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { SECRETS, tokenLeaks } from './secrets';

export default function setup(project: TestProject) {
  const outer = process.env.TMPDIR;
  const runTmp = mkdtempSync(path.join(os.tmpdir(), 'b0s-suite-'));
  const logDir = mkdtempSync(path.join(runTmp, 'output-log-'));
  project.provide('outputLogDir', logDir);
  // Workers are started after this and inherit it: os.tmpdir() is runTmp in every test.
  process.env.TMPDIR = runTmp;
  // Where b0s keeps compiled code (src/compile-cache.ts) for runs that use this
  // environment's home: inside the run's TMPDIR, so it goes away with it.
  const outerCache = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = path.join(runTmp, 'cache-home');
  const homeFolders = b0sFoldersInHome();
  return () => {
    const failures = [...leaksIn(logDir), ...leftovers(runTmp, path.basename(logDir)), ...madeInHome(homeFolders)];
    rmSync(runTmp, { recursive: true, force: true });
    if (outer === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = outer;
    if (outerCache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = outerCache;
    if (failures.length) {
      // vitest reports a teardown error but still exits 0: set the exit code ourselves.
      process.exitCode = 1;
      throw new Error(failures.join('\n'));
    }
  };
}

function leaksIn(dir: string): string[] {
  const started = performance.now();
  let bytes = 0;
  const leaks: string[] = [];
  for (const f of readdirSync(dir)) {
    const text = readFileSync(path.join(dir, f), 'latin1');
    bytes += text.length;
    // Whole tokens, each part of one (a clipped excerpt must not leak either), and
    // their escaped and encoded forms.
    for (const leak of tokenLeaks(text)) leaks.push(`${f}: contains ${leak}`);
  }
  if (leaks.length) return [`b0s wrote a token to its output:\n${leaks.join('\n')}`];
  console.log(
    `Token check: ${bytes.toLocaleString('en-US')} bytes that b0s wrote in this run hold none of the ${SECRETS.length} test tokens, raw, escaped or encoded (checked in ${Math.round(performance.now() - started)} ms).`,
  );
  return [];
}

/** What is in the folders b0s writes to in the real home (on Linux, where the suite runs): each path and when it changed. */
function b0sFoldersInHome(): Map<string, number> {
  const home = os.homedir();
  const found = new Map<string, number>();
  for (const folder of [path.join(home, '.cache', 'b0s'), path.join(home, '.config', 'b0s'), path.join(home, '.local', 'state', 'b0s')]) {
    if (!existsSync(folder)) continue;
    found.set(folder, statSync(folder).mtimeMs);
    for (const entry of readdirSync(folder, { recursive: true })) {
      const file = path.join(folder, String(entry));
      found.set(file, statSync(file).mtimeMs);
    }
  }
  return found;
}

function madeInHome(before: Map<string, number>): string[] {
  const after = b0sFoldersInHome();
  const changed = [...after].filter(([file, mtime]) => before.get(file) !== mtime).map(([file]) => file);
  return changed.length ? [`a test ran b0s with this machine's home, which changed ${changed.slice(0, 5).join(', ')} (give the process a HOME of its own, from useTempDir())`] : [];
}

/** Every test removes its temp files (test/helpers/tmp.ts does it for them). */
function leftovers(dir: string, logDir: string): string[] {
  const left = readdirSync(dir).filter((f) => f !== logDir && f.startsWith('b0s-'));
  return left.length ? [`tests left ${left.length} temp folder(s) or file(s) in TMPDIR: ${left.join(', ')} (use useTempDir() from test/helpers/tmp.ts)`] : [];
}
