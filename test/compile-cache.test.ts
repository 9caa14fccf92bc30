// b0s keeps V8's compiled code for its large files in the user's cache folder
// (src/compile-cache.ts). What a user would notice if it broke: a wrong or stale cache
// changing what b0s does, a failing run because the cache cannot be written, stack
// traces (--debug) pointing at the wrong place, or a cache folder that grows forever.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveCompileCache, startCompileCache } from '../src/compile-cache';
import { COMMANDS, runKind } from '../src/run-kind';
import { VERSION } from '../src/version';
import { tokenLeaks } from './helpers/secrets';
import { useSimulator } from './helpers/sim';
import { useTempDir } from './helpers/tmp';
import { programOf, recordOutput } from './helpers/world';

const BIN = path.join(__dirname, '..', 'bin', 'b0s');
const { env } = useSimulator({ sessions: 300 });
const tmp = useTempDir();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function b0s(args: string[], cacheHome: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  return b0sIn(undefined, args, { HOME: tmp('home'), XDG_CACHE_HOME: cacheHome, ...extraEnv });
}

function b0sIn(cwd: string | undefined, args: string[], extraEnv: Record<string, string>): Promise<Run> {
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', TMPDIR: os.tmpdir(), ...env(), ...extraEnv },
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
    // Compiled code only: the token b0s used is in none of it.
    for (const file of written.keys()) expect(tokenLeaks(readFileSync(path.join(cacheHome, 'b0s', 'compile', file), 'latin1'))).toEqual([]);
    const second = await b0s(LIST, cacheHome);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stdout.trim().split('\n')).toHaveLength(20);
    // V8 took the files back: one it refused would have been written again.
    expect(cacheFiles(cacheHome, 'list')).toEqual(written);
  });

  it.each([
    ['all of it', (good: Buffer) => Buffer.alloc(good.length, 0x5a)],
    // V8 checks only a cache's header: a damaged rest is a fatal error in V8 itself.
    ['its compiled code, past the header', (good: Buffer) => Buffer.from(good.map((byte, i) => (i > 200 && i % 97 === 0 ? byte ^ 0xff : byte)))],
    ['cut short', (good: Buffer) => good.subarray(0, good.length - 100)],
  ])('a damaged cache file (%s) is refused, the run is right all the same, and the file is written anew', async (_, damage) => {
    const cacheHome = tmp('cache');
    const clean = await b0s(LIST, cacheHome);
    const file = [...cacheFiles(cacheHome, 'list').keys()].find((f) => path.basename(f).startsWith('main-'));
    const full = path.join(cacheHome, 'b0s', 'compile', file!);
    const good = readFileSync(full);
    const bad = damage(good);
    writeFileSync(full, bad);
    const run = await b0s(LIST, cacheHome);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(clean.stdout);
    expect(readFileSync(full).equals(bad)).toBe(false);
  });

  it('a cache folder that another user could write to is never read or written', async () => {
    const cacheHome = tmp('cache');
    const first = await b0s(LIST, cacheHome);
    const [file] = [...cacheFiles(cacheHome, 'list').keys()];
    const kindDir = path.join(cacheHome, 'b0s', 'compile', path.dirname(file!));
    // Its cache files gone, and the folder open to everyone: nothing is written into it.
    for (const name of readdirSync(kindDir)) rmSync(path.join(kindDir, name));
    chmodSync(kindDir, 0o777);
    const run = await b0s(LIST, cacheHome);
    expect(run.stdout).toBe(first.stdout);
    expect(readdirSync(kindDir)).toEqual([]);
  });

  it("a cache folder that is a link of the user's own to a folder of theirs is used", async () => {
    const cacheHome = tmp('cache');
    const real = tmp('real');
    symlinkSync(real, path.join(cacheHome, 'b0s'));
    expect((await b0s(LIST, cacheHome)).code).toBe(0);
    expect(cacheFiles(cacheHome, 'list').size).toBeGreaterThan(0);
    expect(readdirSync(path.join(real, 'compile'))).toHaveLength(1);
  });

  it('a relative or empty XDG_CACHE_HOME is ignored, as the XDG spec says: nothing is made in the current folder', async () => {
    for (const value of ['rel', '']) {
      const cwd = tmp('cwd');
      const home = tmp('home');
      const run = await b0sIn(cwd, LIST, { HOME: home, XDG_CACHE_HOME: value });
      expect(run.code).toBe(0);
      expect(readdirSync(cwd)).toEqual([]);
      expect(existsSync(path.join(home, '.cache', 'b0s', 'compile'))).toBe(true);
    }
    // A relative HOME: not the current folder's settings, token or cache, but one line and exit 1.
    const cwd = tmp('cwd');
    const run = await b0sIn(cwd, LIST, { HOME: 'rel', XDG_CACHE_HOME: '' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('b0s: cannot tell which folder is your home (HOME is not an absolute path): set HOME to it\n');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a FIFO in place of a cache file is not waited on', async () => {
    const cacheHome = tmp('cache');
    const clean = await b0s(LIST, cacheHome);
    const file = [...cacheFiles(cacheHome, 'list').keys()].find((f) => path.basename(f).startsWith('main-'));
    const full = path.join(cacheHome, 'b0s', 'compile', file!);
    rmSync(full);
    execFileSync('mkfifo', ['-m', '600', full]);
    const run = await b0s(LIST, cacheHome);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(clean.stdout);
  });

  it('a cache folder under /proc (where no folder can be made) costs nothing but time', async () => {
    const run = await b0s(LIST, '/proc/self');
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(20);
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

  it("a new release's folder replaces older releases' folders, and keeps this release's for other Node versions", async () => {
    const cacheHome = tmp('cache');
    const compile = path.join(cacheHome, 'b0s', 'compile');
    const otherNode = `${VERSION}-node18.0.0-x64`;
    for (const build of ['0.0.1-node20.0.0-x64', otherNode]) {
      mkdirSync(path.join(compile, build, 'list'), { recursive: true });
      writeFileSync(path.join(compile, build, 'list', 'main-OLDHASH.cjs'), 'old');
    }
    expect((await b0s(LIST, cacheHome)).code).toBe(0);
    expect(readdirSync(compile).sort()).toEqual([`${VERSION}-node${process.versions.node}-${process.arch}`, otherNode].sort());
  });

  it('search, which changes a V8 flag of its own, keeps its cache too: a second search rewrites nothing', async () => {
    const cacheHome = tmp('cache');
    const args = ['search', 'DROP', '--limit', '5', '--concurrency', '1', '-o', 'ndjson'];
    const first = await b0s(args, cacheHome);
    expect(first.code).toBe(0);
    const written = cacheFiles(cacheHome, 'search');
    expect(written.size).toBeGreaterThan(0);
    expect((await b0s(args, cacheHome)).stdout).toBe(first.stdout);
    expect(cacheFiles(cacheHome, 'search')).toEqual(written);
  });

  it("each command's runs are one kind, whatever comes first; the list of commands is the program's", () => {
    expect(runKind(['--profile', 'default', 'list'])).toBe('list');
    expect(runKind(['--api-url', 'http://x/api/v1', 'show', 'abcd'])).toBe('show');
    expect(runKind(['search', 'list'])).toBe('search');
    expect(runKind(['list', '--help'])).toBe('help');
    expect(runKind(['help', 'list'])).toBe('help');
    expect(runKind(['nonsense'])).toBe('other');
    expect([...COMMANDS].sort()).toEqual(programOf().commands.map((c) => c.name()).sort());
  });

  /** Loads `file` as the bin loads its chunks, with the cache, and gives what `call` gets from it. */
  function loadCached<T>(root: string, codeDir: string, file: string, call: (exports: never) => T): T {
    startCompileCache({ root, codeDir, release: '0.0.0-test', kind: 'unit' });
    try {
      const req = createRequire(file);
      delete req.cache[file];
      return call(req(file) as never);
    } finally {
      saveCompileCache();
    }
  }
  const cachedFile = (root: string, file: string) => path.join(root, 'compile', `0.0.0-test-node${process.versions.node}-${process.arch}`, 'unit', path.basename(file));

  it('stack traces point at the same line and column of a file, compiled afresh or taken from the cache', () => {
    const root = tmp('cache');
    const codeDir = tmp('code');
    const file = path.join(codeDir, 'big-ABC123.cjs');
    // The error is made on the first line, where Node's wrapper goes.
    const first = 'exports.where = () => new Error("here").stack;';
    writeFileSync(file, `${first}\n/*${'x'.repeat(40 * 1024)}*/\n`);
    const column = first.indexOf('new Error') + 1;
    const where = (e: { where(): string }) => e.where();
    expect(loadCached(root, codeDir, file, where)).toContain(`${file}:1:${column}`);
    const written = statSync(cachedFile(root, file)).mtimeMs;
    expect(loadCached(root, codeDir, file, where)).toContain(`${file}:1:${column}`);
    expect(statSync(cachedFile(root, file)).mtimeMs).toBe(written);
  });

  it('never writes through a link put where it writes (a shared cache folder, another user racing it)', () => {
    const root = tmp('cache');
    const codeDir = tmp('code');
    const file = path.join(codeDir, 'chunk-LINKED.cjs');
    writeFileSync(file, 'exports.answer = () => 42;\n');
    const victim = path.join(tmp('other'), 'precious.txt');
    writeFileSync(victim, 'precious');
    mkdirSync(path.dirname(cachedFile(root, file)), { recursive: true, mode: 0o700 });
    symlinkSync(victim, `${cachedFile(root, file)}.${process.pid}.partial`);
    expect(loadCached(root, codeDir, file, (e: { answer(): number }) => e.answer())).toBe(42);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('a source file changed in place, to the same length (a patched package), runs as changed, not as cached', () => {
    const root = tmp('cache');
    const codeDir = tmp('code');
    const file = path.join(codeDir, 'chunk-SAMENAME.cjs');
    const answer = (e: { answer(): string }) => e.answer();
    writeFileSync(file, 'exports.answer = () => "before";\n');
    expect(loadCached(root, codeDir, file, answer)).toBe('before');
    expect(loadCached(root, codeDir, file, answer)).toBe('before');
    writeFileSync(file, 'exports.answer = () => "after!";\n');
    // V8 alone would take the cache: it checks only the source's length.
    expect(loadCached(root, codeDir, file, answer)).toBe('after!');
    // Changed again, its modification time then set back to the nanosecond (as `rsync --inplace -t` or `touch -r` do).
    const times = path.join(codeDir, 'times');
    writeFileSync(times, '');
    execFileSync('touch', ['-r', file, times]);
    writeFileSync(file, 'exports.answer = () => "again!";\n');
    execFileSync('touch', ['-r', times, file]);
    expect(statSync(file, { bigint: true }).mtimeNs).toBe(statSync(times, { bigint: true }).mtimeNs);
    expect(loadCached(root, codeDir, file, answer)).toBe('again!');
  });
});

