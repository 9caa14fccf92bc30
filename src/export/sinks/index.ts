// Where export events go: stdout, a file (--out) or a syslog receiver (--syslog). Each
// sink takes whole events and says when they are safe (`commit`): the checkpoint moves
// on only after that.
import { getSystemErrorMap } from 'node:util';
import { FileError, OutputError } from '../../errors';
import type { IO } from '../../io';
import { inlineText } from '../../text';
import type { AppendFile, FileSystem } from '../../world';
import type { ExportEvent } from '../events';

export interface SinkEvent {
  event: ExportEvent;
  /** The event in the chosen format, as one line of JSON (no newline). */
  json: string;
}

export interface Sink {
  write(events: readonly SinkEvent[]): Promise<void>;
  /** Everything written so far is flushed (stdout), on disk (a file) or received (syslog over TCP/TLS). */
  commit(): Promise<void>;
  close(): Promise<void>;
}

const lines = (events: readonly SinkEvent[]) => events.map((e) => `${e.json}\n`).join('');

export function stdoutSink(io: IO, signal: AbortSignal): Sink {
  return {
    async write(events) {
      if (events.length) await io.write(lines(events));
    },
    async commit() {
      const err = await new Promise<Error | null | undefined>((resolve) => io.stdout.write('', resolve));
      // A reader that went away or a full disk: the events may not have arrived.
      if (signal.aborted) throw signal.reason;
      if (err) throw new OutputError(`cannot write the output: ${inlineText(err.message)}`, { cause: err });
    },
    async close() {},
  };
}

/**
 * --out FILE: only ever appended to, whole lines, and fsync'ed before the checkpoint
 * moves. Opened for each pass and closed after it, so a file moved away meanwhile (log
 * rotation) is followed by a new one, not written to under its old name.
 */
export async function fileSink(fs: FileSystem, file: string, io: IO): Promise<Sink> {
  const name = inlineText(file);
  const failed = (what: string, err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    const errno = (err as NodeJS.ErrnoException).errno;
    const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EISDIR' ? 'it is a folder' : typeof errno === 'number' ? (getSystemErrorMap().get(errno)?.[1] ?? code) : (err as Error).message;
    return new FileError(`cannot ${what} ${name}: ${inlineText(why)}`, { cause: err });
  };
  let handle: AppendFile | undefined;
  const open = async (): Promise<AppendFile> => {
    if (handle) return handle;
    const opened = await fs.openAppend(file).catch((err: unknown) => Promise.reject(failed('open', err)));
    try {
      if (!opened.atLineStart) {
        // A line cut short (a full disk, a crash of another writer): events start on a line of their own.
        await opened.append('\n');
        io.warn(`${name} did not end with a newline (a line cut short?); the events start on a new line`);
      }
    } catch (err) {
      await opened.close().catch(() => {});
      throw failed('write to', err);
    }
    handle = opened;
    return opened;
  };
  // Fail before anything is read when the file cannot be opened.
  await open();
  const close = async () => {
    const h = handle;
    handle = undefined;
    await h?.close();
  };
  return {
    async write(events) {
      if (events.length === 0) return;
      const h = await open();
      await h.append(lines(events)).catch((err: unknown) => Promise.reject(failed('write to', err)));
    },
    async commit() {
      if (!handle) return;
      await handle.sync().catch((err: unknown) => Promise.reject(failed('flush to disk', err)));
      await close();
    },
    close,
  };
}
