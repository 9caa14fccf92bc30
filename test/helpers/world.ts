// A World for tests: in-memory streams that can claim to be a terminal or not, a home
// and config folder of its own for each run (removed after it), a clock that runs
// faster than real time (so retry waits and Retry-After pauses are honoured without
// slowing the suite), and a log of every byte b0s writes (for the token-leak check in
// the global teardown).
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { inject } from 'vitest';
import type { Command } from 'commander';
import { buildProgram, run } from '../../src/cli';
import { nodeFileSystem } from '../../src/node-fs';
import { nodeHost } from '../../src/node-host';
import { spawnPager } from '../../src/pager';
import type { Env, World } from '../../src/world';

export class MemoryStream extends Writable {
  private chunks: Buffer[] = [];
  isTTY: boolean;
  columns: number | undefined;
  rows: number | undefined;
  constructor(opts: { isTTY?: boolean; columns?: number; rows?: number } = {}) {
    super();
    this.isTTY = opts.isTTY ?? false;
    this.columns = opts.isTTY ? (opts.columns ?? 120) : undefined;
    this.rows = opts.isTTY ? (opts.rows ?? 40) : undefined;
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    cb();
  }
  // What a tty.WriteStream adds: spinners move the cursor with these.
  cursorTo(x: number, y?: number | (() => void), cb?: () => void): boolean {
    const done = typeof y === 'function' ? y : cb;
    return this.write(typeof y === 'number' ? `\u001b[${y + 1};${x + 1}H` : `\u001b[${x + 1}G`, done);
  }
  moveCursor(dx: number, dy: number, cb?: () => void): boolean {
    return this.write(`${dx ? `\u001b[${Math.abs(dx)}${dx > 0 ? 'C' : 'D'}` : ''}${dy ? `\u001b[${Math.abs(dy)}${dy > 0 ? 'B' : 'A'}` : ''}`, cb);
  }
  clearLine(dir: number, cb?: () => void): boolean {
    return this.write(`\u001b[${dir < 0 ? 1 : dir > 0 ? 0 : 2}K`, cb);
  }
  getColorDepth(): number {
    return 8;
  }
  hasColors(): boolean {
    return true;
  }
  buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
  text(): string {
    return this.buffer().toString('utf8');
  }
}

export interface RunOptions {
  env?: Env;
  /** Make stdout / stderr / stdin claim to be terminals. */
  tty?: { stdout?: boolean; stderr?: boolean; stdin?: boolean };
  columns?: number;
  /** Lines typed at a prompt. */
  input?: string;
  /** Default: a folder that does not exist (so no ~/.border0/token), inside this run's temp folder. */
  homedir?: string;
  /** Where b0s keeps its state; a fresh one for every run, removed after it, unless a test says otherwise. */
  configDir?: string;
  /** Where export keeps its checkpoint by default; like configDir. */
  stateDir?: string;
  /** The process ID b0s believes it has (lock files): a dead one plays a process that was killed. */
  pid?: number;
  /** The file system b0s uses (default: the real one). */
  fs?: World['fs'];
  /** Virtual ms since the epoch the clock starts at. */
  now?: number;
  /** How many times faster than real time the clock runs (sleeps shrink by the same factor). */
  speedup?: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
  stdout?: Writable & { isTTY?: boolean; columns?: number; rows?: number };
  /** Input of its own (keys typed while b0s runs); else `input`, or nothing. */
  stdin?: Readable & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };
  /** Every sleep b0s asks for, in virtual ms. */
  sleeps?: number[];
  /** Let b0s start a real pager process (the PAGER in `env`) for terminal output. */
  pager?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}


/** The World of one run; `scratch` is a temp folder for its home and config. */
function testWorld(argv: string[], opts: RunOptions, scratch: string) {
  const stdout = opts.stdout ?? new MemoryStream({ isTTY: opts.tty?.stdout, columns: opts.columns });
  const stderr = new MemoryStream({ isTTY: opts.tty?.stderr, columns: opts.columns });
  const stdin = opts.stdin ?? ((opts.input !== undefined ? Readable.from([opts.input]) : new PassThrough()) as Readable & { isTTY?: boolean });
  if (!opts.stdin) stdin.isTTY = opts.tty?.stdin ?? false;
  const speedup = opts.speedup ?? 200;
  const start = opts.now ?? Date.now();
  const t0 = performance.now();
  const world: World = {
    argv,
    env: opts.env ?? {},
    stdin,
    stdout: stdout as unknown as World['stdout'],
    stderr: stderr as unknown as World['stderr'],
    homedir: opts.homedir ?? path.join(scratch, 'home'),
    platform: 'linux',
    configDir: opts.configDir ?? path.join(scratch, 'config'),
    stateDir: opts.stateDir ?? path.join(scratch, 'state'),
    host: nodeHost(opts.pid),
    fs: opts.fs ?? nodeFileSystem,
    now: () => Math.round(start + (performance.now() - t0) * speedup),
    sleep: async (ms, signal) => {
      opts.sleeps?.push(ms);
      await delay(ms / speedup, undefined, { signal });
    },
    random: Math.random,
    signal: opts.signal ?? new AbortController().signal,
    dispatcher: opts.dispatcher,
    spawnPager: opts.pager ? spawnPager : undefined,
  };
  return { world, stdout, stderr };
}

/** The program as the CLI builds it, for tests of its surface: no command runs, nothing is written. */
export function programOf(): Command {
  const { world } = testWorld([], {}, path.join(os.tmpdir(), 'b0s-never-made'));
  return buildProgram(world, () => Promise.reject(new Error('no command runs here')));
}

/** Runs b0s in-process, exactly as the bin does, and returns what a user would see. */
export async function b0s(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'b0s-run-'));
  const { world, stdout, stderr } = testWorld(argv, opts, scratch);
  let code: number;
  try {
    code = await run(world);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const out = stdout instanceof MemoryStream ? stdout.buffer() : Buffer.alloc(0);
  recordOutput(out, stderr.buffer());
  return { code, stdout: out.toString('utf8'), stderr: stderr.text(), stdoutBytes: out };
}

/** Appends what b0s wrote to this run's log, which the global teardown greps for tokens. */
export function recordOutput(...chunks: Buffer[]): void {
  const dir = inject('outputLogDir');
  mkdirSync(dir, { recursive: true });
  appendFileSync(path.join(dir, `worker-${process.pid}.log`), Buffer.concat(chunks));
}

declare module 'vitest' {
  export interface ProvidedContext {
    outputLogDir: string;
  }
}
