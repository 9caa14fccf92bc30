// The recording code as `b0s replay` uses it, loaded with `await import()` only when
// a recording is replayed. @xterm/headless is loaded later still, by the renderer,
// and only for terminal recordings.

import { FormatError } from '../errors';
import { parseAsciicast } from './asciicast';
import { renderPlainText } from './plain-text';
import { renderGenericLog } from './generic-log';
import { renderQueryLog } from './query-log';
import { renderTerminalText, type TerminalTextOptions } from './terminal-text';

export { decodeRecordingBody } from './decode';
export { parseAsciicast, toAsciicast, parseResize, type Asciicast, type AsciicastEvent } from './asciicast';
export { renderTerminalText, type TerminalTextOptions } from './terminal-text';
export { parseQueryLog, renderQueryLog, type QueryLogLine, type UncheckedQuery } from './query-log';
export { renderGenericLog, logfmtValue } from './generic-log';
export { toRfc3339 } from './time';
export { renderPlainText } from './plain-text';
export { findOverwritten, type Overwritten } from './overwritten';

const JSON_LINES_TYPES = new Set(['kubernetes_api_request_log', 'aws_s3_api_request_log', 'http_access_log', 'snowflake_query_log']);

/**
 * A recording as text for a person at a terminal, by its recording_type: the screen of
 * a terminal session, one line per database query, one key=value line per request.
 * The result holds no control characters but newlines and has no trailing newline.
 * Throws FormatError when the recording is not what its type says, or has no text form.
 */
export async function renderRecordingText(
  type: string | null | undefined,
  text: string,
  opts: TerminalTextOptions = {},
): Promise<string> {
  if (text.trim() === '') return '';
  switch (type) {
    case 'asciinema':
      // With format=text the API may already send the plain dump instead of a cast.
      return firstLine(text).startsWith('{') ? renderTerminalText(parseAsciicast(text), opts) : renderPlainText(text);
    case 'database_query_log':
      return renderQueryLog(text);
    case 'browser_session_stream':
      throw new FormatError('a browser_session_stream recording has no text form; use --format raw -O FILE');
    default:
      if (type && JSON_LINES_TYPES.has(type)) return renderGenericLog(text);
      return renderSniffed(text, opts);
  }
}

function firstLine(text: string): string {
  const m = /^[ \t\r\n\ufeff]*([^\n]*)/.exec(text);
  return (m?.[1] ?? '').trim();
}

/** An unknown or missing type: tell the kind from the content. */
async function renderSniffed(text: string, opts: TerminalTextOptions): Promise<string> {
  if (looksLikeAsciicastV1(text)) return renderTerminalText(parseAsciicast(text), opts);
  const first = parseJson(firstLine(text));
  if (isObject(first)) {
    if (looksLikeAsciicastHeader(first)) return renderTerminalText(parseAsciicast(text), opts);
    if (typeof first.command === 'string' && ('database' in first || 'duration' in first)) return renderQueryLog(text);
    return renderGenericLog(text);
  }
  return renderPlainText(text);
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
