// The request logs (HTTP, Kubernetes API, S3, Snowflake) as lines a person reads:
// `2026-11-20T10:00:01.123Z  GET /api/ds/query  200  12.3 kB  34 ms`. Their fields are
// not documented, so each kind looks for the fields such logs are known to carry under
// their usual names (flat, or nested as in a Kubernetes audit event), and whatever it
// did not use follows as `key=value`: nothing the server sent is hidden. An entry with
// none of the fields its kind expects is shown as the generic log shows it.
//
// A line that is not a JSON object is kept as sanitised text, as in the query log.

import { inlineText } from '../text';
import { logfmtEntry, logfmtValue, TIME_FIELDS } from './generic-log';
import type { LogKind } from './kind';
import { toRfc3339 } from './time';

/** How failed requests stand out: colour on a terminal, nothing elsewhere. */
export interface RequestLogPaint {
  failed(text: string): string;
}

const PLAIN: RequestLogPaint = { failed: (text) => text };

type Entry = Record<string, unknown>;

/** Reads fields by path (`objectRef.resource`), remembering which were used. */
class Fields {
  private readonly used = new Set<string>();
  constructor(readonly entry: Entry) {}

  /** The first of `paths` that holds a value (not null, not ''). */
  take(...paths: string[]): unknown {
    for (const path of paths) {
      const value = this.at(path);
      if (value === undefined || value === null || value === '') continue;
      this.used.add(path);
      return value;
    }
    return undefined;
  }

  /** The first of `paths` that holds a string, number or boolean, as one line of text. */
  text(...paths: string[]): string | undefined {
    for (const path of paths) {
      const v = this.at(path);
      if (v === undefined || v === null || v === '' || typeof v === 'object') continue;
      this.used.add(path);
      return oneLine(v);
    }
    return undefined;
  }

  number(...paths: string[]): number | undefined {
    for (const path of paths) {
      const v = this.at(path);
      const n = typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v;
      if (typeof n === 'number' && Number.isFinite(n)) {
        this.used.add(path);
        return n;
      }
    }
    return undefined;
  }

  get usedAny(): boolean {
    return this.used.size > 0;
  }

  private at(path: string): unknown {
    let value: unknown = this.entry;
    for (const key of path.split('.')) {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
      value = (value as Entry)[key];
    }
    return value;
  }

  /** What was not used, as `key=value`; a nested object partly used gives its other fields. */
  rest(): string {
    const parts: string[] = [];
    const visit = (value: unknown, path: string) => {
      if (this.used.has(path)) return;
      const nestedUsed = [...this.used].some((u) => u.startsWith(`${path}.`));
      if (nestedUsed && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value)) visit(v, `${path}.${k}`);
        return;
      }
      parts.push(`${key(path)}=${logfmtValue(value)}`);
    };
    for (const [k, v] of Object.entries(this.entry)) visit(v, k);
    return parts.join(' ');
  }
}

function key(path: string): string {
  const safe = inlineText(path).replace(/[\s"=]/g, '_');
  return safe === '' ? '_' : safe;
}

function oneLine(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return inlineText(text.replace(/[\s\u0085\u2028\u2029]+/g, ' ').trim());
}

function size(bytes: number | undefined): string | undefined {
  if (bytes === undefined || bytes < 0) return undefined;
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

function duration(ms: number | undefined): string | undefined {
  if (ms === undefined || ms < 0) return undefined;
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`;
  return `${Math.round(ms)} ms`;
}

function count(n: number | undefined, one: string, many: string): string | undefined {
  return n === undefined ? undefined : `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** One request: short columns that line up, then the long part, why it failed, and the rest. */
interface Line {
  time: string;
  cells: string[];
  /** Columns after `cells` that read best right-aligned. */
  right: ReadonlySet<number>;
  subject: string;
  /** The cell that says how it went, painted when it failed. */
  statusAt: number;
  failed: boolean;
  /** Why it failed, when the log says. */
  reason?: string;
}

const or = (v: string | undefined) => v ?? '-';

function timeOf(f: Fields): string {
  const value = f.take(...TIME_FIELDS, 'requestReceivedTimestamp', 'stageTimestamp', 'start_time');
  if (value === undefined) return '-';
  return toRfc3339(value) ?? oneLine(value);
}

function statusFailed(status: number | undefined): boolean {
  return status !== undefined && status >= 400;
}

function http(f: Fields): Line | undefined {
  const method = f.text('method', 'request_method', 'verb');
  const path = f.text('path', 'uri', 'request_uri', 'url', 'request');
  if (method === undefined && path === undefined) return undefined;
  const query = f.text('query', 'query_string');
  const status = f.number('status', 'status_code', 'response_status', 'code');
  const user = f.text('user', 'user_email', 'username', 'remote_user');
  return {
    time: timeOf(f),
    cells: [or(user), or(method), status === undefined ? '-' : String(status), or(size(f.number('bytes', 'bytes_sent', 'response_size', 'size'))), or(duration(f.number('duration_ms', 'duration', 'latency_ms')))],
    right: new Set([3, 4]),
    subject: `${or(path)}${query ? `?${query}` : ''}`,
    statusAt: 2,
    failed: statusFailed(status),
    reason: f.text('error', 'error_message'),
  };
}

function kubernetes(f: Fields): Line | undefined {
  const verb = f.text('verb', 'objectRef.verb');
  const resource = f.text('resource', 'objectRef.resource');
  const uri = f.text('request_uri', 'requestURI', 'path', 'uri');
  if (verb === undefined && resource === undefined && uri === undefined) return undefined;
  const subresource = f.text('subresource', 'objectRef.subresource');
  const namespace = f.text('namespace', 'objectRef.namespace');
  const name = f.text('name', 'objectRef.name');
  const status = f.number('status', 'status_code', 'responseStatus.code', 'code');
  const user = f.text('user', 'user_email', 'username', 'user.username');
  const method = f.text('method');
  // `get pods/log prod/web-1`, what kubectl would be asked; the URI when there is no resource.
  const what = resource
    ? `${resource}${subresource ? `/${subresource}` : ''}${name || namespace ? ` ${namespace ? `${namespace}/` : ''}${name ?? ''}` : ''}`
    : or(uri);
  return {
    time: timeOf(f),
    cells: [or(user), or(verb ?? method?.toLowerCase()), status === undefined ? '-' : String(status)],
    right: new Set(),
    subject: what,
    statusAt: 2,
    failed: statusFailed(status),
    reason: f.text('reason', 'responseStatus.reason', 'responseStatus.message', 'error', 'error_message'),
  };
}

function s3(f: Fields): Line | undefined {
  const operation = f.text('operation', 'action', 'api', 'event_name', 'eventName');
  const bucket = f.text('bucket', 'bucket_name', 'requestParameters.bucketName');
  if (operation === undefined && bucket === undefined) return undefined;
  const objectKey = f.text('key', 'object_key', 'object', 'requestParameters.key');
  const status = f.number('status', 'http_status', 'status_code');
  const error = f.text('error_code', 'errorCode', 'error');
  return {
    time: timeOf(f),
    cells: [or(f.text('user', 'user_email', 'principal', 'requester')), or(operation), status === undefined ? '-' : String(status), or(size(f.number('bytes', 'bytes_sent', 'object_size', 'size'))), or(duration(f.number('duration_ms', 'total_time', 'duration')))],
    right: new Set([3, 4]),
    subject: bucket ? `s3://${bucket}${objectKey ? `/${objectKey}` : ''}` : or(objectKey),
    statusAt: 2,
    failed: statusFailed(status) || error !== undefined,
    reason: [error, f.text('error_message', 'errorMessage')].filter(Boolean).join(': ') || undefined,
  };
}

const SNOWFLAKE_OK = new Set(['success', 'succeeded', 'ok', 'running', 'queued']);

function snowflake(f: Fields): Line | undefined {
  const query = f.text('query_text', 'query', 'command', 'sql');
  if (query === undefined) return undefined;
  const database = f.text('database', 'database_name');
  const schema = f.text('schema', 'schema_name');
  const status = f.text('execution_status', 'status');
  const rows = f.number('rows_produced', 'rows', 'rows_affected');
  const failed = status !== undefined && !SNOWFLAKE_OK.has(status.toLowerCase());
  return {
    time: timeOf(f),
    cells: [
      or(f.text('user', 'user_name', 'user_email')),
      or(f.text('warehouse', 'warehouse_name')),
      database ? `${database}${schema ? `.${schema}` : ''}` : or(schema),
      or(status?.toLowerCase()),
      or(count(rows, 'row', 'rows')),
      or(duration(f.number('total_elapsed_time', 'duration_ms', 'duration', 'elapsed_ms'))),
    ],
    right: new Set([4, 5]),
    subject: query,
    statusAt: 3,
    failed,
    reason: f.text('error_message', 'error'),
  };
}

const READERS: Record<LogKind, (f: Fields) => Line | undefined> = { http, kubernetes, s3, snowflake };

// Long hostile values (a user name of 10,000 characters) must not push every other
// line's subject off the screen.
const MAX_PAD = 32;

/** A request log of a known kind, one line per entry. Never throws. */
export function renderRequestLog(kind: LogKind, text: string, paint: RequestLogPaint = PLAIN): string {
  const rows: Array<string | { line: Line; rest: string }> = [];
  for (const raw of text.split('\n')) {
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      rows.push(inlineText(trimmed));
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      rows.push(inlineText(typeof value === 'string' ? value : trimmed));
      continue;
    }
    const fields = new Fields(value as Entry);
    const line = READERS[kind](fields);
    rows.push(line ? { line, rest: fields.rest() } : logfmtEntry(value as Entry));
  }
  // Each column as wide as its widest cell (up to MAX_PAD), per number of columns.
  const widths: number[] = [];
  let timeWidth = 0;
  for (const r of rows) {
    if (typeof r === 'string') continue;
    timeWidth = Math.max(timeWidth, r.line.time.length);
    r.line.cells.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, Math.min(c.length, MAX_PAD))));
  }
  return rows
    .map((r) => {
      if (typeof r === 'string') return r;
      const { line, rest } = r;
      const cells = line.cells.map((c, i) => {
        const padded = line.right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!);
        // Painted after padding, so colour codes never count as width.
        return i === line.statusAt && line.failed ? paint.failed(padded) : padded;
      });
      let out = `${line.time.padEnd(timeWidth)}  ${cells.join('  ')}  ${line.subject}`;
      if (line.reason) out += `  → ${line.failed ? paint.failed(line.reason) : line.reason}`;
      if (rest) out += `  ${rest}`;
      return out;
    })
    .join('\n');
}
