// Parsers for flag values: each returns the typed value or throws a UsageError saying
// what was wrong and what is accepted, before any request is made.
import { UsageError } from './errors';

export function wholeNumber(flag: string, min: number, max: number): (value: string) => number {
  // Built only for an error: the first toLocaleString loads ICU's number formatting (~20 ms),
  // and every command's flags are declared at each start.
  const range = () => `from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
  return (value) => {
    const text = value.trim();
    if (!/^\d+$/.test(text)) throw new UsageError(`${flag} must be a whole number ${range()}, got "${value}"`);
    const n = Number(text);
    if (n < min || n > max) throw new UsageError(`${flag} must be ${range()}, got ${text}`);
    return n;
  };
}

/** A value that may be anything but empty (`--token-file ""` is a slip, not a file). */
export function nonEmpty(flag: string, what: string): (value: string) => string {
  return (value) => {
    if (value === '') throw new UsageError(`${flag} needs ${what}, got an empty value`);
    return value;
  };
}

export function positiveInt(flag: string, max: number): (value: string) => number {
  return wholeNumber(flag, 1, max);
}

/** A parser that accepts a fixed set of values, which shell completion offers. */
export type ValuesParser<R> = ((value: string, previous?: R) => R) & { values: readonly string[] };

/** One of `allowed` (written in lower case; compared without case). */
export function choice<T extends string>(flag: string, allowed: readonly T[]): ValuesParser<T> {
  const parse = (value: string): T => {
    const known = allowed.find((a) => a === value.toLowerCase());
    if (known !== undefined) return known;
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
  };
  return Object.assign(parse, { values: allowed });
}

/**
 * Repeatable and comma-separated: `--socket a --socket b,c` gives [a, b, c]. With
 * `allowed`, each value must be one of them (compared without case).
 */
export function listOf<T extends string = string>(flag: string, allowed?: readonly T[]): ValuesParser<T[]> {
  const parse = (value: string, previous?: T[]): T[] => {
    const items = value.split(',').map((v) => v.trim());
    if (items.some((v) => v === '')) throw new UsageError(`${flag} needs a non-empty value (repeat the flag or separate values with commas), got "${value}"`);
    if (allowed) {
      for (const [i, item] of items.entries()) {
        const known = allowed.find((a) => a === item.toLowerCase());
        if (known === undefined) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got "${item}"`);
        items[i] = known;
      }
    }
    return [...(previous ?? []), ...(items as T[])];
  };
  return Object.assign(parse, { values: allowed ?? [] });
}

const SPAN_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const SPAN = /^(\d+)([smhdw])$/;
// RFC 3339, leniently: seconds may be left out, and a space or `t` may stand for the `T`.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(?:([Zz])|([+-])(\d{2}):(\d{2})))?$/;
const DAY_MS = 86_400_000;
/** Times b0s accepts: from the Unix epoch to the end of year 9999 (what RFC 3339 can write). */
const EARLIEST = 0;
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * RFC 3339, a date alone (UTC), or a span back from now such as 90m, 24h, 7d. A date
 * alone means the start of that day, or with `dateMeans: 'end'` (for --until) its last
 * millisecond, so `--since 2026-11-29 --until 2026-11-29` is that whole day.
 * Impossible dates and times (February 31, 25:00) and times before 1970 or after
 * year 9999 are refused rather than rolled over.
 */
export function timeArg(flag: string, now: () => number, dateMeans: 'start' | 'end' = 'start'): (value: string) => number {
  return (value) => {
    const text = value.trim();
    const t = parseSpan(flag, text, now) ?? parseDateTime(flag, text, dateMeans);
    if (t === undefined) {
      throw new UsageError(
        `${flag} must be an RFC 3339 time (2026-11-20T10:00:00Z), a date (2026-11-20) or a span back from now (90m, 24h, 7d), got "${value}"`,
      );
    }
    if (t < EARLIEST || t > LATEST) throw new UsageError(`${flag} must be between 1970-01-01 and 9999-12-31 (UTC), got "${value}"`);
    return t;
  };
}

function parseSpan(flag: string, text: string, now: () => number): number | undefined {
  const span = SPAN.exec(text);
  if (!span) return undefined;
  const ms = Number(span[1]) * (SPAN_UNITS[span[2] as string] as number);
  const t = now() - ms;
  if (!Number.isSafeInteger(ms) || t < EARLIEST) throw new UsageError(`${flag} ${text} reaches back before 1970-01-01`);
  return t;
}

function parseDateTime(flag: string, text: string, dateMeans: 'start' | 'end'): number | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  // Date.UTC reads years 0-99 as 1900-1999: those are out of range anyway.
  if (year < 1970) throw new UsageError(`${flag} must be between 1970-01-01 and 9999-12-31 (UTC), got "${text}"`);
  const monthDays = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
  if (day < 1 || day > monthDays) {
    throw new UsageError(`${flag}: ${m[1]}-${m[2]}-${m[3]} is not a date${monthDays ? ` (that month has ${monthDays} days)` : ' (months are 01 to 12)'}`);
  }
  const midnight = Date.UTC(year, month - 1, day);
  if (m[4] === undefined) return dateMeans === 'end' ? midnight + DAY_MS - 1 : midnight;

  const [hour, minute, second] = [m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number];
  if (hour > 23 || minute > 59 || second > 59) {
    throw new UsageError(`${flag}: ${m[4]}:${m[5]}${m[6] === undefined ? '' : `:${m[6]}`} is not a time of day (00:00:00 to 23:59:59)`);
  }
  const ms = m[7] ? Number(m[7].slice(1, 4).padEnd(3, '0')) : 0;
  let offsetMinutes = 0;
  if (m[9]) {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    if (oh > 23 || om > 59) throw new UsageError(`${flag}: ${m[9]}${m[10]}:${m[11]} is not a UTC offset (-23:59 to +23:59)`);
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return midnight + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + ms;
}
