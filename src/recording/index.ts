// The recording code as `b0s replay` uses it, loaded with `await import()` only when
// a recording is replayed. @xterm/headless is loaded later still, by the renderer,
// and only for terminal recordings.

import { FormatError } from '../errors';
import { isEvent, parseAsciicast, type Asciicast } from './asciicast';
import type { Overwritten } from './hidden';
import { renderPlainText } from './plain-text';
import { renderGenericLog } from './generic-log';
import { renderQueryLog, type QueryLogPaint } from './query-log';
import { renderTerminal, type TerminalTextOptions } from './terminal-text';

export { decodeRecordingBody, MAX_GUNZIPPED_BYTES } from './decode';
export { parseAsciicast, toAsciicast, parseResize, type Asciicast, type AsciicastEvent } from './asciicast';
export { renderTerminal, renderTerminalText, type TerminalText, type TerminalTextOptions } from './terminal-text';
export { parseQueryLog, renderQueryLog, type QueryLogLine, type QueryLogPaint, type UncheckedQuery } from './query-log';
export { renderGenericLog, logfmtValue } from './generic-log';
export { toRfc3339 } from './time';
export { renderPlainText } from './plain-text';
export type { Overwritten } from './hidden';

const JSON_LINES_TYPES = new Set(['kubernetes_api_request_log', 'aws_s3_api_request_log', 'http_access_log', 'snowflake_query_log']);

export interface RenderOptions extends TerminalTextOptions {
  /** How failed and denied database queries stand out (colour on a terminal). */
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
 * a terminal session, one line per database query, one key=value line per request.
 * Throws FormatError when the recording is not what its type says, or has no text form.
 */
export async function renderRecording(type: string | null | undefined, text: string, opts: RenderOptions = {}): Promise<RenderedRecording> {
  const plain = (out: string): RenderedRecording => ({ text: out, hidden: NOTHING_HIDDEN, warnings: [] });
  if (text.trim() === '') return plain('');
  switch (type) {
    case 'asciinema': {
      // With format=text the API may already send the plain dump instead of a cast.
      const first = firstLine(text);
      return first.startsWith('{') || isEvent(parseJson(first)) ? terminal(parseAsciicast(text), opts) : plain(renderPlainText(text));
    }
    case 'database_query_log':
      return plain(renderQueryLog(text, opts.paint));
    case 'browser_session_stream':
      throw new FormatError('a browser_session_stream recording has no text form; use --format raw -O FILE');
    default:
      if (type && JSON_LINES_TYPES.has(type)) return plain(renderGenericLog(text));
      return renderSniffed(text, opts);
  }
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
  return { text, hidden, warnings };
}

function firstLine(text: string): string {
  let start = 0;
  while (start < text.length && ' \t\r\n\ufeff'.includes(text[start]!)) start++;
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).trim();
}

/** An unknown or missing type: tell the kind from the content. */
async function renderSniffed(text: string, opts: RenderOptions): Promise<RenderedRecording> {
  const plain = (out: string): RenderedRecording => ({ text: out, hidden: NOTHING_HIDDEN, warnings: [] });
  if (looksLikeAsciicastV1(text)) return terminal(parseAsciicast(text), opts);
  const first = parseJson(firstLine(text));
  if (isObject(first)) {
    if (looksLikeAsciicastHeader(first)) return terminal(parseAsciicast(text), opts);
    if (typeof first.command === 'string' && ('database' in first || 'duration' in first)) return plain(renderQueryLog(text, opts.paint));
    return plain(renderGenericLog(text));
  }
  if (isEvent(first)) return terminal(parseAsciicast(text), opts);
  return plain(renderPlainText(text));
}

function looksLikeAsciicastHeader(value: Record<string, unknown>): boolean {
  return (value.version === 2 && ('width' in value || 'height' in value)) || (value.version === 3 && 'term' in value);
}

/** v1 is one JSON document, usually pretty-printed, so its first line is just `{`. */
function looksLikeAsciicastV1(text: string): boolean {
  // Parsing JSON lines as one document fails at the end of the first line: cheap.
  const value = parseJson(text);
  return isObject(value) && value.version === 1 && Array.isArray(value.stdout);
}

function parseJson(text: string): unknown {
  const t = text.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
