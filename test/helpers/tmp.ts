// Temp folders for one test file: each under the file's own folder in TMPDIR, all
// removed when the file's tests are done (the global teardown fails the run otherwise).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

export function useTempDir(): (prefix?: string) => string {
  let root: string | undefined;
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });
  return (prefix = 'dir') => {
    root ??= mkdtempSync(path.join(os.tmpdir(), 'b0s-test-'));
    return mkdtempSync(path.join(root, `${prefix}-`));
  };
}
