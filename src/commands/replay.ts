// b0s replay: what happened in a session. `text` renders each recording for a human
// (terminal screen text, one line per query or request); `asciicast` writes a file
// `asciinema play` accepts (v2, or v3); `json` the parsed events or records; `raw`
// passes the API's bytes through untouched; `--play` plays a terminal recording in the
// terminal (player.ts).
import type { Recording, Session } from '../api/types';
import type { Deps } from '../deps';
import type { Overwritten } from '../recording';
import type { PlayOptions, PlayTerminal } from '../recording/player';
import { FileError, NotFoundError, UsageError } from '../errors';
import { shortId } from '../output/fields';
import { toJson } from '../output/json';
import { inlineText, textOf } from '../text';
import { timeOf } from '../time';
import { parseTarget, resolveTarget, type TargetSpec } from './target';

export type ReplayFormat = 'text' | 'asciicast' | 'json' | 'raw';
export const REPLAY_FORMATS: readonly ReplayFormat[] = ['text', 'asciicast', 'json', 'raw'];

/** Which lines of a text dump carry their wall-clock time. */
export type TimestampLines = 'none' | 'commands' | 'all';

export interface ReplayOptions {
  target: TargetSpec;
  recording?: string;
  format: ReplayFormat;
  castVersion: 2 | 3;
  timestamps: TimestampLines;
  play?: PlayOptions;
  file?: string;
  force: boolean;
}

export interface RawReplayFlags {
  recording?: string;
  format?: ReplayFormat;
  castVersion?: string;
  timestamps?: boolean;
  timestampsAll?: boolean;
  play?: boolean;
  speed?: string;
  idleLimit?: string;
  outputFile?: string;
  force?: boolean;
}

export function replayOptions(first: string, second: string | undefined, raw: RawReplayFlags): ReplayOptions {
  if (raw.recording !== undefined && !/^[\w.-]{1,128}$/.test(raw.recording)) {
    throw new UsageError(`--recording must be a recording ID (letters, digits, - _ .), got "${raw.recording}"`);
  }
  if (raw.outputFile !== undefined && raw.outputFile.trim() === '') throw new UsageError('-O needs a file name (or - for stdout)');
  // `-O -` is stdout, as for curl and wget.
  const file = raw.outputFile === '-' ? undefined : raw.outputFile;
  if (raw.force && file === undefined) throw new UsageError('--force only applies with -O FILE');
  const format = raw.format ?? 'text';
  let castVersion: 2 | 3 = 2;
  if (raw.castVersion !== undefined) {
    if (raw.castVersion !== '2' && raw.castVersion !== '3') throw new UsageError(`--cast-version must be 2 or 3, got "${inlineText(raw.castVersion)}"`);
    if (format !== 'asciicast') throw new UsageError('--cast-version only applies with --format asciicast');
    castVersion = raw.castVersion === '3' ? 3 : 2;
  }
  const timestamps: TimestampLines = raw.timestampsAll ? 'all' : raw.timestamps ? 'commands' : 'none';
  if (timestamps !== 'none' && format !== 'text') throw new UsageError(`--timestamps applies to the text dump, not --format ${format}`);
  let play: PlayOptions | undefined;
  if (raw.play) {
    if (raw.format !== undefined) throw new UsageError('--play plays the recording in the terminal: it takes no --format');
    if (timestamps !== 'none') throw new UsageError('--play and --timestamps contradict each other: --timestamps is for the text dump');
    if (raw.outputFile !== undefined) throw new UsageError('--play plays in the terminal: it writes no -O file');
    play = { speed: positiveNumber('--speed', raw.speed, 1, 0.01, 1000), idleLimit: raw.idleLimit === undefined ? undefined : positiveNumber('--idle-limit', raw.idleLimit, 0, 0.01, 86_400) };
  } else if (raw.speed !== undefined || raw.idleLimit !== undefined) {
    throw new UsageError(`${raw.speed !== undefined ? '--speed' : '--idle-limit'} only applies with --play`);
  }
  return { target: parseTarget(first, second), recording: raw.recording, format, castVersion, timestamps, play, file, force: raw.force === true };
}

function positiveNumber(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a number from ${min} to ${max.toLocaleString('en-US')}, got "${inlineText(value)}"`);
  }
  return n;
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
  const what = opts.play ? '--play' : `--format ${opts.format}`;
  if (opts.play && opts.recording === undefined) {
    // Only terminal recordings play; a session's other recordings need not be named away.
    const terminal = chosen.filter((r) => !r.recording_type || r.recording_type === 'asciinema');
    if (terminal.length > 0) chosen = terminal;
  }
  if ((opts.play || (opts.format !== 'text' && opts.format !== 'json')) && chosen.length > 1) {
    throw new UsageError(`session ${name} has ${chosen.length} recordings; pick one for ${what} with --recording: ${chosen.map(describe).join(', ')}`);
  }
  const [only] = chosen;
  if ((opts.play || opts.format === 'asciicast') && only && only.recording_type && only.recording_type !== 'asciinema') {
    // A browser session is video: it has no text form either.
    const instead = only.recording_type === 'browser_session_stream' ? '--format raw -O FILE' : '--format text or raw';
    throw new UsageError(`recording ${describe(only)} is not a terminal recording: ${what} needs an asciinema one; use ${instead}`);
  }
  return chosen;
}

export async function runReplay(opts: ReplayOptions, deps: Deps): Promise<void> {
  const { io } = deps;
  if (opts.play && !io.stdoutIsTTY) {
    throw new UsageError('--play plays the recording in a terminal, and stdout is not one; to save it, use --format asciicast -O FILE');
  }
  if (opts.format === 'raw' && opts.file === undefined && io.stdoutIsTTY) {
    throw new UsageError('refusing to write a raw recording to the terminal (it may hold escape sequences): use -O FILE, a pipe, or --format text');
  }
  const client = await deps.api();
  const target = await resolveTarget(opts.target, client, { now: deps.now(), signal: deps.signal, recent: deps.recent });
  const { socketId, sessionId } = target;
  const session = target.session ?? (await client.getSession(socketId, sessionId, deps.signal));
  const recordings = pick(session, opts);
  const rec = await import('../recording');

  if (opts.play) {
    const [r] = recordings;
    const reply = await client.sessionLog(socketId, sessionId, r!.recording_id, deps.signal);
    const cast = rec.parseAsciicast(rec.decodeRecordingBody(reply.body, String(reply.headers['content-type'] ?? '')));
    await playInTerminal(cast, r!, opts.play, deps);
    return;
  }

  const parts: Array<string | Uint8Array> = [];
  const documents: unknown[] = [];
  for (const [i, r] of recordings.entries()) {
    const reply = await client.sessionLog(socketId, sessionId, r.recording_id, deps.signal);
    let part: string | Uint8Array;
    if (opts.format === 'raw') {
      part = reply.body;
    } else {
      const text = rec.decodeRecordingBody(reply.body, String(reply.headers['content-type'] ?? ''));
      if (opts.format === 'json') {
        const { kind: _kind, ...doc } = rec.recordingDocument(r.recording_type, text);
        documents.push({ recording_id: r.recording_id, recording_type: r.recording_type ?? null, start_time: r.start_time ?? null, ...doc });
        continue;
      }
      if (opts.format === 'asciicast') {
        const cast = rec.parseAsciicast(text);
        part = opts.castVersion === 3 ? rec.toAsciicastV3(cast) : rec.toAsciicast(cast);
      } else {
        // Colour only where the text goes to a terminal that takes it.
        const paint = opts.file === undefined ? { failed: (s: string) => io.out.red(s) } : undefined;
        const start = timeOf(r.start_time) ?? timeOf(session.start_time);
        const timestamps = opts.timestamps === 'none' ? undefined : { lines: opts.timestamps, start };
        const rendered = await rec.renderRecording(r.recording_type, text, { signal: deps.signal, paint, timestamps });
        for (const warning of rendered.warnings) io.warn(`recording ${inlineText(describe(r))}: ${warning}`);
        const body = rendered.text;
        const header = recordings.length > 1 ? `── recording ${i + 1} of ${recordings.length} · ${inlineText(describe(r))} · ${inlineText(r.start_time ?? '')} ──\n` : '';
        part = `${header}${body}${body === '' || body.endsWith('\n') ? '' : '\n'}${hiddenText(rendered.hidden, r, deps)}`;
      }
    }
    if (opts.file === undefined) await io.write(part);
    else parts.push(part);
  }
  if (opts.format === 'json') {
    const json = `${toJson(documents, 2)}\n`;
    if (opts.file === undefined) await io.write(json);
    else parts.push(json);
  }
  if (opts.file !== undefined) await writeOutputFile(opts.file, parts, opts.force, deps);
}

/** `--play`: the recording in this terminal, after saying how to drive it. */
async function playInTerminal(cast: import('../recording').Asciicast, r: Recording, opts: PlayOptions, deps: Deps): Promise<void> {
  const { io } = deps;
  const { play, askToPlay, largestSize, formatDuration, playTimes } = await import('../recording/player');
  const stdin = io.stdin;
  const keys = io.stdinIsTTY && typeof stdin.setRawMode === 'function';
  const term: PlayTerminal = {
    columns: io.stdout.columns ?? 80,
    rows: io.stdout.rows ?? 24,
    write: (text) => void io.stdout.write(text),
    setRawMode: keys ? (on) => void stdin.setRawMode!(on) : undefined,
    onInput: keys
      ? (listener) => {
          const onData = (chunk: Buffer | string) => listener(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
          stdin.on('data', onData);
          stdin.resume();
          return () => {
            stdin.removeListener('data', onData);
            stdin.pause();
          };
        }
      : undefined,
    onExit: deps.onExit,
    now: deps.now,
    sleep: deps.sleep,
    note: (line) => io.note(line),
  };
  const size = largestSize(cast);
  if (size.cols > term.columns || size.rows > term.rows) {
    io.warn(
      `recording ${inlineText(describe(r))} is ${size.cols}x${size.rows}, larger than this terminal (${term.columns}x${term.rows}): lines will wrap or scroll and the screen will not look as it did; enlarge the terminal or make its font smaller${keys ? '. Press Space to play anyway, q not to' : ''}`,
    );
    if (!(await askToPlay(term, deps.signal))) return;
  }
  const output = cast.events.filter((e) => e[1] === 'o');
  const length = playTimes(output.map((e) => e[0]), opts.idleLimit).at(-1) ?? 0;
  const how = [`${formatDuration(length)} long`, ...(opts.speed !== 1 ? [`at ${opts.speed}x`] : []), ...(opts.idleLimit !== undefined ? [`pauses over ${opts.idleLimit} s shortened`] : [])];
  io.note(io.err.dim(`Playing ${inlineText(describe(r))} (${how.join(', ')})${keys ? ': Space pauses, . steps when paused, ← → seek 5 s (with Shift 1 min), q quits' : ''}`));
  const result = await play(cast, term, opts, deps.signal);
  const held = [...result.dropped.entries()].map(([kind, n]) => `${kind} ×${n}`);
  io.note(
    io.err.dim(
      `${result.ended ? `Played to the end (${formatDuration(result.duration)})` : `Stopped at ${formatDuration(result.position)} of ${formatDuration(result.duration)}`}.${held.length ? ` Held back from your terminal: ${held.join(', ')}.` : ''}`,
    ),
  );
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
