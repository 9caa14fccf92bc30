// --since and --until: what each form means, what is refused (exit 2, before any
// request), and a property test that every accepted RFC 3339 time means exactly what it
// says (no silent roll-over of February 31 into March).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { UsageError } from '../src/errors';
import { choice, listOf, timeArg } from '../src/options';
import { b0s } from './helpers/world';
import { SIM_NOW, useSimulator } from './helpers/sim';

const now = () => SIM_NOW;
const since = timeArg('--since', now);
const until = timeArg('--until', now, 'end');
const utc = (s: string) => Date.parse(s);

describe('accepted times', () => {
  it.each([
    ['2026-11-20T10:00:00Z', utc('2026-11-20T10:00:00Z')],
    ['2026-11-20t10:00:00z', utc('2026-11-20T10:00:00Z')],
    ['2026-11-20 10:00Z', utc('2026-11-20T10:00:00Z')],
    ['2026-11-20T10:00:00.123456+05:30', utc('2026-11-20T04:30:00.123Z')],
    ['2026-11-20T00:15:00-01:00', utc('2026-11-20T01:15:00Z')],
    ['2028-02-29', utc('2028-02-29T00:00:00Z')],
    ['1970-01-01T00:00:00Z', 0],
    ['9999-12-31T23:59:59.999Z', utc('9999-12-31T23:59:59.999Z')],
    ['90m', SIM_NOW - 90 * 60_000],
    [' 2w ', SIM_NOW - 14 * 86_400_000],
  ])('--since %s', (text, expected) => {
    expect(since(text)).toBe(expected);
  });

  it('a date alone is the start of that day (UTC) for --since, its very end for --until', () => {
    expect(since('2026-11-29')).toBe(utc('2026-11-29T00:00:00.000Z'));
    expect(until('2026-11-29')).toBe(utc('2026-11-29T23:59:59.999Z'));
    expect(until('9999-12-31')).toBe(utc('9999-12-31T23:59:59.999Z'));
    // A time of day or a span is the moment it names, for both.
    expect(until('2026-11-29T08:00:00Z')).toBe(utc('2026-11-29T08:00:00Z'));
    expect(until('1h')).toBe(SIM_NOW - 3_600_000);
  });
});

describe('refused times: a usage error saying why', () => {
  it.each([
    ['2026-02-31', /2026-02-31 is not a date \(that month has 28 days\)/],
    ['2027-02-29', /is not a date \(that month has 28 days\)/],
    ['2026-04-31T10:00:00Z', /2026-04-31 is not a date \(that month has 30 days\)/],
    ['2026-13-01', /2026-13-01 is not a date \(months are 01 to 12\)/],
    ['2026-11-00', /is not a date/],
    ['2026-11-20T25:00Z', /25:00 is not a time of day/],
    ['2026-11-20T10:60:00Z', /10:60:00 is not a time of day/],
    ['2026-11-20T23:59:60Z', /23:59:60 is not a time of day/],
    ['2026-11-20T10:00:00+24:00', /\+24:00 is not a UTC offset/],
    ['1969-12-31', /between 1970-01-01 and 9999-12-31/],
    ['0070-01-01', /between 1970-01-01 and 9999-12-31/],
    ['1970-01-01T00:30:00+01:00', /between 1970-01-01 and 9999-12-31/],
    ['9999-12-31T23:00:00-01:00', /between 1970-01-01 and 9999-12-31/],
    ['10000-01-01', /must be an RFC 3339 time/],
    ['100000000w', /100000000w reaches back before 1970-01-01/],
    [`${'9'.repeat(400)}s`, /reaches back before 1970-01-01/],
    ['2026-11-20T10:00:00', /must be an RFC 3339 time/],
    ['yesterday', /must be an RFC 3339 time/],
  ])('%s', (text, message) => {
    expect(() => since(text)).toThrow(UsageError);
    expect(() => since(text)).toThrow(message);
  });
});

// Fixed, so a failure can be replayed: fast-check prints the seed and path with it.
const SEED = 20261129;

describe('property: an accepted RFC 3339 time means exactly the fields it was written with', () => {
  const two = (n: number) => String(n).padStart(2, '0');
  // The oracle, independent of Date: the Gregorian calendar's month lengths.
  const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const daysIn = (y: number, m: number) => [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
  const fields = fc.record({
    year: fc.integer({ min: 1960, max: 10_010 }),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 61 }),
    second: fc.integer({ min: 0, max: 61 }),
    fraction: fc.option(fc.stringMatching(/^\d{1,9}$/), { nil: undefined }),
    offset: fc.option(fc.record({ sign: fc.constantFrom('+', '-'), hours: fc.integer({ min: 0, max: 25 }), minutes: fc.integer({ min: 0, max: 61 }) }), { nil: undefined }),
  });

  it('accepted exactly when the date, time and offset exist and lie within 1970-9999; then it round-trips', () => {
    fc.assert(
      fc.property(fields, (f) => {
        const zone = f.offset ? `${f.offset.sign}${two(f.offset.hours)}:${two(f.offset.minutes)}` : 'Z';
        const text = `${String(f.year).padStart(4, '0')}-${two(f.month)}-${two(f.day)}T${two(f.hour)}:${two(f.minute)}:${two(f.second)}${f.fraction === undefined ? '' : `.${f.fraction}`}${zone}`;
        const offsetMs = f.offset ? (f.offset.sign === '-' ? -1 : 1) * (f.offset.hours * 60 + f.offset.minutes) * 60_000 : 0;
        const exists = f.year <= 9999 && f.day >= 1 && f.day <= daysIn(f.year, f.month) && f.hour <= 23 && f.minute <= 59 && f.second <= 59 && (!f.offset || (f.offset.hours <= 23 && f.offset.minutes <= 59));
        let t: number | undefined;
        try {
          t = since(text);
        } catch (err) {
          expect(err, text).toBeInstanceOf(UsageError);
        }
        if (t === undefined) {
          // Refused: it does not exist, or it is out of range.
          if (exists) {
            const instant = new Date(0).setUTCFullYear(f.year, f.month - 1, f.day) + ((f.hour * 60 + f.minute) * 60 + f.second) * 1000 - offsetMs;
            expect(instant < 0 || instant > Date.UTC(9999, 11, 31, 23, 59, 59, 999), `${text} was refused`).toBe(true);
          }
          return;
        }
        expect(exists, `${text} was accepted`).toBe(true);
        // Written back in the same offset, it gives the very fields it was read from.
        const back = new Date(t + offsetMs).toISOString();
        const ms = (f.fraction ?? '').slice(0, 3).padEnd(3, '0');
        expect(back).toBe(`${String(f.year).padStart(4, '0')}-${two(f.month)}-${two(f.day)}T${two(f.hour)}:${two(f.minute)}:${two(f.second)}.${ms}Z`);
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });

  it('any time from 1970 to 9999, as toISOString() writes it, reads back as itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (t) => {
        expect(since(new Date(t).toISOString())).toBe(t);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

const { sim, env } = useSimulator({ sessions: 400 });

describe('b0s list with a day as --since and --until', () => {
  it('gives every session that started that day (UTC), and only those', async () => {
    const all: Session[] = [];
    for (let i = 0; i < sim().sessionCount(); i++) all.push(sim().sessionAt(i));
    const day = String(all[Math.floor(all.length / 2)]?.start_time).slice(0, 10);
    const expected = all.filter((s) => String(s.start_time).slice(0, 10) === day).map((s) => s.session_id);
    expect(expected.length).toBeGreaterThan(0);
    const r = await b0s(['list', '--since', day, '--until', day, '-o', 'json'], { env: env(), now: SIM_NOW });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Session[]).map((s) => s.session_id)).toEqual(expected);
  });

  it('an impossible date is exit 2 before any request', async () => {
    sim().resetRequests();
    const r = await b0s(['list', '--since', '2026-02-31'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('b0s: --since: 2026-02-31 is not a date (that month has 28 days)\n');
    expect(sim().requests).toHaveLength(0);
  });

  it('a span reaching back before 1970 is exit 2, not an unexpected error', async () => {
    const r = await b0s(['list', '--since', '100000000w'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--since 100000000w reaches back before 1970-01-01');
  });
});

describe('fixed sets of values', () => {
  it('are accepted in any letter case, as the value written in lower case, and anything else is a usage error naming them', () => {
    const result = choice('--result', ['success', 'denied'] as const);
    expect(result('DENIED')).toBe('denied');
    expect(result('Success')).toBe('success');
    expect(() => result('deny')).toThrow(new UsageError('--result must be one of success, denied, got "deny"'));
    const statuses = listOf('--status', ['live', 'ended'] as const);
    expect(statuses('LIVE,ended', undefined)).toEqual(['live', 'ended']);
    // The values shell completion offers are the ones accepted.
    expect(result.values).toEqual(['success', 'denied']);
    expect(statuses.values).toEqual(['live', 'ended']);
  });
});
