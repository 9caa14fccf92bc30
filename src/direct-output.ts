// stdout and stderr when they are a file, a pipe or a socket, as when a script runs b0s.
// Node builds process.stdout on first use, and for a pipe that loads its whole stream
// machinery (node:stream, node:net): about a sixth of a bare Node start, for `--help`
// or one page of sessions. Writing to the file descriptor directly costs nothing up front.
import { EventEmitter } from 'node:events';
import { fstatSync, writeSync } from 'node:fs';
import type { OutStream } from './world';

/**
 * How much goes out with blocking writes to a pipe or socket before the stream takes over:
 * enough for `--help` or a page of 25 sessions. A write that blocks cannot be interrupted
 * (Ctrl-C and SIGTERM wait for it), so this stays well within what an empty pipe always
 * takes, even for stdout and stderr together: Linux's holds 16 pages, and each small write
 * may start a page of its own (so 8 KiB fill at most 5); macOS's holds 16 KiB. Past it, the
 * stream waits for a slow reader without blocking b0s. Only a pipe that something else
 * filled to the brim, with its reader stalled, could still hold up one of these writes.
 */
export const PIPE_DIRECT_BYTES = 8 * 1024;

type Write = (fd: number, data: Uint8Array) => number;

/**
 * fd as an OutStream, if it is a regular file (written directly throughout, as Node's own
 * process.stdout does for files) or a pipe or socket (the first `PIPE_DIRECT_BYTES`);
 * undefined for a terminal or a device, which get Node's stream.
 */
export function directOutput(fd: number, stream: () => NodeJS.WriteStream): OutStream | undefined {
  let kind: 'file' | 'pipe';
  try {
    const st = fstatSync(fd);
    if (st.isFile()) kind = 'file';
    else if (st.isFIFO() || st.isSocket()) kind = 'pipe';
    else return undefined;
  } catch {
    return undefined;
  }
  return new DirectOutput(fd, kind === 'file' ? Infinity : PIPE_DIRECT_BYTES, stream);
}

/**
 * Writes with writeSync while `budget` lasts, then hands everything over to `stream`
 * (also when a write would block: EAGAIN, a non-blocking pipe that is full). A failed
 * write is reported as a stream reports it: the callback and an 'error' event, on the
 * next tick.
 */
export class DirectOutput extends EventEmitter implements OutStream {
  readonly isTTY = false;
  private failed = false;
  private handedOver: OutStream | undefined;

  constructor(
    private readonly fd: number,
    private budget: number,
    private readonly stream: () => NodeJS.WriteStream,
    private readonly write_: Write = writeSync,
  ) {
    super();
  }

  get destroyed(): boolean {
    return this.failed || this.handedOver?.destroyed === true;
  }

  get writableNeedDrain(): boolean {
    return this.handedOver?.writableNeedDrain === true;
  }

  write(chunk: string | Uint8Array, cb?: (err?: Error | null) => void): boolean {
    if (this.handedOver) return this.handedOver.write(chunk, cb);
    if (this.failed) {
      const err = Object.assign(new Error('write after a failed write'), { code: 'ERR_STREAM_DESTROYED' });
      process.nextTick(() => cb?.(err));
      return false;
    }
    let rest = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    try {
      while (rest.length > 0 && rest.length <= this.budget) {
        const written = this.write_(this.fd, rest);
        this.budget -= written;
        rest = rest.subarray(written);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return this.fail(err as NodeJS.ErrnoException, cb);
    }
    if (rest.length > 0) return this.handOver().write(rest, cb);
    if (cb) process.nextTick(cb, null);
    return true;
  }

  override removeListener(event: string, listener: (...args: never[]) => void): this {
    return super.removeListener(event, listener as (...args: unknown[]) => void);
  }

  private fail(err: NodeJS.ErrnoException, cb?: (err?: Error | null) => void): boolean {
    this.failed = true;
    process.nextTick(() => {
      cb?.(err);
      this.emit('error', err);
    });
    return false;
  }

  private handOver(): OutStream {
    const stream = this.stream();
    this.handedOver = stream;
    // Whoever listens here hears the stream from now on.
    stream.on('error', (err) => this.emit('error', err));
    stream.on('drain', () => this.emit('drain'));
    stream.once('close', () => this.emit('close'));
    return stream;
  }
}
