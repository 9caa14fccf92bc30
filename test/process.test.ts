// The real bin in a real process: what a shell user sees with pipes and Ctrl-C.
import { execFileSync, spawn, spawnSync, type StdioOptions } from 'node:child_process';
import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { useSimulator } from './helpers/sim';
import { parseCsv, parseNdjson } from './helpers/parse';
import { useTempDir } from './helpers/tmp';
import { recordOutput } from './helpers/world';

const BIN = path.join(__dirname, '..', 'bin', 'b0s');
const { sim, env } = useSimulator({ sessions: 5000 });
const tmp = useTempDir();

interface Child {
  code: Promise<number | null>;
  stdout: Buffer[];
  stderr: Buffer[];
  proc: ReturnType<typeof spawn>;
}

function start(args: string[], extraEnv: Record<string, string> = {}, stdio: StdioOptions = ['ignore', 'pipe', 'pipe'], readStdout = true): Child {
  if (!existsSync(path.join(__dirname, '..', 'dist', 'b0s.cjs'))) throw new Error('dist/b0s.cjs is missing: run `npm run build` (npm test does)');
  // A home of its own: whatever b0s would write there stays in the test's temp folder.
  const home = tmp('home');
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), TMPDIR: os.tmpdir(), ...env(), ...extraEnv },
    stdio,
  });
  const child: Child = { proc, stdout: [], stderr: [], code: new Promise((resolve) => proc.on('close', (c, signal) => resolve(c ?? (signal ? 128 : null)))) };
  if (readStdout) proc.stdout?.on('data', (d: Buffer) => child.stdout.push(d));
  proc.stderr?.on('data', (d: Buffer) => child.stderr.push(d));
  void child.code.then(() => recordOutput(Buffer.concat(child.stdout), Buffer.concat(child.stderr)));
  return child;
}

/** Whether another user can read `file`: every folder above it open to others, the file readable by them. */
function readableByOthers(file: string): boolean {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) if ((statSync(dir).mode & 0o001) === 0) return false;
  return (statSync(file).mode & 0o004) !== 0;
}

/**
 * Runs as a user the system has no entry for, as a container run with a bare UID does:
 * needs root, setpriv, and a checkout that other users can read (a clone in a private
 * temp folder is not; the relative-HOME case in test/compile-cache.test.ts says the same line).
 */
const canRunAsBareUid = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0 && readableByOthers(path.join(__dirname, '..', 'dist', 'b0s.cjs'));

describe('the b0s bin', () => {
  it.runIf(canRunAsBareUid)('without HOME, as a user with no home in the system: one line and exit 1, not a stack trace', () => {
    const r = spawnSync('setpriv', ['--reuid=54321', '--regid=54321', '--clear-groups', process.execPath, BIN, 'list'], { env: { PATH: process.env.PATH ?? '' }, cwd: os.tmpdir(), encoding: 'utf8' });
    recordOutput(Buffer.from(r.stdout), Buffer.from(r.stderr));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('b0s: cannot tell which folder is your home (HOME is not set, and the system has no home for this user): set HOME to it\n');
  });

  it('--help and --version need no token and exit 0', async () => {
    const help = start(['--help'], { BORDER0_ADMIN_TOKEN: '' });
    expect(await help.code).toBe(0);
    expect(Buffer.concat(help.stdout).toString()).toContain('Exit codes:');
    const version = start(['--version']);
    expect(await version.code).toBe(0);
    expect(Buffer.concat(version.stdout).toString().trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('`| head -n 1`: one line, exit 0, nothing on stderr, and the walk stops', async () => {
    sim().setOptions({ latencyMs: 15 });
    sim().resetRequests();
    try {
      const child = start(['list', '--all', '-o', 'ndjson', '--concurrency', '2']);
      // Read the first line, then close the pipe the way `head` does.
      const first = await new Promise<string>((resolve) => {
        let text = '';
        child.proc.stdout?.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('\n')) {
            child.proc.stdout?.destroy();
            resolve(text.slice(0, text.indexOf('\n')));
          }
        });
      });
      expect(JSON.parse(first).session_id).toBeTypeOf('string');
      expect(await child.code).toBe(0);
      expect(Buffer.concat(child.stderr).toString()).toBe('');
      // 50 pages would be needed for everything; it stopped after a handful.
      expect(sim().requests.length).toBeLessThan(15);
    } finally {
      sim().setOptions({ latencyMs: 0 });
    }
  });

  it('Ctrl-C: exit 130, and stdout holds only complete NDJSON lines', async () => {
    sim().setOptions({ latencyMs: 15 });
    try {
      const child = start(['list', '--all', '-o', 'ndjson', '--concurrency', '2']);
      await new Promise<void>((resolve) => child.proc.stdout?.once('data', () => resolve()));
      child.proc.kill('SIGINT');
      expect(await child.code).toBe(130);
      const out = Buffer.concat(child.stdout).toString();
      const sessions = parseNdjson(out);
      expect(sessions.length).toBeGreaterThan(0);
      expect(sessions.length).toBeLessThan(5000);
    } finally {
      sim().setOptions({ latencyMs: 0 });
    }
  });
});

describe('output that cannot be written', () => {
  // /dev/full accepts the open and fails every write with ENOSPC, as a full disk does.
  const cases: string[][] = [
    ['list', '-o', 'json'],
    ['list', '--all', '--page-size', '500', '-o', 'ndjson'],
    ['list', '--page-size', '50', '-o', 'csv'],
    ['list', '--page-size', '50'],
    ['--help'],
    ['--version'],
  ];
  for (const args of cases) {
    it(`b0s ${args.join(' ')} > /dev/full: exit 1 and one line saying so`, async () => {
      const full = openSync('/dev/full', 'w');
      const child = start(args, {}, ['ignore', full, 'pipe']);
      expect(await child.code).toBe(1);
      expect(Buffer.concat(child.stderr).toString()).toBe('b0s: cannot write the output: no space left on device\n');
    });
  }

  it('show -o json > /dev/full too', async () => {
    const s = sim().sessionAt(0);
    const child = start(['show', `${s.socket_id}/${s.session_id}`, '-o', 'json'], {}, ['ignore', openSync('/dev/full', 'w'), 'pipe']);
    expect(await child.code).toBe(1);
    expect(Buffer.concat(child.stderr).toString()).toContain('cannot write the output: no space left on device');
  });
});

describe('SIGTERM and SIGHUP, as timeout, systemd, CI and a closing terminal send them', () => {
  const cases: Array<[NodeJS.Signals, number, string, (out: string) => unknown[]]> = [
    ['SIGTERM', 143, 'json', (out) => JSON.parse(out) as unknown[]],
    ['SIGHUP', 129, 'ndjson', parseNdjson],
    ['SIGTERM', 143, 'csv', (out) => parseCsv(out).slice(1)],
  ];
  for (const [signal, code, format, parse] of cases) {
    it(`${signal} mid-walk: exit ${code}, and the ${format} written so far is whole`, async () => {
      sim().setOptions({ latencyMs: 15 });
      try {
        const child = start(['list', '--all', '-o', format, '--concurrency', '2']);
        await new Promise<void>((resolve) => child.proc.stdout?.once('data', () => resolve()));
        child.proc.kill(signal);
        expect(await child.code).toBe(code);
        const sessions = parse(Buffer.concat(child.stdout).toString());
        expect(sessions.length).toBeGreaterThan(0);
        expect(sessions.length).toBeLessThan(5000);
        expect(Buffer.concat(child.stderr).toString()).toMatch(new RegExp(`^b0s: stopped by ${signal}`));
      } finally {
        sim().setOptions({ latencyMs: 0 });
      }
    });
  }

  it('many small writes into a real pipe nobody reads: b0s still exits 143 after SIGTERM', async () => {
    // A FIFO opened for reading and writing here, never read: the pipe itself, as in
    // `b0s list --all | stalled-reader` (vitest's own pipes are sockets, which hold more).
    // Pages of 10 are ~1.7 kB writes, and such writes fill a Linux pipe at ~53 kB: a
    // blocking write(2) there would never return, and no signal would be handled.
    const fifo = path.join(tmp('fifo'), 'out');
    execFileSync('mkfifo', [fifo]);
    const pipe = openSync(fifo, 'r+');
    try {
      sim().resetRequests();
      const child = start(['list', '--all', '--page-size', '10', '--concurrency', '1'], {}, ['ignore', pipe, 'pipe'], false);
      // Also when the test times out: a b0s that did not stop must not outlive it.
      onTestFinished(() => void child.proc.kill('SIGKILL'));
      // Once the pipe is full, b0s fetches no more pages: it is now waiting on the pipe.
      const pages = () => sim().requests.filter((q) => q.path.endsWith('/sessions')).length;
      for (let seen = -1; seen !== pages() || seen < 20; ) {
        seen = pages();
        await delay(500);
      }
      child.proc.kill('SIGTERM');
      expect(await child.code).toBe(143);
    } finally {
      closeSync(pipe);
    }
  });

  it('stuck writing to a pipe nobody reads, b0s still exits after SIGTERM', async () => {
    const child = start(['list', '--all', '--page-size', '1000', '-o', 'json', '--concurrency', '1'], {}, ['ignore', 'pipe', 'pipe'], false);
    const exited = new Promise<number | null>((resolve) => child.proc.on('exit', (c) => resolve(c)));
    // Nothing reads: once this side's buffer is full, the pipe fills and b0s waits for it
    // to drain, with far more of the first thousand sessions left to write.
    const out = child.proc.stdout as NonNullable<typeof child.proc.stdout>;
    while (out.readableLength < out.readableHighWaterMark) await delay(10);
    child.proc.kill('SIGTERM');
    expect(await exited).toBe(143);
    child.proc.stdout?.destroy();
  });
});

describe('stderr stays quiet', () => {
  // Each request in flight, retry wait and limiter wait listens on the run's signal: 32 of
  // them pass Node's default of 10 listeners. Retry-After 0: each 429 still halves the
  // window and makes every request wait, but the walk does not take its luck's seconds.
  it('--concurrency 32 with faults: no runtime warnings', async () => {
    sim().setFaults('503:0.2,429:0.05');
    sim().setOptions({ retryAfterSeconds: 0 });
    try {
      const child = start(['list', '--all', '--page-size', '20', '--concurrency', '32', '--retries', '10', '-o', 'ndjson']);
      expect(await child.code).toBe(0);
      expect(Buffer.concat(child.stderr).toString()).toBe('');
      expect(parseNdjson(Buffer.concat(child.stdout).toString())).toHaveLength(5000);
    } finally {
      sim().setFaults('');
      sim().setOptions({ retryAfterSeconds: 1 });
    }
  });
});
