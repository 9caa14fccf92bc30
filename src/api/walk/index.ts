// Walks every page of GET /sessions and yields each session exactly once, newest first.
// The walk's decisions are the pure state machine in machine.ts; this driver only asks
// for the pages it plans (several at once while the list holds still), hands the answers
// back in the order they were asked, and turns its verdicts into sessions or an error.
import { setMaxListeners } from 'node:events';
import { ApiError } from '../../errors';
import { timeOf } from '../../time';
import type { Border0Client, ListFilters } from '../client';
import { sessionKey, type ParsedPage } from '../parse';
import type { Session } from '../types';
import { absorb, plan, startWalk, WalkFailure, type Answer, type PageRequest, type WalkState } from './machine';
import { SeenIds } from './seen';

export interface WalkOptions {
  pageSize: number;
  concurrency: number;
  /** Stop after this many sessions have been yielded. */
  limit?: number;
  /** Only sessions that started at or after this (ms): the walk stops once past it. */
  since?: number;
  /** Which sessions to yield; the walk still passes every session in order. */
  keep?: (s: Session) => boolean;
  signal: AbortSignal;
  onProgress?(p: WalkProgress): void;
}

export interface WalkProgress {
  /** Pages answered. */
  pages: number;
  /** Sessions yielded. */
  sessions: number;
  /** Sessions in the list, as the server last counted them. */
  totalRecords?: number;
  totalPages?: number;
}

/** Fetches one page; the walk may ask for any page number and size. */
export type PageFetcher = (req: { page: number; size: number }, signal: AbortSignal) => Promise<ParsedPage>;

/** The widest page the walk asks for when it must widen (b0s's own --page-size limit). */
export const MAX_WALK_PAGE_SIZE = 1000;

export function walkSessions(client: Border0Client, filters: ListFilters, opts: WalkOptions): AsyncGenerator<Session[]> {
  return walkPages((req, signal) => client.listSessions({ ...filters, page: req.page, pageSize: req.size }, signal), opts);
}

export async function* walkPages(fetchPage: PageFetcher, opts: WalkOptions): AsyncGenerator<Session[]> {
  const controller = new AbortController();
  // One listener per request in flight: more than Node's default warning threshold of 10.
  setMaxListeners(0, controller.signal);
  const onAbort = () => controller.abort(opts.signal.reason);
  if (opts.signal.aborted) onAbort();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  const inFlight: Array<{ req: PageRequest; answer: Promise<ParsedPage> }> = [];
  const seen = new SeenIds();
  let state: WalkState = startWalk({
    pageSize: opts.pageSize,
    maxPageSize: Math.max(MAX_WALK_PAGE_SIZE, opts.pageSize),
    concurrency: opts.concurrency,
    since: opts.since,
    wanted: opts.keep ? undefined : opts.limit,
  });
  let pages = 0;
  let yielded = 0;
  const progress = () =>
    opts.onProgress?.({
      pages,
      sessions: yielded,
      totalRecords: state.total,
      totalPages: state.total === undefined ? undefined : Math.max(1, Math.ceil(state.total / opts.pageSize)),
    });

  try {
    for (;;) {
      const planned = verdict(() => plan(state));
      state = planned.state;
      for (const req of planned.requests) {
        const answer = fetchPage(req, controller.signal);
        // Awaited in order later; until then a failure must not count as unhandled.
        answer.catch(() => {});
        inFlight.push({ req, answer });
      }
      const next = inFlight.shift();
      if (!next) {
        if (state.done) break;
        throw new Error('the walk planned no page before reaching the end (a bug in b0s)');
      }
      const page = await next.answer;
      pages++;
      const absorbed = verdict(() => absorb(state, next.req, answerOf(page)));
      state = absorbed.state;
      let batch = absorbed.emit.map((i) => page.sessions[i] as Session);
      for (const s of batch) {
        if (!seen.add(sessionKey(s))) throw incomplete(`the API listed session ${sessionKey(s).slice(0, 36)} twice, at different places`);
      }
      if (opts.keep) batch = batch.filter(opts.keep);
      if (opts.limit !== undefined && yielded + batch.length >= opts.limit) {
        batch = batch.slice(0, opts.limit - yielded);
        state = { ...state, done: true };
      }
      yielded += batch.length;
      if (batch.length) yield batch;
      progress();
      if (state.done) break;
    }
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
    // Pages fetched ahead that are no longer wanted (--limit, --since, | head, errors).
    if (inFlight.length) controller.abort(new Error('walk finished'));
  }
}

function answerOf(page: ParsedPage): Answer {
  const p = page.pagination;
  return {
    keys: page.sessions.map((s) => ({ id: sessionKey(s), time: timeOf(s.start_time) ?? NaN })),
    total: p.total_records ?? undefined,
    perPage: p.records_per_page ?? undefined,
    page: p.current_page ?? undefined,
  };
}

function verdict<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof WalkFailure) throw incomplete(err.message);
    throw err;
  }
}

function incomplete(why: string): ApiError {
  return new ApiError(`cannot list every session: ${why}`);
}
