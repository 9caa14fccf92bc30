// Walks every page of GET /sessions and yields each session exactly once, newest first.
//
// The API pages by number over a live, newest-first list: a session that starts during
// the walk pushes every later session one place down, so page k fetched later holds
// some of what page k-1 already gave. The walk therefore never trusts page boundaries:
// it keeps a cursor (the last session passed on) and places each page relative to it,
// by ID when the cursor is in the page and by `total_records` drift when it is not.
// When a page does not follow the cursor (the list moved between answers), it reads
// afresh the page that now holds the cursor's successor, and stops fetching ahead until
// pages fit again. Sessions that arrived after the walk began sit before the first one
// and are never emitted, so the output is exactly the list as it stood when it began.
import { ApiError } from '../errors';
import { textOf } from '../output/sanitize';
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
  /** The page size its page number counts in. */
  size: number;
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
// The largest page asked for when widening after misses (b0s's own --page-size limit).
const MAX_PAGE_SIZE = 1000;

export function matchesFilters(s: Session, f: ListFilters, since?: number, until?: number): boolean {
  if (f.sockets?.length && !f.sockets.includes(textOf(s.socket_name))) return false;
  if (f.users?.length && !f.users.includes(textOf(s.user_email))) return false;
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

  // Pages of the usual size are counted in the size page 1 showed (a server's
  // records_per_page is not always true). A widened page may be cut to the server's cap:
  // then what it holds, and its records_per_page, tell the size it was counted in.
  const fetchPage = (page: number, size: number, pageSize = opts.pageSize): Promise<Chunk> => {
    const p = client.listSessions({ ...opts.filters, page, pageSize }, controller.signal).then((r: ParsedPage): Chunk => {
      const cap = r.pagination.records_per_page;
      const counted = pageSize === opts.pageSize || r.sessions.length === pageSize || !cap || cap >= pageSize ? size : cap;
      return { page, size: counted, sessions: r.sessions, total: r.pagination.total_records ?? undefined };
    });
    // Awaited later, in order; until then a failure must not count as unhandled.
    p.catch(() => {});
    return p;
  };

  try {
    const first = await fetchPage(1, opts.pageSize);
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
      const offset = cursor.index + chunkDrift - (chunk.page - 1) * chunk.size;
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
    let widen = true;
    let next = 2;
    let scheduled = 1;
    let misses = 0;
    const lastPage = () => (origin === undefined ? next : Math.ceil((origin + drift) / size));
    // The page wanted now (fetched afresh after a miss), plus pages after it fetched ahead.
    const take = (page: number): Promise<Chunk> => {
      const chunk = pending.get(page) ?? fetchPage(page, size);
      pending.delete(page);
      scheduled = Math.max(scheduled, page);
      while (pending.size < window - 1 && scheduled < lastPage()) {
        scheduled++;
        pending.set(scheduled, fetchPage(scheduled, size));
      }
      return chunk;
    };

    while (more) {
      if (origin !== undefined && cursor.index + 1 >= origin) break;
      // Where the cursor's successor is as the list stands now (plus the sessions expected
      // to arrive before the answer, when they have outrun a page).
      const position = cursor.index + 1 + drift + lead;
      // After a miss, more may arrive between two answers than a page holds, and no page
      // of that size can be aimed: read one twice as large per miss around the position,
      // if the server honours the size asked for.
      const wide = widen && misses > 0 && size === opts.pageSize ? Math.min(MAX_PAGE_SIZE, size * 2 ** misses) : size;
      let chunk: Chunk;
      if (wide > size) {
        // Pages fetched ahead are stale by now; fetching ahead restarts from the next take.
        pending.clear();
        scheduled = 0;
        chunk = await fetchPage(Math.floor(position / wide) + 1, wide, wide);
        // A server that gives fewer than asked, where its total says more follow, caps its
        // pages: widening cannot help there.
        const tail = chunk.total !== undefined && (chunk.page - 1) * chunk.size + chunk.sessions.length >= chunk.total;
        if (chunk.size < wide || (chunk.sessions.length < wide && !tail)) widen = false;
      } else {
        const successor = Math.floor(position / size) + 1;
        if (successor > next) {
          for (const page of pending.keys()) if (page < successor) pending.delete(page);
        } else if (successor < next) {
          pending.clear();
          scheduled = 0;
        }
        next = successor;
        chunk = await take(next);
      }
      pages++;
      noteTotal(chunk);
      const placed = place(chunk);
      // Only a page of the usual size can say the list ended: a widened one may simply
      // have been cut to the server's cap.
      const short = chunk.size === size && chunk.sessions.length < size;
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
      if (chunk.size === size) next++;
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
