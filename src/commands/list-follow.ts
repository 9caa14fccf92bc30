// b0s list --follow: sessions as they start, end and are killed, for a person watching
// (a table on a terminal) or a script (NDJSON events when piped). The same passes as
// `b0s export --follow`, with the state kept in memory only.
import type { Deps } from '../deps';
import { runCycle } from '../export/cycle';
import type { ExportEvent } from '../export/events';
import { follow, seconds } from '../export/follow';
import { initialState, Tracker } from '../export/tracker';
import type { IO } from '../io';
import { locationOf, shortId, socketOf, userOf } from '../output/fields';
import { statusOf } from '../session';
import { toJson } from '../output/json';
import { fitCell, fitColumns, GAP, pad, type Column, type Layout } from '../output/layout';
import { inlineText, textOf } from '../text';
import type { ListOptions } from './list';

interface FollowColumn extends Column {
  cell(e: ExportEvent, now: number): string;
}

const VERB = { 'session.started': 'started', 'session.ended': 'ended', 'session.killed': 'killed' } as const;

// Rows keep coming after the layout is set, so every column has room for a usual value.
const COLUMNS: readonly FollowColumn[] = [
  { header: 'TIME', priority: 9, floor: 'mm-dd hh:mm'.length, cell: (e, now) => clockTime(Date.parse(e.event_time), now) },
  { header: 'EVENT', priority: 10, floor: 'started'.length, cell: (e) => VERB[e.event] },
  { header: 'USER', priority: 8, min: 12, floor: 24, email: true, cell: (e) => userOf(e.session) },
  { header: 'SOCKET', priority: 7, min: 10, floor: 14, cell: (e) => textOf(e.session.socket_name || e.socket_name) || socketOf(e.session) },
  { header: 'TYPE', priority: 3, floor: 'kubernetes'.length, cell: (e) => textOf(e.session.session_type) },
  { header: 'CLIENT', priority: 5, floor: '255.255.255.255'.length, cell: (e) => textOf(e.session.client_ip) },
  { header: 'LOCATION', priority: 2, min: 8, floor: 16, cell: (e) => locationOf(e.session) },
  { header: 'STATUS', priority: 6, floor: 'denied'.length, cell: (e) => statusOf(e.session) },
  { header: 'ID', priority: 10, floor: 8, cell: (e) => shortId(e.session.session_id) },
];

/** Local time of day; with the date when it is not within the last day. */
function clockTime(t: number, now: number): string {
  if (Number.isNaN(t)) return '-';
  const d = new Date(t);
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return now - t < 86_400_000 ? time : `${two(d.getMonth() + 1)}-${two(d.getDate())} ${time.slice(0, 5)}`;
}

interface EventWriter {
  write(events: readonly ExportEvent[]): Promise<void>;
}

function ndjsonWriter(io: IO): EventWriter {
  return {
    async write(events) {
      if (events.length) await io.write(events.map((e) => `${toJson(e)}\n`).join(''));
    },
  };
}

async function tableWriter(io: IO, now: () => number): Promise<EventWriter> {
  const layout: Layout = fitColumns(COLUMNS, [], io.columns, { moreRowsToCome: true });
  const last = layout.keep.length - 1;
  const header = layout.keep.map((i, n) => pad(COLUMNS[i]?.header ?? '', n === last ? 0 : (layout.widths[i] ?? 0))).join(GAP);
  await io.write(`${io.out.bold(header.trimEnd())}\n`);
  const paintEvent: Record<ExportEvent['event'], (t: string) => string> = {
    'session.started': io.out.green,
    'session.ended': (t) => t,
    'session.killed': io.out.red,
  };
  const row = (e: ExportEvent, at: number) =>
    layout.keep
      .map((i, n) => {
        const column = COLUMNS[i] as FollowColumn;
        const cell = pad(fitCell(column, inlineText(column.cell(e, at)), layout.widths[i] ?? 0), n === last ? 0 : (layout.widths[i] ?? 0));
        if (column.header === 'EVENT') return paintEvent[e.event](cell);
        if (column.header === 'STATUS' && e.session.result === 'denied') return io.out.yellow(cell);
        return cell;
      })
      .join(GAP)
      .trimEnd();
  return {
    async write(events) {
      const at = now();
      if (events.length) await io.write(events.map((e) => `${row(e, at)}\n`).join(''));
    },
  };
}

export async function runListFollow(opts: ListOptions, f: { intervalMs: number; since: number }, deps: Deps): Promise<void> {
  const { io } = deps;
  let rateLimited = false;
  const client = await deps.api({
    concurrency: opts.concurrency,
    onRetry: (r) => {
      if (r.status !== 429 || rateLimited) return;
      rateLimited = true;
      io.note(`${io.err.yellow('b0s:')} the API is rate limiting (HTTP 429 to ${inlineText(r.endpoint)}): slowing down, next try in ${seconds(r.waitMs)}`);
    },
  });
  const writer = opts.format === 'table' && io.stdoutIsTTY ? await tableWriter(io, deps.now) : ndjsonWriter(io);
  if (io.stderrIsTTY) {
    io.note(io.err.dim(`Following sessions that started from ${new Date(f.since).toISOString()} on, every ${seconds(f.intervalMs)}; Ctrl-C to stop`));
  }
  const filter = { ...opts.filter, statuses: undefined, since: undefined, until: undefined };
  let state = initialState(f.since);
  await follow({ intervalMs: f.intervalMs, io, signal: deps.signal, sleep: deps.sleep }, async () => {
    rateLimited = false;
    const tracker = new Tracker(state, filter, opts.filter.statuses);
    const outcome = await runCycle(tracker, {
      client,
      hints: opts.hints,
      pageSize: opts.pageSize,
      concurrency: opts.concurrency,
      signal: deps.signal,
      now: deps.now,
      warn: (line) => io.warn(line),
      emit: (events) => writer.write(inTimeOrder(events)),
    });
    state = outcome.state;
    if (outcome.dropped.length) io.warn(`no longer following the ${outcome.dropped.length.toLocaleString('en-US')} oldest live sessions`);
  });
}

/**
 * One read's events come newest session first, as the list is read; a stream being
 * watched reads oldest first, as the ones after it will. The sort is stable: a session
 * started, killed and ended at the same instant keeps that order.
 */
function inTimeOrder(events: ExportEvent[]): ExportEvent[] {
  return events
    .map((event, i) => ({ event, i, t: Date.parse(event.event_time) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map(({ event }) => event);
}
