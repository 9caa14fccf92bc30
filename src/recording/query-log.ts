// Database sessions are recorded as one JSON object per query (border0-api.md,
// "Recordings"): {time (unix ms), database, command, status, duration (ms), rows,
// affected_rows, result}. Any field may be missing or of another type, and every
// string in it was typed by the session's user.
//
// A line that is not a JSON object is kept, as its own sanitised text, rather than
// failing the whole dump: the log is written by Border0's proxy, so such a line is
// damage (a session killed mid-write, a truncated upload), and an auditor is better
// served by every other query plus the damaged line than by an error and nothing.

import type { QueryLogEntry } from '../api/types';
import { inlineText } from '../output/sanitize';
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
// they returned. Leading comments and parentheses are skipped to find the verb.
const WRITE_VERB = /^(?:\s|\(|--[^\n]*\n|\/\*[\s\S]*?\*\/)*(insert|update|delete|merge|replace|upsert|copy|truncate)\b/i;

function isWrite(command: unknown): boolean {
  return typeof command === 'string' && WRITE_VERB.test(command);
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
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return inlineText(text.replace(/[\s\u0085\u2028\u2029]+/g, ' ').trim()) || '-';
}

/** A command on one line: newlines and tabs become spaces, controls become visible escapes. */
function oneLine(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return inlineText(text.replace(/[\s\u0085\u2028\u2029]+/g, ' ').trim());
}

// Long hostile values (a database name of 10,000 characters) must not push every other
// line's command off the screen.
const MAX_PAD = 24;

/**
 * The query log as one line per query:
 * `2026-11-20T10:00:01.123Z  prod-db  ok  3 rows  12 ms  SELECT * FROM users`.
 */
export function renderQueryLog(text: string): string {
  const parsed = parseQueryLog(text);
  const rows = parsed.map((p) => {
    if (p.kind === 'raw') return inlineText(p.text);
    const e = p.entry;
    const time = toRfc3339(e.time) ?? (e.time === undefined || e.time === null ? '-' : word(e.time));
    return [time, word(e.database), word(e.status), rowsColumn(e), durationColumn(e.duration), oneLine(e.command)];
  });
  // Pad the short columns to line up: the command, last, can then be read down the page.
  const widths = [0, 0, 0, 0, 0];
  for (const r of rows) {
    if (typeof r === 'string') continue;
    for (let c = 0; c < widths.length; c++) widths[c] = Math.max(widths[c]!, Math.min((r[c] ?? '').length, MAX_PAD));
  }
  return rows
    .map((r) => {
      if (typeof r === 'string') return r;
      const cells = r.map((cell, c) => {
        if (c >= widths.length) return cell;
        // Counts and durations read best right-aligned.
        return c === 3 || c === 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!);
      });
      return cells.join('  ').trimEnd();
    })
    .join('\n');
}
