// b0s list: one page as the API pages it, or a walk over every page (--all, --limit,
// --since/--until) that yields each session once, written as it arrives.
import type { ListFilters } from '../api/client';
import { matchesFilters, walkSessions, type WalkProgress } from '../api/walk';
import type { Deps } from '../deps';
import { UsageError } from '../errors';
import type { Progress } from '../io';
import { outputFormat, type OutputFormat } from '../output/formats';
import { createListWriter, TABLE_CAP } from '../output/list-writer';
import { RECENT_LIMIT } from '../recent';
import type { Session } from '../api/types';

export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_CONCURRENCY = 8;

export interface ListOptions {
  /** Set for a single page; unset when walking. */
  page?: number;
  walk: boolean;
  pageSize: number;
  limit?: number;
  filters: ListFilters;
  since?: number;
  until?: number;
  concurrency: number;
  format: OutputFormat;
  wide: boolean;
}

interface RawListFlags {
  page?: number;
  pageSize?: number;
  all?: boolean;
  limit?: number;
  socket?: string[];
  user?: string[];
  result?: 'success' | 'denied';
  since?: number;
  until?: number;
  concurrency?: number;
  output?: OutputFormat;
  json?: boolean;
  wide?: boolean;
}

const rfc3339 = (t: number) => new Date(t).toISOString();

export function listOptions(raw: RawListFlags): ListOptions {
  if (raw.page !== undefined && raw.all) throw new UsageError('--page and --all contradict each other: --all reads every page');
  if (raw.page !== undefined && raw.limit !== undefined) throw new UsageError('--page and --limit contradict each other: --limit reads pages from the first');
  if (raw.since !== undefined && raw.until !== undefined && raw.since > raw.until) {
    throw new UsageError(`--since (${rfc3339(raw.since)}) is after --until (${rfc3339(raw.until)})`);
  }
  const windowed = raw.since !== undefined || raw.until !== undefined;
  const walk = raw.all === true || raw.limit !== undefined || (windowed && raw.page === undefined);
  // A small --limit needs no 100-session page, unless a client-side window thins the pages out.
  const pageSize = raw.pageSize ?? (raw.limit !== undefined && !windowed ? Math.min(DEFAULT_PAGE_SIZE, raw.limit) : DEFAULT_PAGE_SIZE);
  return {
    page: walk ? undefined : (raw.page ?? 1),
    walk,
    pageSize,
    limit: raw.limit,
    filters: {
      sockets: raw.socket,
      users: raw.user,
      result: raw.result,
      startAfter: raw.since === undefined ? undefined : rfc3339(raw.since),
      startBefore: raw.until === undefined ? undefined : rfc3339(raw.until),
    },
    since: raw.since,
    until: raw.until,
    concurrency: raw.concurrency ?? DEFAULT_CONCURRENCY,
    format: outputFormat(raw),
    wide: raw.wide === true,
  };
}

const n = (x: number) => x.toLocaleString('en-US');

export async function runList(opts: ListOptions, deps: Deps): Promise<void> {
  const { io } = deps;
  const client = await deps.api({ concurrency: opts.concurrency });
  const writer = createListWriter(opts.format, io, { now: deps.now(), wide: opts.wide });
  const footer = io.stdoutIsTTY && opts.format === 'table';
  // A terminal table shows short IDs: remember what it showed so they can be typed next.
  const shown: Session[] = [];
  const write = (batch: readonly Session[]) => {
    if (footer && shown.length < RECENT_LIMIT) shown.push(...batch.slice(0, RECENT_LIMIT - shown.length));
    return writer.write(batch);
  };
  const filtered = Boolean(opts.filters.sockets?.length || opts.filters.users?.length || opts.filters.result || opts.since !== undefined || opts.until !== undefined);

  try {
    if (opts.page !== undefined) {
      const { sessions, pagination } = await client.listSessions({ ...opts.filters, page: opts.page, pageSize: opts.pageSize }, deps.signal);
      // The server applies these filters; checking again costs nothing and guards against one that does not.
      const visible = filtered ? sessions.filter((s) => matchesFilters(s, opts.filters, opts.since, opts.until)) : sessions;
      await write(visible);
      await writer.end();
      if (footer) io.note(io.err.dim(pageFooter(opts.page, pagination.total_pages, pagination.total_records, visible.length)));
      if (shown.length) await deps.recent.remember(client.baseUrl, shown);
      return;
    }

    let progress: Progress | undefined = await io.progress('Fetching sessions…');
    const started = deps.now();
    let total: number | undefined;
    const onProgress = (p: WalkProgress) => {
      total = p.totalRecords;
      const rate = Math.round((p.sessions * 1000) / Math.max(1, deps.now() - started));
      const of = p.totalRecords !== undefined && !filtered ? ` of ${n(p.totalRecords)}` : '';
      const pages = p.totalPages !== undefined ? ` · page ${n(p.pages)} of ${n(p.totalPages)}` : ` · page ${n(p.pages)}`;
      progress?.update(`Fetching sessions: ${n(p.sessions)}${of}${pages} · ${n(rate)}/s`);
    };
    try {
      for await (const batch of walkSessions(client, { ...opts, signal: deps.signal, onProgress })) {
        // A spinner and table rows must not share a terminal line.
        if (io.stdoutIsTTY && batch.length && (opts.format !== 'table' || writer.count + batch.length >= TABLE_CAP)) {
          progress?.stop();
          progress = undefined;
        }
        await write(batch);
      }
    } finally {
      progress?.stop();
    }
    await writer.end();
    if (footer) io.note(io.err.dim(walkFooter(writer.count, total, filtered)));
    if (shown.length) await deps.recent.remember(client.baseUrl, shown);
  } catch (err) {
    // Whatever arrived stays valid: the JSON array is closed, table rows are printed.
    await writer.end().catch(() => {});
    throw err;
  }
}

function pageFooter(page: number, totalPages: number | null | undefined, totalRecords: number | null | undefined, shown: number): string {
  if (shown === 0 && page === 1) return 'No sessions found.';
  const parts = [totalPages ? `page ${n(page)} of ${n(totalPages)}` : `page ${n(page)}`];
  if (totalRecords !== undefined && totalRecords !== null) parts.push(`${n(totalRecords)} sessions`);
  if (totalPages && page < totalPages) parts.push('--all for every page');
  return parts.join(' · ');
}

function walkFooter(count: number, total: number | undefined, filtered: boolean): string {
  if (count === 0) return 'No sessions found.';
  const sessions = `${n(count)} session${count === 1 ? '' : 's'}`;
  return filtered && total !== undefined ? `${sessions} (of ${n(total)} read)` : sessions;
}
