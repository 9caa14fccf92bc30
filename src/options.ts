// Parsers for flag values: each returns the typed value or throws a UsageError saying
// what was wrong and what is accepted, before any request is made.
import { UsageError } from './errors';

export function wholeNumber(flag: string, min: number, max: number): (value: string) => number {
  const range = `from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
  return (value) => {
    const text = value.trim();
    if (!/^\d+$/.test(text)) throw new UsageError(`${flag} must be a whole number ${range}, got "${value}"`);
    const n = Number(text);
    if (n < min || n > max) throw new UsageError(`${flag} must be ${range}, got ${text}`);
    return n;
  };
}

export function positiveInt(flag: string, max: number): (value: string) => number {
  return wholeNumber(flag, 1, max);
}

export function choice<T extends string>(flag: string, allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if ((allowed as readonly string[]).includes(value)) return value as T;
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
  };
}

/**
 * Repeatable and comma-separated: `--socket a --socket b,c` gives [a, b, c]. With
 * `allowed`, each value must be one of them (compared without case).
 */
export function listOf<T extends string = string>(flag: string, allowed?: readonly T[]): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous) => {
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
}

const SPAN_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RFC3339 = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2}))?$/;

/** RFC 3339 (or a plain date, as UTC midnight), or a span back from now such as 90m, 24h, 7d. */
export function timeArg(flag: string, now: () => number): (value: string) => number {
  return (value) => {
    const text = value.trim();
    const span = /^(\d+)([smhdw])$/.exec(text);
    if (span) return now() - Number(span[1]) * (SPAN_UNITS[span[2] as string] as number);
    if (RFC3339.test(text)) {
      const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text.replace(' ', 'T'));
      if (!Number.isNaN(t)) return t;
    }
    throw new UsageError(
      `${flag} must be an RFC 3339 time (2026-11-20T10:00:00Z), a date (2026-11-20) or a span back from now (90m, 24h, 7d), got "${value}"`,
    );
  };
}
