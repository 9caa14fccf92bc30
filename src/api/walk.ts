// Walks every page of GET /sessions and yields each session exactly once, newest first.
//
// The API pages by number over a live, newest-first list: a session that starts during
// the walk pushes every later session one place down, so page k fetched later holds
// some of what page k-1 already gave. The walk therefore never trusts page boundaries:
// it keeps a cursor (the last session passed on) and places each page relative to it,
// by ID when the cursor is in the page and by `total_records` drift when it is not.
// When a page cannot be placed (a gap opened), it re-reads the page that now holds the
// cursor. Sessions that arrived after the walk began sit before the first one and are
// never emitted, so the output is exactly the list as it stood when the walk began.
import { ApiError } from '../errors';
import { timeOf } from '../time';
import type { Border0Client, ListFilters } from './client';
import { sessionKey, type ParsedPage } from './parse';
import type { Session } from './types';

export interface WalkOptions {
  filters: ListFilters;
  pageSize: number;
  concurrency: number;
  /** Stop after this many sessions have been yielded. */
  limit?: number;
  /** Client-side window on start_time, ms since the epoch (the server may ignore the hints). */
  since?: number;
  until?: number;
  signal: AbortSignal;
  onProgress?(p: WalkProgress): void;
}

export interface WalkProgress {
  pages: number;
  sessions: number;
  /** Sessions in the list when the walk began (after server-side filters), when the server says. */
  totalRecords?: number;
  totalPages?: number;
}

interface Chunk {
  page: number;
  sessions: Session[];
  total?: number;
}

interface Cursor {
  key: string;
  /** Position of the cursor in the list as it stood when the walk began. */
  index: number;
}

// Pages in a row that failed to follow the cursor before the walk gives up.
const MAX_MISSES = 50;

export function matchesFilters(s: Session, f: ListFilters, since?: number, until?: number): boolean {
  if (f.sockets?.length && !f.sockets.includes(String(s.socket_name ?? ''))) return false;
  if (f.users?.length && !f.users.includes(String(s.user_email ?? ''))) return false;
  if (f.result && s.result !== f.result) return false;
  if (since !== undefined || until !== undefined) {
    const t = startOf(s);
    if (t === undefined) return false;
    if (since !== undefined && t < since) return false;
    if (until !== undefined && t > until) return false;
  }
  return true;
}

const startOf = (s: Session) => timeOf(s.start_time);

/** Keys of the sessions passed most recently: duplicates only ever sit near the cursor. */
class RecentKeys {
  private current = new Set<string>();
  private previous = new Set<string>();
  constructor(private readonly span: number) {}
  has(key: string): boolean {
    return this.current.has(key) || this.previous.has(key);
  }
  add(key: string): void {
    if (this.current.size >= this.span) {
      this.previous = this.current;
      this.current = new Set();
    }
    this.current.add(key);
  }
}

export async function* walkSessions(client: Border0Client, opts: WalkOptions): AsyncGenerator<Session[]> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(opts.signal.reason);
  opts.signal.addEventListener('abort', onAbort, { once: true });
  const pending = new Map<number, Promise<Chunk>>();

  const fetchPage = (page: number): Promise<Chunk> => {
    const p = client
      .listSessions({ ...opts.filters, page, pageSize: opts.pageSize }, controller.signal)
      .then((r: ParsedPage): Chunk => ({ page, sessions: r.sessions, total: r.pagination.total_records ?? undefined }));
    // Awaited later, in order; until then a failure must not count as unhandled.
    p.catch(() => {});
    return p;
  };

  try {
    const first = await fetchPage(1);
    const origin = first.total;
    // The server may cap the page size: page offsets follow what it actually returned.
    const size = first.sessions.length > 0 ? first.sessions.length : opts.pageSize;
    // Without total_records there is no drift to place pages by: read them one by one.
    const concurrency = origin === undefined ? 1 : opts.concurrency;
    const recent = new RecentKeys(2 * size);
    let drift = 0;
    let yielded = 0;
    let pages = 1;
    let cursor: Cursor = { key: '', index: -1 };

    const progress = () =>
      opts.onProgress?.({
        pages,
        sessions: yielded,
        totalRecords: origin,
        totalPages: origin === undefined ? undefined : Math.max(1, Math.ceil(origin / size)),
      });

    // Sessions that arrived since the walk began (drift), and how many arrived between
    // the last two answers that showed any (growth).
    let growth = 0;
    let lead = 0;
    const noteTotal = (chunk: Chunk) => {
      if (origin === undefined || chunk.total === undefined) return;
      const d = chunk.total - origin;
      // Answers to concurrent requests come back in any order: only a newer count counts.
      if (d > drift) growth = d - drift;
      if (d > drift || d < 0) drift = d;
    };

    // Moves the cursor over sessions that follow it and picks those the caller asked
    // for; `more` turns false once --limit or --since says the walk is over.
    const pass = (batch: Session[]): { out: Session[]; more: boolean } => {
      const fresh = batch.filter((s) => !recent.has(sessionKey(s)));
      if (fresh.length === 0) return { out: [], more: true };
      for (const s of fresh) recent.add(sessionKey(s));
      const last = fresh[fresh.length - 1] as Session;
      cursor = { key: sessionKey(last), index: cursor.index + fresh.length };
      let out = fresh.filter((s) => matchesFilters(s, opts.filters, opts.since, opts.until));
      let more = true;
      if (opts.limit !== undefined && yielded + out.length >= opts.limit) {
        out = out.slice(0, opts.limit - yielded);
        more = false;
      }
      // Newest first: once a page ends before --since, nothing after it can match.
      const lastStart = startOf(last);
      if (opts.since !== undefined && lastStart !== undefined && lastStart < opts.since) more = false;
      yielded += out.length;
      return { out, more };
    };

    // Where a chunk sits relative to the cursor: the sessions after it, 'behind' when
    // the cursor is already past all of it, or 'gap' when sessions between are missing.
    const place = (chunk: Chunk): Session[] | 'behind' | 'gap' => {
      const at = chunk.sessions.findIndex((s) => sessionKey(s) === cursor.key);
      if (at >= 0) return chunk.sessions.slice(at + 1);
      const chunkDrift = origin !== undefined && chunk.total !== undefined ? chunk.total - origin : drift;
      const offset = cursor.index + chunkDrift - (chunk.page - 1) * size;
      if (offset === -1) return chunk.sessions;
      return offset >= chunk.sessions.length ? 'behind' : 'gap';
    };

    const head = pass(first.sessions);
    if (head.out.length) yield head.out;
    progress();
    let more = head.more && first.sessions.length > 0 && (origin === undefined || origin > first.sessions.length);

    // Pages are fetched ahead while the list holds still; while it shifts under the walk
    // they would be stale on arrival, so the window closes to one until pages fit again.
    let window = concurrency;
    let next = 2;
    let scheduled = 1;
    let misses = 0;
    const lastPage = () => (origin === undefined ? next : Math.ceil((origin + drift) / size));
    // The page wanted now (fetched afresh after a miss), plus pages after it fetched ahead.
    const take = (page: number): Promise<Chunk> => {
      const chunk = pending.get(page) ?? fetchPage(page);
      pending.delete(page);
      scheduled = Math.max(scheduled, page);
      while (pending.size < window - 1 && scheduled < lastPage()) {
        scheduled++;
        pending.set(scheduled, fetchPage(scheduled));
      }
      return chunk;
    };

    while (more) {
      if (origin !== undefined && cursor.index + 1 >= origin) break;
      // The page that holds the cursor's successor as the list stands now (plus the
      // sessions expected to arrive before the answer, when they have outrun a page).
      const successor = Math.floor((cursor.index + 1 + drift + lead) / size) + 1;
      if (successor > next) {
        for (const page of pending.keys()) if (page < successor) pending.delete(page);
      } else if (successor < next) {
        pending.clear();
        scheduled = successor;
      }
      next = successor;
      const chunk = await take(next);
      pages++;
      noteTotal(chunk);
      const placed = place(chunk);
      const short = chunk.sessions.length < size;
      if (placed === 'behind' || placed === 'gap') {
        // The list shifted between answers: this page no longer follows the cursor.
        if (placed === 'behind' && short) break;
        if (++misses > MAX_MISSES) {
          throw new ApiError(`the session list kept shifting under the walk near session ${cursor.index + 1}; try again, or narrow it with --since`);
        }
        window = 1;
        lead = placed === 'behind' ? growth : 0;
        continue;
      }
      misses = 0;
      lead = 0;
      window = Math.min(concurrency, window * 2);
      next++;
      const r = pass(placed);
      if (r.out.length) yield r.out;
      progress();
      more = r.more && !short;
    }
    progress();
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
    // Pages fetched ahead that are no longer wanted (--limit, --since, | head, errors).
    if (pending.size) controller.abort(new Error('walk finished'));
  }
}
