// b0s stats: counts per user, socket and location in every format, the chart's
// proportions (read back from what it draws), and sessions per hour or day.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { statsRows } from '../src/commands/stats';
import { chartLayout, renderChart, type Bar } from '../src/output/chart';
import { width } from '../src/output/layout';
import type { IO } from '../src/io';
import { b0s } from './helpers/world';
import { ActivityBuckets } from '../src/activity';
import { SIM_NOW, useSimulator } from './helpers/sim';
import { ANSI, parseCsv, parseNdjson, tsvRows } from './helpers/parse';

const { sim, env } = useSimulator({ sessions: 400 });

async function apiStats(kind: string, query = ''): Promise<Array<Record<string, string | number>>> {
  const res = await fetch(`${sim().url}/sessions/stats/${kind}?${query}`, { headers: { 'x-access-token': sim().token } });
  return (await res.json()) as Array<Record<string, string | number>>;
}

/** A chart line: label, bar and count, read back. */
function parseChart(text: string): Array<{ label: string; bar: number; count: number; width: number }> {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => {
      // eslint-disable-next-line no-control-regex
      const plain = line.replace(/\u001b\[[0-9;]*m/g, '');
      const m = /^(.*?)\s{2,}(█*) ?([\d,]+)$/.exec(plain);
      if (!m) throw new Error(`not a chart line: ${JSON.stringify(plain)}`);
      return { label: (m[1] as string).trim(), bar: (m[2] as string).length, count: Number((m[3] as string).replace(/,/g, '')), width: width(plain) };
    });
}

const fakeIO = (columns: number) => ({ columns, out: new Chalk({ level: 0 }) }) as unknown as IO;

describe('the bar chart', () => {
  for (const columns of [60, 80, 132]) {
    it(`at ${columns} columns: sorted, bars proportional to the counts, the largest filling the room, every line fits`, async () => {
      const r = await b0s(['stats', 'users'], { env: env(), tty: { stdout: true }, columns });
      expect(r.code).toBe(0);
      const lines = parseChart(r.stdout);
      const api = await apiStats('users');
      expect(lines.map((l) => l.count)).toEqual(api.map((row) => row.count));
      expect(lines.map((l) => l.count)).toEqual([...lines.map((l) => l.count)].sort((a, b) => b - a));
      const max = lines[0] as (typeof lines)[number];
      const room = Math.max(...lines.map((l) => l.bar));
      expect(max.bar).toBe(room);
      for (const l of lines) {
        expect(l.width).toBeLessThanOrEqual(columns);
        expect(Math.abs(l.bar - (l.count / max.count) * room)).toBeLessThanOrEqual(0.5);
      }
      // The longest bar uses what the labels and counts leave.
      expect(Math.max(...lines.map((l) => l.width))).toBeGreaterThanOrEqual(columns - 1);
    });
  }

  it('hostile labels are made inert and cut to fit; a count of 1 still shows a bar', () => {
    const bars: Bar[] = [
      { label: '\u001b]0;pwned\u0007\u001b[2Jmallory@example.net', count: 900 },
      { label: `${'x'.repeat(300)}@example.com`, count: 450 },
      { label: '\u202eevil', count: 1 },
    ];
    const text = renderChart(bars, fakeIO(70));
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e]/);
    const lines = parseChart(text);
    expect(lines.map((l) => l.count)).toEqual([900, 450, 1]);
    expect(lines[0]?.label).toContain('\\x1b');
    expect(lines[1]?.label).toMatch(/…@example\.com$/);
    expect(lines.every((l) => l.width <= 70)).toBe(true);
    const { barWidth } = chartLayout(bars, 70);
    expect(lines.map((l) => l.bar)).toEqual([barWidth, Math.round(barWidth / 2), 1]);
  });
});

describe('b0s stats users|sockets|locations', () => {
  it('-o json is the API\'s own rows; the piped default is label, count and share', async () => {
    const json = await b0s(['stats', 'sockets', '-o', 'json'], { env: env() });
    expect(JSON.parse(json.stdout)).toEqual(await apiStats('sockets'));
    const table = await b0s(['stats', 'sockets'], { env: env() });
    const rows = tsvRows(table.stdout);
    const api = await apiStats('sockets');
    const total = api.reduce((sum, row) => sum + Number(row.count), 0);
    expect(rows).toEqual(api.map((row) => [row.socket_name, String(row.count), `${((100 * Number(row.count)) / total).toFixed(1)}%`]));
  });

  it('--top keeps each share of all sessions counted, not of the rows shown', async () => {
    const all = tsvRows((await b0s(['stats', 'users', '-o', 'table'], { env: env() })).stdout);
    const top = tsvRows((await b0s(['stats', 'users', '-o', 'table', '--top', '2'], { env: env() })).stdout);
    expect(top).toEqual(all.slice(0, 2));
  });

  it('-o csv for spreadsheets, --top for the largest only', async () => {
    const r = await b0s(['stats', 'locations', '-o', 'csv', '--top', '3'], { env: env() });
    const [header, ...rows] = parseCsv(r.stdout);
    expect(header).toEqual(['location', 'count']);
    const api = (await apiStats('locations')).slice(0, 3);
    expect(rows).toEqual(api.map((row) => [`${row.country_name} (${row.country_code})`, String(row.count)]));
  });

  it('--socket, --user and --result go to the stats endpoint', async () => {
    sim().resetRequests();
    const r = await b0s(['stats', 'users', '--socket', 'prod-ssh', '--result', 'denied', '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    expect(sim().requests.map((q) => q.path)).toEqual(['/api/v1/sessions/stats/users']);
    expect(sim().requests[0]?.query).toMatchObject({ socket_names: 'prod-ssh', auth_result: 'denied' });
    expect(JSON.parse(r.stdout)).toEqual(await apiStats('users', 'socket_names=prod-ssh&auth_result=denied'));
  });

  it('a filter the endpoint does not have (--type) is counted from the sessions themselves', async () => {
    const r = await b0s(['stats', 'users', '--type', 'database', '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    const all = parseNdjson((await b0s(['list', '--all', '--type', 'database', '-o', 'ndjson'], { env: env() })).stdout) as Session[];
    const expected = new Map<string, number>();
    for (const s of all) expected.set(String(s.user_email), (expected.get(String(s.user_email)) ?? 0) + 1);
    const got = JSON.parse(r.stdout) as Array<{ user_email: string; count: number }>;
    expect(new Map(got.map((row) => [row.user_email, row.count]))).toEqual(expected);
    expect(got.map((row) => row.count)).toEqual([...got.map((row) => row.count)].sort((a, b) => b - a));
  });

  it('reads other shapes of answer: {label: count} and {stats: [...]}', () => {
    expect(statsRows('users', { 'a@example.com': 3, 'b@example.com': 1 }).bars).toEqual([
      { label: 'a@example.com', count: 3 },
      { label: 'b@example.com', count: 1 },
    ]);
    expect(statsRows('sockets', { stats: [{ name: 'db', total: 4 }] }).bars).toEqual([{ label: 'db', count: 4 }]);
    expect(() => statsRows('users', 'nope')).toThrow(/is not a list of counts/);
    expect(() => statsRows('users', [{ user_email: 'x' }])).toThrow(/a row without a count/);
  });
});

describe('b0s stats activity', () => {
  const inWindow = async (since: string) =>
    parseNdjson((await b0s(['list', '--since', since, '-o', 'ndjson'], { env: env(), now: SIM_NOW })).stdout) as Session[];

  it('sessions per hour over --since: every hour present, in order, adding up to the sessions in the window', async () => {
    const r = await b0s(['stats', 'activity', '--since', '12h', '-o', 'json'], { env: env(), now: SIM_NOW });
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ bucket: string; start: string; sessions: number }>;
    expect(rows).toHaveLength(13);
    expect(rows[0]?.bucket).toBe('2026-11-26 00:00');
    expect(rows.at(-1)?.bucket).toBe('2026-11-26 12:00');
    expect(rows.map((row) => Date.parse(row.start))).toEqual(rows.map((_, i) => Date.parse('2026-11-26T00:00:00Z') + i * 3_600_000));
    const sessions = await inWindow('12h');
    expect(rows.reduce((sum, row) => sum + row.sessions, 0)).toBe(sessions.length);
    for (const row of rows) {
      const start = Date.parse(row.start);
      expect(row.sessions).toBe(sessions.filter((s) => Date.parse(s.start_time as string) >= start && Date.parse(s.start_time as string) < start + 3_600_000).length);
    }
  });

  it('per day past two days, in the time-zone setting (a zone half an hour off UTC)', async () => {
    const r = await b0s(['stats', 'activity', '--since', '3d', '-o', 'csv'], { env: { ...env(), B0S_TIME_ZONE: 'Asia/Kolkata' }, now: SIM_NOW });
    expect(r.code).toBe(0);
    const [header, ...rows] = parseCsv(r.stdout);
    expect(header).toEqual(['day', 'sessions']);
    expect(rows.map((row) => row[0])).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26']);
    const sessions = await inWindow('3d');
    expect(rows.reduce((sum, row) => sum + Number(row[1]), 0)).toBe(sessions.length);
    // Kolkata's 26 November began at 18:30 UTC on the 25th.
    const day26 = sessions.filter((s) => Date.parse(s.start_time as string) >= Date.parse('2026-11-25T18:30:00Z')).length;
    expect(Number(rows.at(-1)?.[1])).toBe(day26);
  });

  it('the bar is an hour for windows up to 2 days, --since 2d included, read against the clock as it runs', async () => {
    const header = async (since: string) => parseCsv((await b0s(['stats', 'activity', '--since', since, '-o', 'csv'], { env: env() })).stdout)[0]?.join(',');
    expect(await header('2d')).toBe('hour,sessions');
    expect(await header('48h')).toBe('hour,sessions');
    expect(await header('49h')).toBe('day,sessions');
  });

  it('a chart on a terminal, in time order', async () => {
    const r = await b0s(['stats', 'activity', '--since', '6h'], { env: env(), now: SIM_NOW, tty: { stdout: true, stderr: true }, columns: 80 });
    const lines = parseChart(r.stdout);
    expect(lines.map((l) => l.label)).toEqual(['06:00', '07:00', '08:00', '09:00', '10:00', '11:00', '12:00'].map((h) => `2026-11-26 ${h}`));
    // The footer: the sessions counted in all, not a rate.
    const total = lines.reduce((sum, l) => sum + l.count, 0);
    expect(r.stderr.replace(new RegExp(ANSI.source, 'g'), '')).toContain(`${total} sessions in all, one bar per hour (UTC)`);
  });

  it('--top N keeps the N busiest hours, shown in time order', async () => {
    // Database sessions only: their hours differ, and the busiest are not the first ones.
    const args = ['stats', 'activity', '--since', '12h', '--type', 'database', '-o', 'csv'];
    const all = parseCsv((await b0s(args, { env: env(), now: SIM_NOW })).stdout).slice(1);
    const r = await b0s([...args, '--top', '4'], { env: env(), now: SIM_NOW });
    expect(r.code).toBe(0);
    const top = parseCsv(r.stdout).slice(1);
    expect(top).toHaveLength(4);
    expect(top.map((row) => row[0])).toEqual([...top.map((row) => row[0])].sort());
    // No hour left out is busier than one kept.
    const kept = new Set(top.map((row) => row[0]));
    const quietestKept = Math.min(...top.map((row) => Number(row[1])));
    expect(all.filter((row) => !kept.has(row[0]) && Number(row[1]) > quietestKept)).toEqual([]);
    expect(Math.max(...all.slice(0, 3).map((row) => Number(row[1])))).toBeLessThan(Math.max(...all.map((row) => Number(row[1]))));
    // Of hours as busy as the quietest kept, the more recent are kept.
    const tiedLeftOut = all.filter((row) => !kept.has(row[0]) && Number(row[1]) === quietestKept).map((row) => row[0] as string);
    const tiedKept = top.filter((row) => Number(row[1]) === quietestKept).map((row) => row[0] as string);
    expect(tiedLeftOut.length).toBeGreaterThan(0);
    for (const hour of tiedLeftOut) for (const k of tiedKept) expect(hour < k).toBe(true);
  });

  it('--until alone: the day before it, hour by hour', async () => {
    const r = await b0s(['stats', 'activity', '--until', '1d', '-o', 'json'], { env: env(), now: SIM_NOW });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ bucket: string }>;
    expect(rows[0]?.bucket).toBe('2026-11-24 12:00');
    expect(rows.at(-1)?.bucket).toBe('2026-11-25 12:00');
  });

  it('too many bars is refused with what to do (exit 2)', async () => {
    const r = await b0s(['stats', 'activity', '--since', '90d', '--by', 'hour'], { env: env(), now: SIM_NOW });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--since with --by hour makes 2,16\d bars, more than 1,000: use --by day or a later --since/);
  });
});

describe('activity buckets across clock changes', () => {
  const at = (iso: string) => Date.parse(iso);

  it('an hour the clock goes through twice (turned back) is two bars, each an hour long, each naming its offset', () => {
    // New York turns its clocks back from 02:00 EDT to 01:00 EST on 1 November 2026.
    const b = new ActivityBuckets('hour', 'America/New_York', at('2026-11-01T03:00:00Z'), at('2026-11-01T08:00:00Z'));
    expect(b.buckets.map((x) => x.key)).toEqual(['2026-10-31 23:00', '2026-11-01 00:00', '2026-11-01 01:00 (UTC-04:00)', '2026-11-01 01:00 (UTC-05:00)', '2026-11-01 02:00', '2026-11-01 03:00']);
    expect(b.buckets.map((x) => x.start)).toEqual([3, 4, 5, 6, 7, 8].map((h) => at(`2026-11-01T0${h}:00:00Z`)));
    b.add(at('2026-11-01T05:30:00Z'));
    b.add(at('2026-11-01T06:10:00Z'));
    b.add(at('2026-11-01T06:50:00Z'));
    expect(b.buckets.map((x) => x.count)).toEqual([0, 0, 1, 2, 0, 0]);
  });

  it('Lord Howe Island turns its clock half an hour: the repeated and the shortened half hours are bars of their own, from the instant they begin', () => {
    const back = new ActivityBuckets('hour', 'Australia/Lord_Howe', at('2026-04-04T13:00:00Z'), at('2026-04-04T17:00:00Z'));
    expect(back.buckets.map((x) => x.key)).toEqual(['2026-04-05 00:00', '2026-04-05 01:00 (UTC+11:00)', '2026-04-05 01:00 (UTC+10:30)', '2026-04-05 02:00', '2026-04-05 03:00']);
    expect(back.buckets.map((x) => new Date(x.start).toISOString().slice(11, 16))).toEqual(['13:00', '14:00', '15:00', '15:30', '16:30']);
    for (const t of ['2026-04-04T15:10:00Z', '2026-04-04T15:40:00Z', '2026-04-04T14:59:00Z']) back.add(at(t));
    expect(back.buckets.map((x) => x.count)).toEqual([0, 1, 1, 1, 0]);
    const forward = new ActivityBuckets('hour', 'Australia/Lord_Howe', at('2026-10-03T14:30:00Z'), at('2026-10-03T17:00:00Z'));
    expect(forward.buckets.map((x) => x.key)).toEqual(['2026-10-04 01:00', '2026-10-04 02:00', '2026-10-04 03:00', '2026-10-04 04:00']);
    expect(forward.buckets.map((x) => new Date(x.start).toISOString().slice(11, 16))).toEqual(['14:30', '15:30', '16:00', '17:00']);
    forward.add(at('2026-10-03T15:40:00Z'));
    expect(forward.buckets.map((x) => x.count)).toEqual([0, 1, 0, 0]);
  });

  it("Chatham's clock moves 02:45 to 03:45: its 03:00 is a quarter of an hour long, and every bar starts where the one before ended", () => {
    const b = new ActivityBuckets('hour', 'Pacific/Chatham', at('2026-09-26T13:00:00Z'), at('2026-09-26T15:30:00Z'));
    expect(b.buckets.map((x) => x.key)).toEqual(['2026-09-27 01:00', '2026-09-27 02:00', '2026-09-27 03:00', '2026-09-27 04:00', '2026-09-27 05:00']);
    expect(b.buckets.map((x) => new Date(x.start).toISOString().slice(11, 16))).toEqual(['12:15', '13:15', '14:00', '14:15', '15:15']);
    b.add(at('2026-09-26T14:05:00Z'));
    expect(b.buckets.map((x) => x.count)).toEqual([0, 0, 1, 0, 0]);
    // A window that begins after a change: its first bar starts where that hour began.
    const after = new ActivityBuckets('hour', 'Australia/Lord_Howe', at('2026-04-04T15:10:00Z'), at('2026-04-04T16:00:00Z'));
    expect(new Date(after.buckets[0]!.start).toISOString().slice(11, 16)).toBe('15:00');
  });

  it('a day that began before its clock change starts at its midnight, whenever the window starts', () => {
    const days = new ActivityBuckets('day', 'America/New_York', at('2026-11-01T12:00:00Z'), at('2026-11-02T12:00:00Z'));
    expect(days.buckets.map((x) => [x.key, new Date(x.start).toISOString()])).toEqual([
      ['2026-11-01', '2026-11-01T04:00:00.000Z'],
      ['2026-11-02', '2026-11-02T05:00:00.000Z'],
    ]);
  });

  it('an hour the clock skips (turned forward) is not a bar, and a day with a clock change is one bar', () => {
    // 8 March 2026: 02:00 EST becomes 03:00 EDT.
    const hours = new ActivityBuckets('hour', 'America/New_York', at('2026-03-08T05:00:00Z'), at('2026-03-08T08:00:00Z'));
    expect(hours.buckets.map((x) => x.key)).toEqual(['2026-03-08 00:00', '2026-03-08 01:00', '2026-03-08 03:00', '2026-03-08 04:00']);
    const days = new ActivityBuckets('day', 'America/New_York', at('2026-10-31T12:00:00Z'), at('2026-11-02T12:00:00Z'));
    expect(days.buckets.map((x) => x.key)).toEqual(['2026-10-31', '2026-11-01', '2026-11-02']);
  });
});

