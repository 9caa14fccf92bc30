// Log entries carry their time as unix milliseconds (the documented form), but the
// request logs are unverified and may use seconds, finer units or RFC 3339 strings.
// Every form becomes one RFC 3339 UTC string so a dump sorts and greps the same way.

/**
 * Unix time in any common unit, told apart by magnitude: below 1e11 it can only be
 * seconds (1e11 ms is in 1973, 1e11 s in the year 5138), and so on up to nanoseconds.
 */
function fromEpochNumber(n: number): Date | undefined {
  if (!Number.isFinite(n)) return undefined;
  const abs = Math.abs(n);
  const ms = abs < 1e11 ? n * 1000 : abs < 1e14 ? n : abs < 1e17 ? n / 1e3 : n / 1e6;
  const d = new Date(ms);
  // Date accepts only ±8.64e15 ms; beyond that toISOString would throw a RangeError.
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** An RFC 3339 UTC time for a log entry's time value, or undefined when it is not one. */
export function toRfc3339(value: unknown): string | undefined {
  if (typeof value === 'number') return fromEpochNumber(value)?.toISOString();
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (s === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(s)) return fromEpochNumber(Number(s))?.toISOString();
  // Only strings that look like a calendar date: Date.parse also accepts odd forms
  // such as "1" or "March 7", which would invent a time the log never held.
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return undefined;
  // A time without a zone would be read as the local time of whoever runs b0s, making
  // the dump differ between machines: logs are written by servers, so take it as UTC.
  let iso = s.replace(/^(\d{4}-\d{2}-\d{2})[ t]/, '$1T');
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso += 'Z';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
