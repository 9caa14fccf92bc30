// The recording code as `b0s replay` uses it, loaded with `await import()` only when
// a recording is replayed. @xterm/headless is loaded later still, by the renderer,
// and only for terminal recordings.

import { FormatError } from '../errors';
import { parseAsciicast, type Asciicast } from './asciicast';
import { KNOWN_TYPES, sniffKind, type RecordingKind } from './kind';
import { renderRequestLog } from './request-log';
import { inlineText } from '../text';
import type { Overwritten } from './hidden';
import { renderPlainText } from './plain-text';
import { renderGenericLog } from './generic-log';
import { renderQueryLog, type QueryLogPaint } from './query-log';
import { renderTerminal, type TerminalTextOptions } from './terminal-text';
import type { LineTime } from './timestamps';

export { decodeRecordingBody, MAX_GUNZIPPED_BYTES } from './decode';
export { parseAsciicast, toAsciicast, toAsciicastV3, parseResize, type Asciicast, type AsciicastEvent } from './asciicast';
export { renderTerminal, renderTerminalText, type TerminalText, type TerminalTextOptions } from './terminal-text';
export { parseQueryLog, renderQueryLog, type QueryLogLine, type QueryLogPaint, type UncheckedQuery } from './query-log';
export { renderGenericLog, logfmtValue } from './generic-log';
export { toRfc3339 } from './time';
export { renderPlainText } from './plain-text';
export type { Overwritten } from './hidden';
export type { LineTime } from './timestamps';
export { sniffKind, type RecordingKind } from './kind';
export { recordingDocument, type RecordingDocument } from './document';
export { renderRequestLog } from './request-log';

export interface RenderOptions extends TerminalTextOptions {
  /** How failed and denied queries and requests stand out (colour on a terminal). */
  paint?: QueryLogPaint;
  /**
   * Put each command line's (or every line's) wall-clock time before it, in a terminal
   * recording's dump. `start` (ms since the epoch) is used when the recording's header
   * has no timestamp. Query and request logs carry their times already.
   */
  timestamps?: { lines: 'commands' | 'all'; start?: number };
}

export interface RenderedRecording {
  /** Holds no control characters but newlines, and no trailing newline. */
  text: string;
  /** What a terminal recording showed and then took off the screen, not in `text`. */
  hidden: Overwritten;
  /** Things the person reading should know about how it was rendered (one line each). */
  warnings: string[];
  /** With `lineTimes`, for a terminal recording: when each line of `text` was shown. */
  times?: Array<LineTime | undefined>;
  /** A terminal recording's start (ms since the epoch), from its header, if it has one. */
  start?: number;
}

const NOTHING_HIDDEN: Overwritten = { texts: [], total: 0 };

/**
 * A recording as text for a person at a terminal, by its recording_type: the screen of
 * a terminal session, one line per database query, one readable line per request.
 * Throws FormatError when the recording is not what its type says, or has no text form.
 */
export async function renderRecording(type: string | null | undefined, text: string, opts: RenderOptions = {}): Promise<RenderedRecording> {
  const plain = (out: string, warnings: string[] = []): RenderedRecording => ({ text: out, hidden: NOTHING_HIDDEN, warnings });
  if (text.trim() === '') return plain('');
  const kind = sniffKind(type, text);
  const unknown = type && !KNOWN_TYPES.has(type) ? [unknownType(type, kind)] : [];
  switch (kind) {
    case 'terminal': {
      const rendered = await terminal(parseAsciicast(text), opts);
      const out = { ...rendered, warnings: [...unknown, ...rendered.warnings] };
      return opts.timestamps ? withTimestamps(out, opts.timestamps) : out;
    }
    case 'queries':
      return plain(renderQueryLog(text, opts.paint), unknown);
    case 'records':
      return plain(renderGenericLog(text), unknown);
    case 'text':
      return plain(renderPlainText(text), unknown);
    case 'video':
      throw new FormatError('a browser_session_stream recording has no text form; use --format raw -O FILE');
    default:
      return plain(renderRequestLog(kind, text, opts.paint), unknown);
  }
}

function unknownType(type: string, kind: RecordingKind): string {
  const as = kind === 'terminal' ? 'a terminal recording' : kind === 'queries' ? 'a query log' : kind === 'text' ? 'plain text' : 'key=value lines';
  return `recording type "${inlineText(type)}" is unknown to b0s: it looks like ${as} and is shown as such`;
}

/** The text of `renderRecording` alone. */
export async function renderRecordingText(type: string | null | undefined, text: string, opts: RenderOptions = {}): Promise<string> {
  return (await renderRecording(type, text, opts)).text;
}

async function terminal(cast: Asciicast, opts: RenderOptions): Promise<RenderedRecording> {
  const { text, hidden, times } = await renderTerminal(cast, { ...opts, lineTimes: opts.lineTimes || opts.timestamps !== undefined });
  const stamp = cast.header.timestamp;
  const start = typeof stamp === 'number' && Number.isFinite(stamp) && stamp > 0 && stamp < 253402300800 ? stamp * 1000 : undefined;
  const warnings = cast.headerless
    ? [`it has no asciicast header (it starts with an event), so it was played on an ${cast.header.width}x${cast.header.height} terminal`]
    : [];
  const lost = replacementChars(cast);
  if (lost > 0) {
    warnings.push(
      `${lost.toLocaleString('en-US')} character${lost === 1 ? ' shows' : 's show'} as \ufffd (U+FFFD): bytes the recorder could not decode, such as a character split between two reads; what they were is not in the recording`,
    );
  }
  return { text, hidden, warnings, ...(times ? { times } : {}), ...(start !== undefined ? { start } : {}) };
}

/** The dump with each command line's (or every line's) time before it, the others indented to match. */
function withTimestamps(r: RenderedRecording, want: NonNullable<RenderOptions['timestamps']>): RenderedRecording {
  const start = r.start ?? want.start;
  const warnings = [...r.warnings];
  if (start === undefined) warnings.push('it says nothing of when it started, so times are counted from its start (+H:MM:SS)');
  const stampOf = (t: LineTime) => (start === undefined ? `+${clock(t.at)}` : new Date(start + Math.floor(t.at) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  const lines = r.text.split('\n');
  const stamps = lines.map((_, i) => {
    const t = r.times?.[i];
    return t && (want.lines === 'all' || t.command) ? stampOf(t) : '';
  });
  const width = Math.max(0, ...stamps.map((s) => s.length));
  if (width === 0) return { ...r, warnings };
  const text = lines.map((line, i) => `${stamps[i]!.padEnd(width)}  ${line}`.trimEnd()).join('\n');
  return { ...r, text, warnings };
}

/** Seconds as H:MM:SS. */
function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** U+FFFD in the output: what a recorder stores for bytes it could not decode. */
function replacementChars(cast: Asciicast): number {
  let n = 0;
  for (const [, code, data] of cast.events) {
    if (code !== 'o') continue;
    for (let i = data.indexOf('\ufffd'); i >= 0; i = data.indexOf('\ufffd', i + 1)) n++;
  }
  return n;
}
