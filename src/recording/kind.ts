// What a recording holds, from its recording_type and, when the type is missing or
// unknown, from its content: the one decision that rendering, `--format json`, playback
// and search share.

import { isEvent } from './asciicast';

export type LogKind = 'http' | 'kubernetes' | 's3' | 'snowflake';

export type RecordingKind =
  /** asciicast (v1, v2, v3, or events without a header). */
  | 'terminal'
  /** database_query_log: one JSON object per query. */
  | 'queries'
  /** A request log of a known type: one JSON object per request. */
  | LogKind
  /** JSON lines of an unknown type: shown field by field. */
  | 'records'
  /** Text that is no recording format: a dump the API made already, or something unknown. */
  | 'text'
  /** A browser_session_stream: video, no text form. */
  | 'video';

const LOG_TYPES: Record<string, LogKind> = {
  http_access_log: 'http',
  kubernetes_api_request_log: 'kubernetes',
  aws_s3_api_request_log: 's3',
  snowflake_query_log: 'snowflake',
};

/** The recording types b0s knows; any other is sniffed from the content, with a warning. */
export const KNOWN_TYPES: ReadonlySet<string> = new Set(['asciinema', 'database_query_log', 'browser_session_stream', ...Object.keys(LOG_TYPES)]);

export function sniffKind(type: string | null | undefined, text: string): RecordingKind {
  switch (type) {
    case 'asciinema': {
      // With format=text the API may send the plain dump instead of a cast.
      const first = firstLine(text);
      return first.startsWith('{') || isEvent(parseJson(first)) ? 'terminal' : 'text';
    }
    case 'database_query_log':
      return 'queries';
    case 'browser_session_stream':
      return 'video';
    default: {
      const log = type ? LOG_TYPES[type] : undefined;
      return log ?? sniffContent(text);
    }
  }
}

function sniffContent(text: string): RecordingKind {
  if (looksLikeAsciicastV1(text)) return 'terminal';
  const first = parseJson(firstLine(text));
  if (isObject(first)) {
    if (looksLikeAsciicastHeader(first)) return 'terminal';
    if (typeof first.command === 'string' && ('database' in first || 'duration' in first)) return 'queries';
    return 'records';
  }
  if (isEvent(first)) return 'terminal';
  return 'text';
}

export function firstLine(text: string): string {
  let start = 0;
  while (start < text.length && ' \t\r\n\ufeff'.includes(text[start]!)) start++;
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).trim();
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
