// The request logs (kubernetes_api_request_log, aws_s3_api_request_log,
// http_access_log, snowflake_query_log) are JSON lines whose fields are not documented.
// Rather than guess at columns, each entry becomes one logfmt-style line: its time
// first, then every field as key=value in the order the server sent them, so nothing
// is hidden and grep/awk work on the result.
//
// As in the query log, a line that is not a JSON object is kept as sanitised text
// instead of failing the dump.

import { jsonOf } from '../text';
import { hasUnsafeChars, inlineText } from '../text';
import { toRfc3339 } from './time';

// Checked in this order; the first present becomes the line's leading time.
export const TIME_FIELDS = ['time', 'timestamp', 'ts', '@timestamp'] as const;

/**
 * A value for `key=value`, quoted when a space, quote or escaped control character would
 * make it ambiguous, so that an escape like `\x1b` only ever appears inside quotes.
 */
export function logfmtValue(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    // Nested objects (a Kubernetes user, request headers) stay compact JSON: its braces
    // delimit it, and escaping every quote inside would make it unreadable.
    const json = jsonOf(value);
    if (!/\s/.test(json) && !hasUnsafeChars(json)) return json;
  }
  const text = typeof value === 'string' ? value : value === undefined ? '' : jsonOf(value);
  if (text !== '' && !/[\s"=\\]/.test(text) && !hasUnsafeChars(text)) return text;
  // JSON string syntax: the quote and backslash escaped, controls escaped as by inlineText.
  return `"${inlineText(text.replace(/["\\]/g, (c) => `\\${c}`))}"`;
}

function logfmtKey(key: string): string {
  // A key is never quoted in logfmt; anything that would split it becomes `_`.
  const safe = inlineText(key).replace(/[\s"=]/g, '_');
  return safe === '' ? '_' : safe;
}

/** One entry as `time key=value ...`, every field in the order the server sent them. */
export function logfmtEntry(entry: Record<string, unknown>): string {
  const parts: string[] = [];
  const timeKey = TIME_FIELDS.find((k) => entry[k] !== undefined && entry[k] !== null);
  if (timeKey !== undefined) {
    const iso = toRfc3339(entry[timeKey]);
    parts.push(iso ?? `${logfmtKey(timeKey)}=${logfmtValue(entry[timeKey])}`);
  }
  for (const [key, value] of Object.entries(entry)) {
    if (key === timeKey) continue;
    parts.push(`${logfmtKey(key)}=${logfmtValue(value)}`);
  }
  return parts.join(' ');
}

/** One line per entry of a JSON-lines log. Never throws. */
export function renderGenericLog(text: string): string {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      out.push(inlineText(line));
      continue;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      out.push(logfmtEntry(value as Record<string, unknown>));
    } else {
      out.push(inlineText(typeof value === 'string' ? value : line));
    }
  }
  return out.join('\n');
}
