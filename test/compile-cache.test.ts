// b0s keeps V8's compiled code for its large files in the user's cache folder
// (src/compile-cache.ts). What a user would notice if it broke: a wrong or stale cache
// changing what b0s does, a failing run because the cache cannot be written, stack
// traces (--debug) pointing at the wrong place, or a cache folder that grows forever.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveCompileCache, startCompileCache } from '../src/compile-cache';
import { useSimulator } from './helpers/sim';
import { useTempDir } from './helpers/tmp';
import { recordOutput } from './helpers/world';

const BIN = path.join(__dirname, '..', 'bin', 'b0s');
const { env } = useSimulator({ sessions: 300 });
const tmp = useTempDir();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function b0s(args: string[], cacheHome: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  const home = tmp('home');
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: home, TMPDIR: os.tmpdir(), XDG_CACHE_HOME: cacheHome, ...env(), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  proc.stdout.on('data', (d: Buffer) => out.push(d));
  proc.stderr.on('data', (d: Buffer) => err.push(d));
  return new Promise((resolve) =>
    proc.on('close', (code) => {
      recordOutput(Buffer.concat(out), Buffer.concat(err));
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    }),
  );
}

/** The cache files of one kind of run, with what identifies each file's content on disk. */
function cacheFiles(cacheHome: string, kind: string): Map<string, string> {
  const compile = path.join(cacheHome, 'b0s', 'compile');
  const files = new Map<string, string>();
  if (!existsSync(compile)) return files;
  for (const build of readdirSync(compile)) {
    const dir = path.join(compile, build, kind);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const st = statSync(path.join(dir, name));
      files.set(path.join(build, kind, name), `${st.ino}:${st.mtimeMs}:${st.size}`);
    }
  }
  return files;
}

const LIST = ['list', '--page-size', '20', '-o', 'ndjson'];

describe('the compile cache', () => {
  it('a second list gives the same output from the cache the first one wrote, and leaves it as it was', async () => {
    const cacheHome = tmp('cache');
    const first = await b0s(LIST, cacheHome);
    expect(first.code).toBe(0);
    const written = cacheFiles(cacheHome, 'list');
    // One for each file of the build's chunks that a list loads, the program's among them.
    const names = [...written.keys()].map((f) => path.basename(f));
    expect(names.some((n) => n.startsWith('main-'))).toBe(true);
    expect(names.filter((n) => !existsSync(path.join(__dirname, '..', 'dist', 'chunks', n)))).toEqual([]);
    const second = await b0s(LIST, cacheHome);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stdout.trim().split('\n')).toHaveLength(20);
    // V8 took the files back: one it refused would have been written again.
    expect(cacheFiles(cacheHome, 'list')).toEqual(written);
  });

  it('a damaged cache file is refused, the run is right all the same, and the file is written anew', async () => {
    const cacheHome = tmp('cache');
    const clean = await b0s(LIST, cacheHome);
    const [file] = [...cacheFiles(cacheHome, 'list').keys()];
    const full = path.join(cacheHome, 'b0s', 'compile', file!);
    const good = readFileSync(full);
    writeFileSync(full, Buffer.alloc(good.length, 0x5a));
    const run = await b0s(LIST, cacheHome);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(clean.stdout);
    expect(readFileSync(full).subarray(0, 16)).not.toEqual(Buffer.alloc(16, 0x5a));
  });

  it('a cache folder that cannot be made costs nothing but time', async () => {
    const cacheHome = tmp('cache');
    const notAFolder = path.join(cacheHome, 'file');
    writeFileSync(notAFolder, '');
    const run = await b0s(LIST, notAFolder);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toHaveLength(20);
  });

  it('a cache file that cannot be written whole (a file size limit, a full disk alike) leaves nothing behind', async () => {
    const cacheHome = tmp('cache');
    // The real bin under `ulimit -f 1`: the kernel refuses every write past the first 512 or 1024 bytes.
    const limited = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'sh',
        ['-c', 'ulimit -f 1 && exec "$0" "$@"', process.execPath, BIN, ...LIST],
        { env: { PATH: process.env.PATH ?? '', HOME: tmp('home'), XDG_CACHE_HOME: cacheHome, ...env() } },
        (err, stdout, stderr) => {
          recordOutput(Buffer.from(stdout), Buffer.from(stderr));
          resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
        },
      );
    });
    expect(limited.stderr).toBe('');
    expect(limited.code).toBe(0);
    expect(limited.stdout.trim().split('\n')).toHaveLength(20);
    // Not even a part of a file.
    expect(cacheFiles(cacheHome, 'list').size).toBe(0);
    expect(existsSync(path.join(cacheHome, 'b0s', 'compile'))).toBe(true);
  });

  it('NODE_DISABLE_COMPILE_CACHE turns it off, a failed run and --help write nothing, and each kind of run keeps its own', async () => {
    const cacheHome = tmp('cache');
    expect((await b0s(LIST, cacheHome, { NODE_DISABLE_COMPILE_CACHE: '1' })).code).toBe(0);
    expect((await b0s(['list', '--page-size', 'many'], cacheHome)).code).toBe(2);
    expect((await b0s(['--help'], cacheHome)).code).toBe(0);
    expect(existsSync(path.join(cacheHome, 'b0s'))).toBe(false);
    expect((await b0s(LIST, cacheHome)).code).toBe(0);
    expect((await b0s(['stats', 'users', '--since', '30d'], cacheHome)).code).toBe(0);
    const [listed] = [...cacheFiles(cacheHome, 'list').keys()];
    const [stats] = [...cacheFiles(cacheHome, 'stats').keys()];
    expect(listed).toBeDefined();
    expect(stats).toBeDefined();
  });

  it("a new build's folder replaces the older builds' folders", async () => {
    const cacheHome = tmp('cache');
    const old = path.join(cacheHome, 'b0s', 'compile', '0.0.1-node20.0.0-x64', 'list');
    mkdirSync(old, { recursive: true });
    writeFileSync(path.join(old, 'main-OLDHASH.cjs'), 'old');
    expect((await b0s(LIST, cacheHome)).code).toBe(0);
    const builds = readdirSync(path.join(cacheHome, 'b0s', 'compile'));
    expect(builds).toHaveLength(1);
    expect(builds[0]).toMatch(new RegExp(`-node${process.versions.node.replace(/\./g, '\\.')}-${process.arch}$`));
  });

  it('stack traces point at the same line and column of a file, compiled afresh or taken from the cache', () => {
    const root = tmp('cache');
    const codeDir = tmp('code');
    const file = path.join(codeDir, 'big-ABC123.cjs');
    // Large enough to be cached; the error is made on the first line, where Node's wrapper goes.
    const first = 'exports.where = () => new Error("here").stack;';
    writeFileSync(file, `${first}\n/*${'x'.repeat(40 * 1024)}*/\n`);
    const column = first.indexOf('new Error') + 1;
    const load = (): string => {
      startCompileCache({ root, codeDir, build: 'test', kind: 'unit' });
      try {
        const req = createRequire(file);
        delete req.cache[file];
        return (req(file) as { where(): string }).where();
      } finally {
        saveCompileCache();
      }
    };
    expect(load()).toContain(`${file}:1:${column}`);
    const cached = path.join(root, 'compile', 'test', 'unit', path.basename(file));
    const written = statSync(cached).mtimeMs;
    expect(load()).toContain(`${file}:1:${column}`);
    expect(statSync(cached).mtimeMs).toBe(written);
  });
});
