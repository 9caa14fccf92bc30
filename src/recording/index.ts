// The recording code as `b0s replay` uses it, loaded with `await import()` only when
// a recording is replayed. @xterm/headless is loaded later still, by the renderer,
// and only for terminal recordings.

import { FormatError } from '../errors';
import { parseAsciicast, type Asciicast } from './asciicast';
import { KNOWN_TYPES, sniffKind, type RecordingKind } from './kind';
import { renderRequestLog } from './request-log';
import { inlineText } from '../output/sanitize';
import type { Overwritten } from './hidden';
import { renderPlainText } from './plain-text';
import { renderGenericLog } from './generic-log';
import { renderQueryLog, type QueryLogPaint } from './query-log';
import { renderTerminal, type TerminalTextOptions } from './terminal-text';

export { decodeRecordingBody, MAX_GUNZIPPED_BYTES } from './decode';
export { parseAsciicast, toAsciicast, toAsciicastV3, parseResize, type Asciicast, type AsciicastEvent } from './asciicast';
export { renderTerminal, renderTerminalText, type TerminalText, type TerminalTextOptions } from './terminal-text';
export { parseQueryLog, renderQueryLog, type QueryLogLine, type QueryLogPaint, type UncheckedQuery } from './query-log';
export { renderGenericLog, logfmtValue } from './generic-log';
export { toRfc3339 } from './time';
export { renderPlainText } from './plain-text';
export type { Overwritten } from './hidden';
export { sniffKind, type RecordingKind } from './kind';
export { recordingDocument, type RecordingDocument } from './document';
export { renderRequestLog } from './request-log';

export interface RenderOptions extends TerminalTextOptions {
  /** How failed and denied queries and requests stand out (colour on a terminal). */
  paint?: QueryLogPaint;
}

export interface RenderedRecording {
  /** Holds no control characters but newlines, and no trailing newline. */
  text: string;
  /** What a terminal recording showed and then took off the screen, not in `text`. */
  hidden: Overwritten;
  /** Things the person reading should know about how it was rendered (one line each). */
  warnings: string[];
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
      return { ...rendered, warnings: [...unknown, ...rendered.warnings] };
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

async function terminal(cast: Asciicast, opts: TerminalTextOptions): Promise<RenderedRecording> {
  const { text, hidden } = await renderTerminal(cast, opts);
  const warnings = cast.headerless
    ? [`it has no asciicast header (it starts with an event), so it was played on an ${cast.header.width}x${cast.header.height} terminal`]
    : [];
  const lost = replacementChars(cast);
  if (lost > 0) {
    warnings.push(
      `${lost.toLocaleString('en-US')} character${lost === 1 ? ' shows' : 's show'} as \ufffd (U+FFFD): bytes the recorder could not decode, such as a character split between two reads; what they were is not in the recording`,
    );
  }
  return { text, hidden, warnings };
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
