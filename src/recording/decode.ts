// The session_log body is declared application/json, but what it holds is unverified
// (border0-api.md, "Recordings"): a JSON string wrapping the recording's lines is the
// documented case, and a JSON array or object, plain text or gzip are all plausible.
// Every variant comes out as the same thing: the recording's own lines as text.

import { jsonOf } from '../text';
import { gunzipSync } from 'node:zlib';
import { FormatError } from '../errors';
import { isEvent } from './asciicast';

// A body compressed twice is odd but harmless; a deeper nest is a decompression bomb
// in the making, and so is any output past this size: inflating stops there, so a
// small body that would inflate to gigabytes costs 64 MiB and a moment, not the heap.
const MAX_GZIP_DEPTH = 3;
export const MAX_GUNZIPPED_BYTES = 64 * 1024 * 1024;
// JSON nested inside JSON strings: the documented case is one level.
const MAX_JSON_DEPTH = 4;

/** Fields a wrapper object might hold the recording in, most specific first. */
const WRAPPER_FIELDS = ['session_log', 'log', 'data', 'content'] as const;

/**
 * Other fields a wrapper may carry beside the recording. An object with any field not
 * listed here is taken as data in its own right (a one-line log entry that happens to
 * have a `data` field), never unwrapped.
 */
const WRAPPER_METADATA = new Set([
  'recording_id',
  'recording_type',
  'type',
  'format',
  'session_id',
  'socket_id',
  'encoding',
  'content_type',
  'start_time',
  'end_time',
  'size',
  'length',
  'status_code',
]);

/** The recording inside a session_log response body, as text lines. */
export function decodeRecordingBody(body: Uint8Array, contentType?: string): string {
  return decodeBytes(body, contentType, 0);
}

function decodeBytes(body: Uint8Array, contentType: string | undefined, gzipDepth: number): string {
  if (body.length === 0) return '';
  if (body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b) {
    if (gzipDepth >= MAX_GZIP_DEPTH) throw new FormatError('recording is gzip-compressed too many times over');
    // The content type describes the compressed bytes (if anything), not what is inside.
    return decodeBytes(gunzip(body), undefined, gzipDepth + 1);
  }
  return decodeText(toText(body, contentType), 0);
}

function gunzip(body: Uint8Array): Uint8Array {
  try {
    return gunzipSync(body, { maxOutputLength: MAX_GUNZIPPED_BYTES });
  } catch (err) {
    if (err instanceof RangeError) {
      throw new FormatError(
        `recording is larger than ${MAX_GUNZIPPED_BYTES / 1024 / 1024} MiB once decompressed, more than b0s decompresses; use --format raw -O FILE to save it as sent (compressed)`,
        { cause: err },
      );
    }
    throw new FormatError('recording cannot be decompressed: corrupt gzip data', { cause: err });
  }
}

/** The charset named in a Content-Type header, if the runtime can decode it. */
function charsetOf(contentType: string | undefined): string {
  const m = contentType ? /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType) : null;
  const label = m?.[1];
  if (!label) return 'utf-8';
  try {
    new TextDecoder(label);
    return label;
  } catch {
    // An unknown label is a server bug; JSON is UTF-8 by definition (RFC 8259).
    return 'utf-8';
  }
}

function toText(body: Uint8Array, contentType: string | undefined): string {
  const charset = charsetOf(contentType);
  try {
    // ignoreBOM: false means a leading byte-order mark is dropped, not returned.
    return new TextDecoder(charset, { fatal: true, ignoreBOM: false }).decode(body);
  } catch (err) {
    throw new FormatError(`recording is not valid ${charset.toUpperCase()} text`, { cause: err });
  }
}

function decodeText(raw: string, depth: number): string {
  const text = raw.startsWith('\ufeff') ? raw.slice(1) : raw;
  const trimmed = text.trim();
  const first = trimmed[0];
  // Only a whole body that is one JSON value is unwrapped. Recording lines that are
  // themselves JSON (asciicast, query logs) make several values, which JSON.parse
  // rejects, so they fall through untouched as plain text, as do terminal dumps that
  // merely start with a bracket, like "[root@host ~]# ls".
  if (depth >= MAX_JSON_DEPTH || (first !== '"' && first !== '[' && first !== '{')) return text;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return text;
  }
  return fromJson(value, depth);
}

function fromJson(value: unknown, depth: number): string {
  if (typeof value === 'string') {
    // A string that is itself a JSON string literal was encoded twice. Any other
    // string is the recording, even if its one line parses as JSON: a one-line
    // `[0.5,"o","x"]` must not be taken apart as an array.
    const body = value.startsWith('\ufeff') ? value.slice(1) : value;
    return body.trimStart().startsWith('"') ? decodeText(body, depth + 1) : body;
  }
  if (Array.isArray(value)) {
    // One asciicast event alone (a recording that lost its header): a line, not a list.
    if (isEvent(value)) return jsonLine(value);
    // Strings are lines already (a line may even hold several); anything else is one
    // JSON line, as in an asciicast sent as [header, ...events].
    return value.map((el) => (typeof el === 'string' ? el : jsonLine(el))).join('\n');
  }
  if (value !== null && typeof value === 'object') {
    const inner = unwrap(value as Record<string, unknown>);
    if (inner !== undefined) return fromJson(inner, depth);
    return jsonLine(value);
  }
  // null, a number or a boolean: not a recording, but nothing to hide either.
  return value === null ? '' : String(value);
}

function jsonLine(value: unknown): string {
  return jsonOf(value);
}

function unwrap(obj: Record<string, unknown>): unknown {
  const keys = Object.keys(obj);
  for (const field of WRAPPER_FIELDS) {
    const inner = obj[field];
    if (typeof inner !== 'string' && !Array.isArray(inner)) continue;
    if (keys.every((k) => k === field || WRAPPER_METADATA.has(k))) return inner;
  }
  return undefined;
}
