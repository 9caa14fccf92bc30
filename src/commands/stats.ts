// b0s stats users|sockets|locations: session counts per user, socket or location, from
// the API's /sessions/stats/* (or, when a filter needs what that endpoint cannot do,
// counted from a walk). b0s stats activity: sessions per hour or day over a window,
// counted from the walk. A bar chart on a terminal, a table, JSON or CSV.
import { ActivityBuckets, type BucketUnit } from '../activity';
import type { ListFilters } from '../api/client';
import type { Session, StatsKind } from '../api/types';
import { walkSessions } from '../api/walk';
import type { Deps } from '../deps';
import { ApiError, UsageError } from '../errors';
import { renderChart, type Bar } from '../output/chart';
import { csvRow } from '../output/csv';
import { renderGrid } from '../output/grid';
import { toJson } from '../output/json';
import { textOf } from '../text';
import { isFiltered, matchesFilter, type SessionFilter } from '../session';
import type { CommandDefaults } from '../settings';
import { DEFAULT_CONCURRENCY, DEFAULT_PAGE_SIZE } from '../settings/keys';
import { listOptions, type FilterFlags } from './list';

export const STATS_KINDS = ['users', 'sockets', 'locations', 'activity'] as const;
export type StatsKindArg = (typeof STATS_KINDS)[number];
export const STATS_FORMATS = ['chart', 'table', 'json', 'csv'] as const;
export type StatsFormat = (typeof STATS_FORMATS)[number];

export interface StatsOptions {
  kind: StatsKindArg;
  /** Undefined: a chart on a terminal, the table when piped. */
  format?: StatsFormat;
  filter: SessionFilter;
  hints: ListFilters;
  /** Counted by the API's stats endpoint; false when a filter needs the walk. */
  byApi: boolean;
  top?: number;
  /** activity: the window and the size of its buckets. */
  window?: { from: number; to: number; unit: BucketUnit };
  pageSize: number;
  concurrency: number;
  timeZone: string;
}

interface RawStatsFlags extends FilterFlags {
  by?: BucketUnit;
  top?: number;
  output?: StatsFormat;
  json?: boolean;
}

/** Buckets a chart may have: beyond this it is a wall, not a picture. */
export const MAX_BUCKETS = 1000;
const DAY = 86_400_000;

export function statsOptions(kind: StatsKindArg, raw: RawStatsFlags, ctx: { now: number; timeZone: string; defaults?: CommandDefaults }): StatsOptions {
  if (raw.json && raw.output && raw.output !== 'json') throw new UsageError(`--json contradicts -o ${raw.output}: give one of them`);
  const setting = ctx.defaults?.output;
  const fromSetting = setting !== undefined && (STATS_FORMATS as readonly string[]).includes(setting) ? (setting as StatsFormat) : undefined;
  const format = raw.json ? 'json' : (raw.output ?? fromSetting);
  if (kind !== 'activity' && raw.by) throw new UsageError('--by applies to b0s stats activity only');
  // Activity's window ends at --until (never later than now) and is a day long unless --since says.
  const end = Math.min(raw.until ?? ctx.now, ctx.now);
  const since = kind === 'activity' ? (raw.since ?? end - DAY) : raw.since;
  const { filter, hints } = listOptions({ socket: raw.socket, user: raw.user, result: raw.result, status: raw.status, type: raw.type, since, until: raw.until });
  const base = {
    kind,
    format,
    filter,
    hints,
    top: raw.top,
    pageSize: ctx.defaults?.pageSize ?? DEFAULT_PAGE_SIZE,
    concurrency: ctx.defaults?.concurrency ?? DEFAULT_CONCURRENCY,
    timeZone: ctx.timeZone,
  };
  if (kind !== 'activity') {
    // The stats endpoint filters by socket, user and result; anything else is counted from the walk.
    const byApi = !(filter.statuses?.length || filter.types?.length || filter.since !== undefined || filter.until !== undefined);
    return { ...base, byApi };
  }
  const to = end;
  const from = since as number;
  // In whole minutes: --since 2d was read a moment before `now` was.
  const unit = raw.by ?? (Math.floor((to - from) / 60_000) <= (2 * DAY) / 60_000 ? 'hour' : 'day');
  const buckets = ActivityBuckets.estimate(unit, from, to);
  if (buckets > MAX_BUCKETS) {
    throw new UsageError(`--since with --by ${unit} makes ${buckets.toLocaleString('en-US')} bars, more than ${MAX_BUCKETS.toLocaleString('en-US')}: use ${unit === 'hour' ? '--by day or ' : ''}a later --since`);
  }
  return { ...base, byApi: false, window: { from, to, unit } };
}

interface Counted {
  bars: Bar[];
  /** For -o json: the API's own rows, or rows of the same shape when counted by b0s. */
  rows: unknown[];
  /** The CSV's and table's first column. */
  what: string;
}

interface Shown extends Counted {
  /** All sessions counted, also those in bars cut by --top: what a share is of. */
  total: number;
}

const LABEL_FIELDS: Record<StatsKind, readonly string[]> = {
  users: ['user_email', 'email', 'user', 'name'],
  sockets: ['socket_name', 'name', 'socket_id'],
  locations: ['country_name', 'country_code', 'location', 'city_name', 'name'],
};
const COUNT_FIELDS = ['count', 'total', 'sessions', 'value'];
const WHAT: Record<StatsKind, string> = { users: 'user', sockets: 'socket', locations: 'location' };

function labelOf(kind: StatsKind, row: Record<string, unknown>): string {
  if (kind === 'locations' && typeof row.country_name === 'string' && typeof row.country_code === 'string') return `${row.country_name} (${row.country_code})`;
  const field = LABEL_FIELDS[kind].find((f) => typeof row[f] === 'string' && row[f] !== '');
  return field ? textOf(row[field]) : '(unknown)';
}

function countOf(row: Record<string, unknown>): number | undefined {
  const field = COUNT_FIELDS.find((f) => typeof row[f] === 'number') ?? Object.keys(row).find((k) => typeof row[k] === 'number');
  const value = field === undefined ? undefined : row[field];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The API's answer: an array of rows (or {label: count}, or an object holding the array), read tolerantly. */
export function statsRows(kind: StatsKind, value: unknown): Counted {
  let rows: unknown = value;
  if (rows && typeof rows === 'object' && !Array.isArray(rows)) {
    const inner = Object.values(rows).find(Array.isArray);
    rows = inner ?? Object.entries(rows).map(([label, count]) => ({ [LABEL_FIELDS[kind][0] as string]: label, count }));
  }
  if (!Array.isArray(rows)) throw new ApiError(`the answer to GET /sessions/stats/${kind} is not a list of counts`);
  const bars: Bar[] = [];
  for (const row of rows) {
    const count = row && typeof row === 'object' ? countOf(row as Record<string, unknown>) : undefined;
    if (count === undefined) throw new ApiError(`the answer to GET /sessions/stats/${kind} holds a row without a count: ${toJson(row).slice(0, 80)}`);
    bars.push({ label: labelOf(kind, row as Record<string, unknown>), count });
  }
  return { bars, rows, what: WHAT[kind] };
}

/** Rows as the API shapes them, counted by b0s from the sessions as they arrive. */
function sessionCounter(kind: StatsKind): { add(s: Session): void; result(): Counted } {
  const counts = new Map<string, { row: Record<string, unknown>; count: number }>();
  return {
    add(s) {
      const ip = s.metadata?.ip_metadata;
      const row: Record<string, unknown> =
        kind === 'users'
          ? { user_email: textOf(s.user_email) }
          : kind === 'sockets'
            ? { socket_name: textOf(s.socket_name || s.socket_id) }
            : { country_code: textOf(ip?.country_code ?? s.country_code), country_name: textOf(ip?.country_name) };
      const key = JSON.stringify(row);
      const entry = counts.get(key) ?? { row, count: 0 };
      entry.count++;
      counts.set(key, entry);
    },
    result: () => statsRows(kind, [...counts.values()].map((e) => ({ ...e.row, count: e.count }))),
  };
}

export async function runStats(opts: StatsOptions, deps: Deps): Promise<void> {
  const client = await deps.api({ concurrency: opts.concurrency });
  const walk = () =>
    walkSessions(client, opts.hints, {
      pageSize: opts.pageSize,
      concurrency: opts.concurrency,
      since: opts.filter.since,
      keep: isFiltered(opts.filter) ? (s) => matchesFilter(s, opts.filter) : undefined,
      signal: deps.signal,
    });
  const progress = await deps.io.progress(opts.byApi ? 'Fetching counts…' : 'Counting sessions…');
  let counted: Counted;
  let activity: ActivityBuckets | undefined;
  try {
    if (opts.window) {
      activity = new ActivityBuckets(opts.window.unit, opts.timeZone, opts.window.from, opts.window.to);
      for await (const batch of walk()) for (const s of batch) activity.add(Date.parse(textOf(s.start_time)));
      counted = {
        bars: activity.buckets.map((b) => ({ label: b.key, count: b.count })),
        rows: activity.buckets.map((b) => ({ bucket: b.key, start: new Date(b.start).toISOString(), sessions: b.count })),
        what: opts.window.unit,
      };
    } else if (opts.byApi) {
      const kind = opts.kind as StatsKind;
      counted = statsRows(kind, await client.sessionStats(kind, opts.hints, deps.signal));
    } else {
      const counter = sessionCounter(opts.kind as StatsKind);
      for await (const batch of walk()) for (const s of batch) counter.add(s);
      counted = counter.result();
    }
  } finally {
    progress.stop();
  }
  const shown = sorted(counted, opts);
  await print(shown, opts, deps);
  // Names a terminal showed are what shell completion offers next.
  if (deps.io.stdoutIsTTY && (opts.kind === 'users' || opts.kind === 'sockets')) {
    await deps.recent.rememberNames(client.baseUrl, { [opts.kind]: shown.bars.map((b) => b.label) });
  }
  if (activity && deps.io.stderrIsTTY) {
    const total = activity.buckets.reduce((sum, b) => sum + b.count, 0);
    const zone = opts.timeZone === 'local' ? 'local time' : opts.timeZone;
    deps.io.note(deps.io.err.dim(`${total.toLocaleString('en-US')} sessions in all, one bar per ${opts.window?.unit} (${zone})`));
  }
}

/**
 * Largest first, cut to --top; activity shows its busiest --top hours or days in time
 * order. JSON rows follow the bars.
 */
function sorted(c: Counted, opts: StatsOptions): Shown {
  const count = (i: number) => c.bars[i]?.count ?? 0;
  const label = (i: number) => c.bars[i]?.label ?? '';
  // Ties: the more recent bar for activity, else the label's order.
  const largestFirst = c.bars.map((_, i) => i).sort((a, b) => count(b) - count(a) || (opts.window ? b - a : label(a) < label(b) ? -1 : 1));
  const top = opts.top === undefined ? largestFirst : largestFirst.slice(0, opts.top);
  const kept = opts.window ? top.sort((a, b) => a - b) : top;
  return { what: c.what, bars: kept.map((i) => c.bars[i] as Bar), rows: kept.map((i) => c.rows[i]), total: c.bars.reduce((sum, b) => sum + b.count, 0) };
}

async function print(c: Shown, opts: StatsOptions, deps: Deps): Promise<void> {
  const { io } = deps;
  const format = opts.format ?? (io.stdoutIsTTY ? 'chart' : 'table');
  if (format === 'chart' || format === 'table') io.page();
  const count = opts.window ? 'sessions' : 'count';
  switch (format) {
    case 'json':
      return io.write(`${toJson(c.rows, 2)}\n`);
    case 'csv':
      return io.write([csvRow([c.what, count]), ...c.bars.map((b) => csvRow([b.label, b.count]))].join(''));
    case 'chart':
      if (c.bars.length === 0) return io.note('No sessions found.');
      return io.write(renderChart(c.bars, io));
    case 'table': {
      const share = (x: number) => (c.total ? `${((100 * x) / c.total).toFixed(1)}%` : '-');
      return io.write(
        renderGrid(
          [{ header: c.what.toUpperCase() }, { header: count.toUpperCase(), align: 'right' }, { header: 'SHARE', align: 'right' }],
          c.bars.map((b) => [b.label, io.stdoutIsTTY ? b.count.toLocaleString('en-US') : b.count, share(b.count)]),
          io,
        ),
      );
    }
  }
}
