// The World is everything b0s takes from outside the process: arguments, environment,
// streams, disk, clock and signals. main.ts builds the real one; tests build their own.
import type { Dispatcher } from 'undici';

export interface OutStream {
  write(chunk: string | Uint8Array, cb?: (err?: Error | null) => void): boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  once(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
  on(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  isTTY?: boolean;
  columns?: number;
  writableNeedDrain?: boolean;
  destroyed?: boolean;
}

export interface InStream extends NodeJS.ReadableStream {
  isTTY?: boolean;
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
  fs: FileSystem;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
  /**
   * Aborted on Ctrl-C, SIGTERM or SIGHUP: in-flight requests stop and the command exits
   * 130, 143 or 129 (the reason is a CancelledError that carries the code).
   */
  signal: AbortSignal;
  /** Called once before the first request of a run: settings for the process that makes them. */
  beforeRequests?(): Promise<void>;
  /** Tests and benchmarks may supply the HTTP dispatcher; otherwise one is built from the environment. */
  dispatcher?: Dispatcher;
}
