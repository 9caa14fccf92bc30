// b0s list: one page as the API pages it, or a walk over every page (--all, --limit,
// --since/--until) that yields each session once, written as it arrives.
import type { Border0Client, ListFilters } from '../api/client';
import { filterQuery } from '../api/filter-query';
import type { Session } from '../api/types';
import type { WalkProgress } from '../api/walk';
import type { Deps } from '../deps';
import { UsageError } from '../errors';
import type { Progress } from '../io';
import { outputFormat, type OutputFormat } from '../output/formats';
import { columnNames, createListWriter, TABLE_CAP, type ListWriter } from '../output/list-writer';
import { inlineText } from '../text';
import { RECENT_LIMIT } from '../recent';
import { isFiltered, matchesFilter, type SessionFilter, type SessionStatus } from '../session';
import type { CommandDefaults } from '../settings';
import { DEFAULT_CONCURRENCY, DEFAULT_PAGE_SIZE } from '../settings/keys';


export interface ListOptions {
  /** Set for a single page; unset when walking. */
  page?: number;
  walk: boolean;
  pageSize: number;
  limit?: number;
  /** What b0s itself checks on every session. */
  filter: SessionFilter;
  /** What is asked of the API too (it may ignore any of it). */
  hints: ListFilters;
  concurrency: number;
  format: OutputFormat;
  wide: boolean;
  /** --columns: the table's or the CSV's columns, in order. */
  columns?: string[];
  /** --jq: a jq filter over the whole result as one JSON array. */
  jq?: string;
  /** --follow: keep reading every interval, printing new sessions and state changes. */
  follow?: { intervalMs: number; since: number };
}

/** The flags every command that takes "list filters" shares. */
export interface FilterFlags {
  socket?: string[];
  user?: string[];
  result?: 'success' | 'denied';
  status?: SessionStatus[];
  type?: string[];
  since?: number;
  until?: number;
}

interface RawListFlags extends FilterFlags {
  page?: number;
  pageSize?: number;
  all?: boolean;
  limit?: number;
  concurrency?: number;
  output?: OutputFormat;
  json?: boolean;
  wide?: boolean;
  columns?: string[];
  jq?: string;
  follow?: boolean;
  interval?: number;
}

export const DEFAULT_FOLLOW_INTERVAL_S = 10;
/** Without --since, `list --follow` starts with the sessions of the last hour. */
export const FOLLOW_SINCE_MS = 3_600_000;

const rfc3339 = (t: number) => new Date(t).toISOString();

/**
 * The list filters as what b0s checks on every session (`filter`) and what is asked of
 * the API too (`hints`); contradictions are usage errors.
 */
/**
 * --socket and --user values go to the API in the query of every list request; web
 * servers commonly refuse a request line over 8 kB (HTTP 414 or 431), so what they add is
 * bounded here, as a usage error before any request.
 */
const MAX_FILTER_QUERY = 6000;

export function listFilters(raw: FilterFlags): { filter: SessionFilter; hints: ListFilters } {
  if (raw.since !== undefined && raw.until !== undefined && raw.since > raw.until) {
    throw new UsageError(`--since (${rfc3339(raw.since)}) is after --until (${rfc3339(raw.until)})`);
  }
  const statuses = raw.status ? [...new Set(raw.status)] : undefined;
  if (raw.result && statuses?.length) {
    const possible = statuses.filter((s) => (s === 'denied') === (raw.result === 'denied'));
    if (possible.length === 0) throw new UsageError(`--result ${raw.result} contradicts --status ${statuses.join(',')}: no session can be both`);
  }
  // As the request encodes them: the API's parameters, form-encoded.
  const sent = Object.entries(filterQuery({ sockets: raw.socket, users: raw.user })).filter((p): p is [string, string] => p[1] !== undefined);
  const asked = new URLSearchParams(sent).toString().length;
  if (asked > MAX_FILTER_QUERY) {
    throw new UsageError(`the --socket and --user values make ${asked.toLocaleString('en-US')} characters of query, more than a server is sure to take (${MAX_FILTER_QUERY.toLocaleString('en-US')}): give fewer or shorter ones`);
  }
  const filter: SessionFilter = {
    sockets: raw.socket,
    users: raw.user,
    result: raw.result,
    statuses,
    types: raw.type?.map((t) => t.toLowerCase()),
    since: raw.since,
    until: raw.until,
  };
  return { filter, hints: apiHints(filter) };
}

/** `defaults`: what the settings say where a flag was not given; `now` starts --follow. */
export function listOptions(given: RawListFlags, defaults: CommandDefaults = {}, now = Date.now()): ListOptions {
  const raw = { ...given, pageSize: given.pageSize ?? defaults.pageSize, concurrency: given.concurrency ?? defaults.concurrency };
  const shaped = shape(raw, defaults.output);
  if (raw.interval !== undefined && !raw.follow) throw new UsageError('--interval only applies with --follow');
  if (raw.follow) {
    for (const [flag, given] of [['--page', raw.page], ['--all', raw.all], ['--limit', raw.limit], ['--until', raw.until], ['--jq', raw.jq]] as const) {
      if (given !== undefined) throw new UsageError(`--follow and ${flag} contradict each other: --follow reads from --since on, for as long as it runs`);
    }
    if (shaped.format !== 'table' && shaped.format !== 'ndjson') throw new UsageError(`--follow writes events as they happen: -o table (NDJSON when piped) or -o ndjson, not ${shaped.format}`);
  }
  if (raw.page !== undefined && raw.all) throw new UsageError('--page and --all contradict each other: --all reads every page');
  if (raw.page !== undefined && raw.limit !== undefined) throw new UsageError('--page and --limit contradict each other: --limit reads pages from the first');
  const { filter, hints } = listFilters(raw);
  // Filters the API may not apply (a time window, a state, a type) would leave page 1
  // thinned out at random: without --page they read every page, as --all does.
  const windowed = filter.since !== undefined || filter.until !== undefined || Boolean(filter.statuses?.length) || Boolean(filter.types?.length);
  const walk = raw.all === true || raw.limit !== undefined || (windowed && raw.page === undefined);
  // A small --limit needs no 100-session page, unless b0s's own filters thin the pages out.
  const pageSize = raw.pageSize ?? (raw.limit !== undefined && !isFiltered(filter) ? Math.min(DEFAULT_PAGE_SIZE, raw.limit) : DEFAULT_PAGE_SIZE);
  return {
    page: walk ? undefined : (raw.page ?? 1),
    walk,
    pageSize,
    limit: raw.limit,
    filter,
    hints,
    concurrency: raw.concurrency ?? DEFAULT_CONCURRENCY,
    ...shaped,
    wide: raw.wide === true,
    follow: raw.follow ? { intervalMs: (raw.interval ?? DEFAULT_FOLLOW_INTERVAL_S) * 1000, since: raw.since ?? now - FOLLOW_SINCE_MS } : undefined,
  };
}

/**
 * The output format, --columns and --jq, which must agree: --jq works on JSON (it is the
 * output), --columns on the table and CSV. The `output` setting yields to either.
 */
function shape(raw: RawListFlags, setting: string | undefined): { format: OutputFormat; columns?: string[]; jq?: string } {
  if (raw.jq !== undefined) {
    const given = raw.json || raw.output !== undefined;
    if (raw.columns) throw new UsageError('--jq and --columns contradict each other: --jq picks fields itself (e.g. --jq \'.[] | [.user_email, .socket_name] | @tsv\')');
    const format = outputFormat(raw);
    if (given && format !== 'json') throw new UsageError(`--jq works on JSON and prints its own output: leave out -o ${format}`);
    if (raw.jq.trim() === '') throw new UsageError('--jq needs an expression, e.g. --jq \'.[].session_id\'');
    return { format: 'json', jq: raw.jq };
  }
  // An `output` setting applies only where the command can honour it: with --columns,
  // table or csv; with --follow, table or ndjson (else the command's own default).
  const fits = raw.columns && raw.follow ? ['table'] : raw.columns ? ['table', 'csv'] : raw.follow ? ['table', 'ndjson'] : undefined;
  const format = outputFormat(raw, fits && !fits.includes(setting ?? '') ? undefined : setting);
  if (!raw.columns) return { format };
  if (format !== 'table' && format !== 'csv') throw new UsageError(`--columns applies to -o table and -o csv, not -o ${format}; for JSON, pick fields with --jq`);
  const valid = columnNames(format);
  const columns = raw.columns.map((c) => c.toLowerCase());
  const unknown = columns.find((c) => !valid.includes(c));
  if (unknown !== undefined) throw new UsageError(`--columns: no column "${inlineText(unknown)}" in ${format === 'csv' ? 'the CSV' : 'the table'}; columns: ${valid.join(', ')}`);
  return { format, columns };
}

/** The part of a filter the API has parameters for. */
function apiHints(f: SessionFilter): ListFilters {
  const only = (...wanted: SessionStatus[]) => f.statuses !== undefined && f.statuses.length > 0 && f.statuses.every((s) => wanted.includes(s));
  return {
    sockets: f.sockets,
    // Addresses are stored in lower case in practice; b0s compares without case anyway.
    users: f.users?.map((u) => u.toLowerCase()),
    result: f.result ?? (only('denied') ? 'denied' : undefined),
    startAfter: f.since === undefined ? undefined : rfc3339(f.since),
    startBefore: f.until === undefined ? undefined : rfc3339(f.until),
    finished: only('live') ? false : only('ended', 'killed') ? true : undefined,
  };
}

const n = (x: number) => x.toLocaleString('en-US');

export async function runList(opts: ListOptions, deps: Deps): Promise<void> {
  if (opts.follow) {
    const { runListFollow } = await import('./list-follow');
    return runListFollow(opts, opts.follow, deps);
  }
  const { io } = deps;
  if (opts.jq !== undefined) await (await import('../output/jq')).checkJq(opts.jq);
  const client = await deps.api({ concurrency: opts.concurrency });
  // A terminal table may be long: page it (a no-op when piped or with --no-pager).
  if (opts.format === 'table') io.page();
  const writer = await listWriter(opts, deps);
  const footer = io.stdoutIsTTY && opts.format === 'table';
  // A terminal table shows short IDs: remember what it showed so they can be typed next.
  const shown: Session[] = [];
  const write = (batch: readonly Session[]) => {
    if (footer && shown.length < RECENT_LIMIT) shown.push(...batch.slice(0, RECENT_LIMIT - shown.length));
    return writer.write(batch);
  };
  const filtered = isFiltered(opts.filter);

  try {
    if (opts.page !== undefined) {
      const { sessions, pagination } = await client.listSessions({ ...opts.hints, page: opts.page, pageSize: opts.pageSize }, deps.signal);
      // The server applies what it can of the filter; checking again guards against one that does not.
      const visible = filtered ? sessions.filter((s) => matchesFilter(s, opts.filter)) : sessions;
      await write(visible);
      await writer.end();
      if (footer) io.note(io.err.dim(pageFooter(opts.page, pagination.total_pages, pagination.total_records, visible.length)));
      if (visible.length === 0 && opts.page === 1) await hintNoMatch(opts.filter, client, deps);
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
      // Pages answered include those read again or asked for past the end (with
      // --concurrency, ahead of knowing where it is): never more than the list has.
      const pages = p.totalPages !== undefined ? ` · page ${n(Math.min(p.pages, p.totalPages))} of ${n(p.totalPages)}` : ` · page ${n(p.pages)}`;
      progress?.update(`Fetching sessions: ${n(p.sessions)}${of}${pages} · ${n(rate)}/s`);
    };
    // Loaded for a walk only: one page (plain `b0s list`) needs none of it.
    const { walkSessions } = await import('../api/walk');
    const walk = walkSessions(client, opts.hints, {
      pageSize: opts.pageSize,
      concurrency: opts.concurrency,
      limit: opts.limit,
      since: opts.filter.since,
      keep: filtered ? (s) => matchesFilter(s, opts.filter) : undefined,
      signal: deps.signal,
      onProgress,
    });
    try {
      for await (const batch of walk) {
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
    if (writer.count === 0) await hintNoMatch(opts.filter, client, deps);
    if (shown.length) await deps.recent.remember(client.baseUrl, shown);
  } catch (err) {
    // Whatever arrived stays valid: the JSON array is closed, table rows are printed.
    await writer.end({ complete: false }).catch(() => {});
    throw err;
  }
}

async function listWriter(opts: ListOptions, deps: Deps): Promise<ListWriter> {
  const writerOpts = { now: deps.now(), wide: opts.wide, columns: opts.columns };
  if (opts.jq === undefined) return createListWriter(opts.format, deps.io, writerOpts);
  const { jqWriter, streams } = await import('../output/jq');
  if (!streams(opts.jq)) deps.debug('--jq: the expression needs the whole result, which is held in memory until the last page (.[] | … streams)');
  return createListWriter(opts.format, deps.io, writerOpts, jqWriter(opts.jq, deps.io));
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

/**
 * A filter that matched nothing may just be a typo: on a terminal, say which socket
 * names or users the API knows instead (one request to the stats endpoint).
 */
async function hintNoMatch(filter: SessionFilter, client: Border0Client, deps: Deps): Promise<void> {
  if (!deps.io.stderrIsTTY) return;
  const checks: Array<{ flag: string; kind: 'sockets' | 'users'; wanted: readonly string[]; field: string }> = [];
  if (filter.sockets?.length) checks.push({ flag: '--socket', kind: 'sockets', wanted: filter.sockets, field: 'socket_name' });
  if (filter.users?.length) checks.push({ flag: '--user', kind: 'users', wanted: filter.users, field: 'user_email' });
  for (const check of checks) {
    let known: string[];
    try {
      const rows = await client.sessionStats(check.kind, {}, deps.signal);
      known = Array.isArray(rows) ? rows.map((r) => (r && typeof r === 'object' ? (r as Record<string, unknown>)[check.field] : undefined)).filter((v): v is string => typeof v === 'string') : [];
    } catch (err) {
      deps.debug(`no hint for ${check.flag}: ${(err as Error).message}`);
      continue;
    }
    if (known.length === 0) continue;
    const lower = new Set(known.map((k) => k.toLowerCase()));
    const unknown = check.wanted.filter((w) => !lower.has(w.toLowerCase()));
    if (unknown.length === 0) continue;
    const examples = closest(unknown[0] as string, known).slice(0, 5).map(inlineText);
    deps.io.note(
      deps.io.err.dim(
        `hint: no sessions at all for ${check.flag} ${unknown.map(inlineText).join(',')}${check.kind === 'sockets' ? ' (socket names must match exactly)' : ''}; ${check.kind === 'sockets' ? 'sockets' : 'users'} with sessions include: ${examples.join(', ')}`,
      ),
    );
  }
}

/** Known names ordered by how few edits turn `word` into them. */
function closest(word: string, known: readonly string[]): string[] {
  const w = word.toLowerCase();
  return [...known].sort((a, b) => editDistance(w, a.toLowerCase()) - editDistance(w, b.toLowerCase()));
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}
