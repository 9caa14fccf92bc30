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
  readFile(path: string): Promise<Buffer>;
  /** Permission bits of a file (for the token file check). */
  stat(path: string): Promise<{ mode: number }>;
  /** Writes a new file; with `exclusive` it fails with EEXIST instead of overwriting. */
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
  /** Tests and benchmarks may supply the HTTP dispatcher; otherwise one is built from the environment. */
  dispatcher?: Dispatcher;
}
