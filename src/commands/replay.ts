// b0s replay: what happened in a session. `text` renders each recording for a human
// (terminal screen text, one line per query); `asciicast` writes a file `asciinema play`
// accepts; `raw` passes the API's bytes through untouched.
import type { Recording, Session } from '../api/types';
import type { Deps } from '../deps';
import type { Overwritten } from '../recording';
import { FileError, NotFoundError, UsageError } from '../errors';
import { shortId } from '../output/fields';
import { inlineText, textOf } from '../text';
import { timeOf } from '../time';
import { parseTarget, resolveTarget, type TargetSpec } from './target';

export type ReplayFormat = 'text' | 'asciicast' | 'raw';

export interface ReplayOptions {
  target: TargetSpec;
  recording?: string;
  format: ReplayFormat;
  file?: string;
  force: boolean;
}

export function replayOptions(
  first: string,
  second: string | undefined,
  raw: { recording?: string; format?: ReplayFormat; outputFile?: string; force?: boolean },
): ReplayOptions {
  if (raw.recording !== undefined && !/^[\w.-]{1,128}$/.test(raw.recording)) {
    throw new UsageError(`--recording must be a recording ID (letters, digits, - _ .), got "${raw.recording}"`);
  }
  if (raw.outputFile !== undefined && raw.outputFile.trim() === '') throw new UsageError('-O needs a file name (or - for stdout)');
  // `-O -` is stdout, as for curl and wget.
  const file = raw.outputFile === '-' ? undefined : raw.outputFile;
  if (raw.force && file === undefined) throw new UsageError('--force only applies with -O FILE');
  return { target: parseTarget(first, second), recording: raw.recording, format: raw.format ?? 'text', file, force: raw.force === true };
}

/** Recordings without a readable start time go last. */
const startOf = (r: Recording) => timeOf(r.start_time) ?? Infinity;

/** Raw, for messages (made inert where they are printed); `inlineText` it for output. */
function describe(r: Recording): string {
  return `${textOf(r.recording_id)} (${textOf(r.recording_type ?? 'unknown type')})`;
}

/** The recordings to replay, oldest first; every failure here is decided before any download. */
function pick(session: Session, opts: ReplayOptions): Recording[] {
  const all = (Array.isArray(session.recordings) ? session.recordings : [])
    .filter((r): r is Recording => typeof r?.recording_id === 'string')
    .sort((a, b) => startOf(a) - startOf(b));
  const name = shortId(session.session_id);
  let chosen = all;
  if (opts.recording !== undefined) {
    chosen = all.filter((r) => r.recording_id === opts.recording);
    if (chosen.length === 0) {
      throw new NotFoundError(
        `session ${name} has no recording ${opts.recording}${all.length ? `; it has ${all.map(describe).join(', ')}` : ''}`,
      );
    }
  }
  if (chosen.length === 0) {
    throw new NotFoundError(`session ${name} has no recordings (recording may be off for its socket, or the session was denied)`);
  }
  if (opts.format !== 'text' && chosen.length > 1) {
    throw new UsageError(`session ${name} has ${chosen.length} recordings; pick one for --format ${opts.format} with --recording: ${chosen.map(describe).join(', ')}`);
  }
  const [only] = chosen;
  if (opts.format === 'asciicast' && only && only.recording_type && only.recording_type !== 'asciinema') {
    throw new UsageError(`recording ${describe(only)} is not a terminal recording: --format asciicast needs an asciinema one; use --format text or raw`);
  }
  return chosen;
}

export async function runReplay(opts: ReplayOptions, deps: Deps): Promise<void> {
  const { io } = deps;
  if (opts.format === 'raw' && opts.file === undefined && io.stdoutIsTTY) {
    throw new UsageError('refusing to write a raw recording to the terminal (it may hold escape sequences): use -O FILE, a pipe, or --format text');
  }
  const client = await deps.api();
  const target = await resolveTarget(opts.target, client, { now: deps.now(), signal: deps.signal, recent: deps.recent });
  const { socketId, sessionId } = target;
  const session = target.session ?? (await client.getSession(socketId, sessionId, deps.signal));
  const recordings = pick(session, opts);
  const rec = await import('../recording');

  const parts: Array<string | Uint8Array> = [];
  for (const [i, r] of recordings.entries()) {
    const reply = await client.sessionLog(socketId, sessionId, r.recording_id, deps.signal);
    let part: string | Uint8Array;
    if (opts.format === 'raw') {
      part = reply.body;
    } else {
      const text = rec.decodeRecordingBody(reply.body, String(reply.headers['content-type'] ?? ''));
      if (opts.format === 'asciicast') {
        part = rec.toAsciicast(rec.parseAsciicast(text));
      } else {
        // Colour only where the text goes to a terminal that takes it.
        const paint = opts.file === undefined ? { failed: (s: string) => io.out.red(s) } : undefined;
        const rendered = await rec.renderRecording(r.recording_type, text, { signal: deps.signal, paint });
        for (const warning of rendered.warnings) io.warn(`recording ${inlineText(describe(r))}: ${warning}`);
        const body = rendered.text;
        const header = recordings.length > 1 ? `── recording ${i + 1} of ${recordings.length} · ${inlineText(describe(r))} · ${inlineText(r.start_time ?? '')} ──\n` : '';
        part = `${header}${body}${body === '' || body.endsWith('\n') ? '' : '\n'}${hiddenText(rendered.hidden, r, deps)}`;
      }
    }
    if (opts.file === undefined) await io.write(part);
    else parts.push(part);
  }
  if (opts.file !== undefined) await writeOutputFile(opts.file, parts, opts.force, deps);
}

// Enough to read what was hidden; the count says how much more there was.
const MAX_HIDDEN_SHOWN = 50;

/**
 * What a terminal recording printed and then took off the screen without it reaching
 * the screen text: listed after its dump, with a warning, since the dump alone would
 * not show it.
 */
function hiddenText(found: Overwritten, r: Recording, deps: Deps): string {
  if (found.total === 0) return '';
  deps.io.warn(
    `recording ${inlineText(describe(r))} hid text it had printed ${found.total === 1 ? 'once' : `${found.total.toLocaleString('en-US')} times`} (written over, erased or scrolled away); it is listed after the screen text`,
  );
  const shown = found.texts.slice(0, MAX_HIDDEN_SHOWN);
  const more = found.total > shown.length ? `… and ${(found.total - shown.length).toLocaleString('en-US')} more\n` : '';
  return `── b0s: printed, then hidden by overwriting the line, erasing it or scrolling it away (${found.total}) ──\n${shown.map((t) => `${t}\n`).join('')}${more}`;
}

async function writeOutputFile(file: string, parts: Array<string | Uint8Array>, force: boolean, deps: Deps): Promise<void> {
  const data = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
  try {
    await deps.fs.writeFile(file, data, { exclusive: !force });
  } catch (err) {
    // O_EXCL answers EEXIST for a folder too; say what it really is.
    const isFolder = await deps.fs.stat(file).then((st) => (st.mode & 0o170000) === 0o040000, () => false);
    throw fileError(file, isFolder ? Object.assign(new Error('is a folder'), { code: 'EISDIR' }) : err);
  }
  deps.io.note(`Wrote ${data.length.toLocaleString('en-US')} bytes to ${inlineText(file)}`);
}

function fileError(file: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const name = file;
  switch (code) {
    case 'EEXIST':
      return new UsageError(`${name} already exists: use --force to overwrite it`);
    case 'EISDIR':
      return new UsageError(`${name} is a folder: give -O a file name`);
    case 'ENOENT':
    case 'ENOTDIR':
      return new FileError(`cannot write ${name}: its folder does not exist`, { cause: err });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new FileError(`cannot write ${name}: permission denied`, { cause: err });
    case 'ENOSPC':
    case 'EDQUOT':
      return new FileError(`cannot write ${name}: no space left on the device; nothing was written`, { cause: err });
    case 'EFBIG':
      return new FileError(`cannot write ${name}: larger than the file size limit; nothing was written`, { cause: err });
    default:
      return new FileError(`cannot write ${name}: ${(err as Error).message}; nothing was written`, { cause: err });
  }
}
