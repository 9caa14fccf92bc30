// The World is everything b0s takes from outside the process: arguments, environment,
// streams, disk, clock and signals. main.ts builds the real one; tests build their own.
import type { Dispatcher } from 'undici';
import type { PagerProcess } from './pager';

export interface OutStream {
  write(chunk: string | Uint8Array, cb?: (err?: Error | null) => void): boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  once(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
  on(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
  writableNeedDrain?: boolean;
  destroyed?: boolean;
}

export interface InStream extends NodeJS.ReadableStream {
  isTTY?: boolean;
  /** A terminal's: keys arrive one by one, unechoed, Ctrl-C as a byte. */
  setRawMode?(mode: boolean): unknown;
}

export interface FileSystem {
  /**
   * A regular file's bytes and mode, both from the one open file (nothing can be swapped in
   * between). Fails with code EISDIR for a folder, EFTYPE for anything else that is not a
   * regular file (a device such as /dev/zero, a FIFO, a socket: never waited on), and
   * EFBIG when it holds more than `maxBytes` (of which no more than that is read).
   */
  readRegularFile(path: string, maxBytes: number): Promise<{ data: Buffer; mode: number }>;
  /** Type and permission bits, as in `stat(2)`, following symlinks. */
  stat(path: string): Promise<{ mode: number }>;
  /**
   * Writes a whole file or nothing: the data goes to a temporary file in the same folder,
   * which takes the final name only once complete; on any failure it is removed. With
   * `exclusive` an existing file is never replaced (EEXIST), even one created meanwhile.
   * Without it, an existing FIFO or device is written into, not replaced.
   */
  writeFile(path: string, data: Uint8Array | string, opts: { exclusive: boolean }): Promise<void>;
  /**
   * Opens a file to append to (O_APPEND: every write lands at the end, whatever else
   * writes there; never truncated), creating it if missing.
   */
  openAppend(path: string): Promise<AppendFile>;
  /** Creates a file holding `data` (O_EXCL: EEXIST if it exists), on disk before this returns. */
  createExclusive(path: string, data: string): Promise<void>;
  /** Removes a file; one that is already gone is not an error. */
  remove(path: string): Promise<void>;
  /** Creates a folder and any missing parents (new ones readable by the owner only). */
  mkdir(path: string): Promise<void>;
}

export interface AppendFile {
  /** It did not exist before. */
  readonly created: boolean;
  /** Empty, or its last byte is a newline (so what is appended starts a line). */
  readonly atLineStart: boolean;
  append(data: string): Promise<void>;
  /** On disk: its data, and for a new file its name in the folder. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** This process and the machine it runs on, for lock files. */
export interface HostProcess {
  pid: number;
  hostname: string;
  /** Whether a process with this ID runs on this machine. */
  isRunning(pid: number): boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface World {
  argv: readonly string[];
  env: Env;
  stdin: InStream;
  stdout: OutStream;
  stderr: OutStream;
  homedir: string;
  platform: NodeJS.Platform;
  /** Where b0s may keep small state (the sessions a table last showed). */
  configDir: string;
  /** Where b0s keeps state it must not lose (export checkpoints); created when first needed. */
  stateDir: string;
  host: HostProcess;
  fs: FileSystem;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
  /**
   * Aborted on Ctrl-C, SIGTERM or SIGHUP: in-flight requests stop and the command exits
   * 130, 143 or 129 (the reason is a CancelledError that carries the code).
   */
  signal: AbortSignal;
  /** Starts a pager for terminal output (src/pager.ts); without it, b0s never pages. */
  spawnPager?(command: string, env: Env): PagerProcess;
  /**
   * Runs `fn` if the process exits while it is registered (a second Ctrl-C exits at
   * once): for putting the terminal back. Returns a function that unregisters it.
   */
  onExit?(fn: () => void): () => void;
  /**
   * Called once before the first request of a run, with the API's address: settings for
   * the process that makes them.
   */
  beforeRequests?(api: URL): Promise<void>;
  /** Tests and benchmarks may supply the HTTP dispatcher; otherwise one is built from the environment. */
  dispatcher?: Dispatcher;
  /**
   * The process ends when the run does (the b0s bin, not a test running many): connections
   * left idle then close with it, and need not be closed one by one first.
   */
  processEndsWithRun?: boolean;
}
