// b0s export: session events since the last run, for a SIEM. One run (or, with --follow,
// one pass every interval) takes the lock, walks what is new, re-reads the sessions it
// saw live, writes the events to the sink, makes them safe there, and only then moves
// the checkpoint on. A crash at any point repeats at most that run's events; a normal
// rerun repeats none.
import path from 'node:path';
import type { ListFilters } from '../api/client';
import type { Deps } from '../deps';
import { FileError, UsageError } from '../errors';
import { checkSameExport, readCheckpoint, writeCheckpoint } from '../export/checkpoint';
import { runCycle } from '../export/cycle';
import type { ExportEvent } from '../export/events';
import { follow, seconds } from '../export/follow';
import { acquireLock } from '../export/lock';
import { mapLimit } from '../export/map-limit';
import { embedRecordings } from '../export/recordings';
import { shape, type ExportFormat } from '../export/schemas';
import { fileSink, stdoutSink, type Sink } from '../export/sinks';
import { describeTarget, parseSyslogUrl, syslogSink, type SyslogTarget } from '../export/sinks/syslog';
import { initialState, Tracker, type ExportState } from '../export/tracker';
import { toJson } from '../output/json';
import { inlineText } from '../text';
import type { SessionFilter, SessionStatus } from '../session';
import { DEFAULT_CONCURRENCY, DEFAULT_PAGE_SIZE } from '../settings/keys';
import type { CommandDefaults } from '../settings';
import { listFilters, type FilterFlags } from './list';

export const DEFAULT_CHECKPOINT = 'export-checkpoint.json';
export const DEFAULT_SINCE_MS = 24 * 3_600_000;
export const DEFAULT_EXPORT_INTERVAL_S = 30;
/** Recordings of this many ended sessions are fetched and rendered at once. */
const RECORDING_CONCURRENCY = 4;
/** Connecting to the syslog receiver, and its confirmation of a run's events, may take this long. */
const SYSLOG_TIMEOUT_MS = 30_000;

export interface ExportOptions {
  /** Unset: the default file in the state folder. */
  checkpoint?: string;
  reset: boolean;
  out?: string;
  syslog?: SyslogTarget;
  format: ExportFormat;
  withRecordings: boolean;
  follow: boolean;
  intervalMs: number;
  /** Which sessions count (no time window). */
  filter: SessionFilter;
  /** Which of them are exported, by their status when read. */
  statuses?: readonly SessionStatus[];
  hints: ListFilters;
  /** The filters as flags: a checkpoint belongs to one set of them. */
  filterFlags: string;
  /** Where the first run starts (ms). */
  since: number;
  pageSize: number;
  concurrency: number;
}

export interface RawExportFlags extends FilterFlags {
  checkpoint?: string;
  reset?: boolean;
  out?: string;
  syslog?: string;
  format?: ExportFormat;
  withRecordings?: boolean;
  follow?: boolean;
  interval?: number;
  pageSize?: number;
  concurrency?: number;
}

/** `defaults`: the page-size and concurrency settings, when more than defaults. */
export function exportOptions(raw: RawExportFlags, now: number, defaults: CommandDefaults = {}): ExportOptions {
  if (raw.until !== undefined) throw new UsageError('export has no --until: each run exports up to now (use list --until for a past window)');
  if (raw.out !== undefined && raw.syslog !== undefined) throw new UsageError('--out and --syslog contradict each other: an export has one destination');
  if (raw.interval !== undefined && !raw.follow) throw new UsageError('--interval only applies with --follow');
  for (const [flag, value] of [['--checkpoint', raw.checkpoint], ['--out', raw.out]] as const) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} needs a file name`);
  }
  const { filter, hints } = listFilters(raw);
  const syslog = raw.syslog === undefined ? undefined : parseSyslogUrl(raw.syslog);
  const format = raw.format ?? 'native';
  return {
    checkpoint: raw.checkpoint,
    reset: raw.reset === true,
    out: raw.out,
    syslog,
    format,
    withRecordings: raw.withRecordings === true,
    follow: raw.follow === true,
    intervalMs: (raw.interval ?? DEFAULT_EXPORT_INTERVAL_S) * 1000,
    filter: { ...filter, statuses: undefined, since: undefined, until: undefined },
    statuses: filter.statuses,
    hints: { ...hints, startAfter: undefined, startBefore: undefined, finished: undefined },
    filterFlags: filterFlags(filter),
    since: raw.since ?? now - DEFAULT_SINCE_MS,
    pageSize: raw.pageSize ?? defaults.pageSize ?? DEFAULT_PAGE_SIZE,
    concurrency: raw.concurrency ?? defaults.concurrency ?? DEFAULT_CONCURRENCY,
  };
}

/** The filters as a canonical line of flags (sorted values), to recognise the same export. */
export function filterFlags(f: SessionFilter): string {
  const flag = (name: string, values: readonly string[] | undefined) => (values?.length ? [`${name} ${[...new Set(values)].sort().join(',')}`] : []);
  return [
    ...flag('--socket', f.sockets),
    ...flag('--user', f.users?.map((u) => u.toLowerCase())),
    ...flag('--result', f.result ? [f.result] : undefined),
    ...flag('--status', f.statuses),
    ...flag('--type', f.types),
  ].join(' ');
}

export async function runExport(opts: ExportOptions, deps: Deps): Promise<void> {
  const { io } = deps;
  const file = opts.checkpoint ?? path.join(deps.stateDir, DEFAULT_CHECKPOINT);
  if (opts.checkpoint === undefined) {
    await deps.fs.mkdir(deps.stateDir).catch((err: unknown) => {
      throw new FileError(`cannot create ${inlineText(deps.stateDir)} for the checkpoint: ${inlineText((err as Error).message)} (give --checkpoint FILE)`, { cause: err });
    });
  }
  // First, before anything is read or written: a second run on this checkpoint stops here.
  const lock = await acquireLock(deps.fs, deps.host, file, deps.now());
  for (const note of lock.notes) io.warn(note);
  try {
    let rateLimited = false;
    const client = await deps.api({
      concurrency: opts.concurrency,
      onRetry: (r) => {
        // Said once per pass, and only when following: a one-off run is just slower.
        if (!opts.follow || r.status !== 429 || rateLimited) return;
        rateLimited = true;
        io.note(`${io.err.yellow('b0s:')} the API is rate limiting (HTTP 429 to ${inlineText(r.endpoint)}): slowing down, next try in ${seconds(r.waitMs)}`);
      },
    });
    const saved = opts.reset ? undefined : await readCheckpoint(deps.fs, file);
    if (saved) checkSameExport(saved, client.baseUrl, opts.filterFlags, opts.format, file);
    let state: ExportState = saved?.state ?? initialState(opts.since);
    let sink: Sink | undefined;
    try {
      const pass = async () => {
        rateLimited = false;
        // Before anything is read: a destination that cannot take events fails the pass at
        // once (with --follow, a syslog receiver that is away is tried again later).
        sink ??= await openSink(opts, deps);
        const out = sink;
        let count = 0;
        const tracker = new Tracker(state, opts.filter, opts.statuses);
        const outcome = await runCycle(tracker, {
          client,
          hints: opts.hints,
          pageSize: opts.pageSize,
          concurrency: opts.concurrency,
          signal: deps.signal,
          now: deps.now,
          warn: (line) => io.warn(line),
          emit: async (events) => {
            if (events.length === 0) return;
            if (opts.withRecordings) await withRecordings(events, client, deps.signal);
            await out.write(events.map((event) => ({ event, json: toJson(shape(event, opts.format)) })));
            count += events.length;
          },
        });
        if (outcome.dropped.length) {
          io.warn(`following at most ${outcome.state.live.length.toLocaleString('en-US')} live sessions: the ${outcome.dropped.length.toLocaleString('en-US')} oldest are no longer followed, their end will not be exported`);
        }
        // The events are safe where they went before the checkpoint says so.
        await out.commit();
        await writeCheckpoint(deps.fs, file, { api: client.baseUrl, filters: opts.filterFlags, format: opts.format, state: outcome.state }, deps.now());
        state = outcome.state;
        deps.debug(`export: ${count} events; sessions from ${new Date(state.highWater).toISOString()} on are next; ${state.live.length} live sessions followed; checkpoint ${file}`);
      };
      if (opts.follow) await follow({ intervalMs: opts.intervalMs, io, signal: deps.signal, sleep: deps.sleep }, pass);
      else await pass();
    } finally {
      await sink?.close().catch(() => {});
    }
  } finally {
    // The checkpoint is written by now (or the run failed): a lock left behind names this
    // process, and the next run removes it once this process is gone.
    await lock.release().catch((err: unknown) => io.warn(`cannot remove the lock: ${inlineText((err as Error).message)}`));
  }
}

async function openSink(opts: ExportOptions, deps: Deps): Promise<Sink> {
  if (opts.out !== undefined) return fileSink(deps.fs, opts.out, deps.io);
  if (opts.syslog !== undefined) {
    deps.debug(`export: sending to ${describeTarget(opts.syslog)}`);
    return syslogSink(opts.syslog, { hostname: deps.host.hostname, pid: deps.host.pid, timeoutMs: SYSLOG_TIMEOUT_MS });
  }
  return stdoutSink(deps.io, deps.signal);
}

async function withRecordings(events: ExportEvent[], client: Awaited<ReturnType<Deps['api']>>, signal: AbortSignal): Promise<void> {
  const ended = events.filter((e) => e.event === 'session.ended' && Array.isArray(e.session.recordings) && e.session.recordings.length > 0);
  await mapLimit(ended, RECORDING_CONCURRENCY, async (e) => {
    e.recordings = await embedRecordings(client, e.session, signal);
  });
}
