// Database sessions are recorded as one JSON object per query (border0-api.md,
// "Recordings"): {time (unix ms), database, command, status, duration (ms), rows,
// affected_rows, result}. Any field may be missing or of another type, and every
// string in it was typed by the session's user.
//
// A line that is not a JSON object is kept, as its own sanitised text, rather than
// failing the whole dump: the log is written by Border0's proxy, so such a line is
// damage (a session killed mid-write, a truncated upload), and an auditor is better
// served by every other query plus the damaged line than by an error and nothing.

import { jsonOf } from '../text';
import type { QueryLogEntry } from '../api/types';
import { inlineText } from '../text';
import { toRfc3339 } from './time';

/** A query as sent: the fields of QueryLogEntry, but none of them checked yet. */
export type UncheckedQuery = { [K in keyof QueryLogEntry]?: unknown } & Record<string, unknown>;

export type QueryLogLine =
  | { kind: 'query'; line: number; entry: UncheckedQuery }
  | { kind: 'raw'; line: number; text: string };

/** One entry per non-blank line; never throws. */
export function parseQueryLog(text: string): QueryLogLine[] {
  const out: QueryLogLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      out.push({ kind: 'raw', line: i + 1, text: line });
      continue;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      out.push({ kind: 'query', line: i + 1, entry: value as UncheckedQuery });
    } else {
      out.push({ kind: 'raw', line: i + 1, text: line });
    }
  }
  return out;
}

/** A count as sent: a number, or a string of digits from a loosely typed writer. */
function count(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

// Statements that change rows report what they changed (affected_rows), not what
// they returned.
const WRITE_VERBS = new Set(['insert', 'update', 'delete', 'merge', 'replace', 'upsert', 'copy', 'truncate']);

/**
 * Whether a command's first word is a write verb, leading spaces, parentheses and
 * comments skipped. A scan, not a regular expression: a pattern for comments such as
 * `/\*[\s\S]*?\*\/` backtracks exponentially on `/**\/` repeated, and queries are typed
 * by the session's user.
 */
function isWrite(command: unknown): boolean {
  if (typeof command !== 'string') return false;
  let i = 0;
  for (;;) {
    if (i >= command.length) return false;
    if (command[i] === '(' || isSpace(command.charCodeAt(i))) {
      i++;
    } else if (command.startsWith('--', i)) {
      const end = command.indexOf('\n', i);
      if (end < 0) return false;
      i = end + 1;
    } else if (command.startsWith('/*', i)) {
      const end = command.indexOf('*/', i + 2);
      if (end < 0) return false;
      i = end + 2;
    } else {
      break;
    }
  }
  let j = i;
  while (j < command.length && isWordChar(command.charCodeAt(j))) j++;
  return WRITE_VERBS.has(command.slice(i, j).toLowerCase());
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0xfeff || (c >= 0x2000 && c <= 0x200a);
}

function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function rowsColumn(entry: UncheckedQuery): string {
  const rows = count(entry.rows);
  const affected = count(entry.affected_rows);
  if (isWrite(entry.command) && affected !== undefined) return plural(affected, 'row affected', 'rows affected');
  if (rows !== undefined) return plural(rows, 'row', 'rows');
  if (affected !== undefined) return plural(affected, 'row affected', 'rows affected');
  return '-';
}

function durationColumn(value: unknown): string {
  const ms = count(value);
  if (ms === undefined) return '-';
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`;
  if (ms < 10 && !Number.isInteger(ms)) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

function word(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  const text = typeof value === 'string' ? value : jsonOf(value);
  return inlineText(text.replace(/[\s\u0085\u2028\u2029]+/g, ' ').trim()) || '-';
}

/** A command on one line: newlines and tabs become spaces, controls become visible escapes. */
function oneLine(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : jsonOf(value);
  return inlineText(text.replace(/[\s\u0085\u2028\u2029]+/g, ' ').trim());
}

// Long hostile values (a database name of 10,000 characters) must not push every other
// line's command off the screen.
const MAX_PAD = 24;

const SUCCESS = new Set(['ok', 'success', 'succeeded', 'successful', 'complete', 'completed', 'done', 'allowed']);

/** A status that says the query did not run as asked: error, failed, denied... */
function failed(status: unknown): boolean {
  return typeof status === 'string' && status.trim() !== '' && !SUCCESS.has(status.trim().toLowerCase());
}

/** The result only when it says more than the rows column: why a query failed or was denied. */
function resultText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object' && Object.keys(value).length === 0) return '';
  const text = oneLine(value);
  return isRowCount(text) ? '' : text;
}

/** `12 rows`, `1 row`, `3 rows affected`: what the rows column already shows. */
function isRowCount(text: string): boolean {
  const words = text.toLowerCase().split(' ');
  return (
    (words.length === 2 || (words.length === 3 && words[2] === 'affected')) &&
    /^\d[\d,]*$/.test(words[0]!) &&
    (words[1] === 'row' || words[1] === 'rows')
  );
}

/** How failed and denied queries stand out: colour on a terminal, nothing elsewhere. */
export interface QueryLogPaint {
  failed(text: string): string;
}

const PLAIN: QueryLogPaint = { failed: (text) => text };

/**
 * The query log as one line per query:
 * `2026-11-20T10:00:01.123Z  prod-db  ok  3 rows  12 ms  SELECT * FROM users`, and
 * for a query that failed or was denied, why, after an arrow:
 * `…  error  -  2 ms  DROP TABLE users  → command denied by policy`.
 */
export function renderQueryLog(text: string, paint: QueryLogPaint = PLAIN): string {
  const parsed = parseQueryLog(text);
  const rows = parsed.map((p) => {
    if (p.kind === 'raw') return inlineText(p.text);
    const e = p.entry;
    const time = toRfc3339(e.time) ?? (e.time === undefined || e.time === null ? '-' : word(e.time));
    return {
      cells: [time, word(e.database), word(e.status), rowsColumn(e), durationColumn(e.duration), oneLine(e.command)],
      result: resultText(e.result),
      failed: failed(e.status),
    };
  });
  // Pad the short columns to line up: the command, last, can then be read down the page.
  const widths = [0, 0, 0, 0, 0];
  for (const r of rows) {
    if (typeof r === 'string') continue;
    for (let c = 0; c < widths.length; c++) widths[c] = Math.max(widths[c]!, Math.min((r.cells[c] ?? '').length, MAX_PAD));
  }
  return rows
    .map((r) => {
      if (typeof r === 'string') return r;
      const cells = r.cells.map((cell, c) => {
        if (c >= widths.length) return cell;
        // Counts and durations read best right-aligned.
        const padded = c === 3 || c === 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!);
        // Painted after padding, so colour codes never count as width.
        return c === 2 && r.failed ? paint.failed(padded) : padded;
      });
      const line = cells.join('  ').trimEnd();
      if (r.result === '') return line;
      return `${line}  → ${r.failed ? paint.failed(r.result) : r.result}`;
    })
    .join('\n');
}
