// The page walk as plain data and pure functions: `plan` says which pages to ask for
// next, `absorb` takes one answer and says which of its sessions come next in the
// output. No I/O, no clock: property tests drive it against a model of a changing list.
//
// What the walk relies on: the API lists sessions newest first by start time, and each
// page is a slice of that list as it stands when the request is answered. Between
// answers anything may happen: sessions start (at the head, shifting every later
// position), old ones age out (at the tail), sessions that share a start time come back
// in another order, totals lag, pages come back shorter or longer than asked.
//
// How it stays exact: the cursor is a start time plus the IDs already passed at that
// time. An answer is only used when it is anchored: it holds a session strictly newer
// than the cursor (nothing between that session and the rest of the page can be
// missing, the list being sorted), or it is page 1 (nothing comes before the head).
// Sessions sharing the cursor's time are all in such a page unless the page is cut
// inside their group; the next page is then aimed to start before the group, wider.
// Pages are aimed by position (window.ts), and positions drift as the list moves, so an
// aim can miss; a miss re-aims with a wider page, and too many misses end the walk with
// an error that says what was seen. The end of the list is believed only when two pages
// with different page numbers, of sizes the server is known to use as asked, say so:
// totals lag, and some servers drop or cut pages.
import { chooseWindow, windowStartingAt, type Window } from './window';

export interface WalkConfig {
  /** The page size asked for (--page-size). */
  pageSize: number;
  /** The widest page b0s asks for when it must widen. */
  maxPageSize: number;
  /** Pages in flight at once, at most. */
  concurrency: number;
  /** Stop once the walk is past sessions that started before this (ms). */
  since?: number;
  /** Sessions wanted, when every session passed counts (no client-side filter). */
  wanted?: number;
}

/** What the walk needs of a session: its identity and start time (ms; NaN if unreadable). */
export interface Key {
  id: string;
  time: number;
}

/** One answer: the sessions in order, and the pagination fields the server sent. */
export interface Answer {
  keys: readonly Key[];
  total?: number;
  perPage?: number;
  page?: number;
}

export interface PageRequest extends Window {
  /** The aim this request belongs to: answers to an abandoned aim that miss are ignored. */
  epoch: number;
  /** Only asked to learn whether the server ignores page sizes: its sessions are not used. */
  probe?: boolean;
  /** How many requests were asked before this one. */
  serial: number;
}

/** A short page said the list ends inside it: believed once another page agrees. */
interface EndClaim {
  page: number;
  /** Where the list ended, as that answer saw it. */
  end: number;
  length: number;
  /** Short because the list ended, not because the server cut it to its own cap. */
  genuine: boolean;
  /** Requests asked from this serial on were answered after the claim was. */
  after: number;
}

export interface WalkState {
  readonly config: WalkConfig;
  /** Start time of the last session passed; +Infinity before the first answer. */
  readonly cursor: number;
  /** IDs passed so far that started at `cursor`. */
  readonly tied: readonly string[];
  /** Position (in the last useful answer) of the first session at or after the cursor. */
  readonly boundary: number;
  /** After misses: a page starting here began past the boundary (it lies between the two). */
  readonly above?: number;
  /** End of the last page used, when its position is certain (page 1, or a size the server honours). */
  readonly reach: number;
  /** Requests asked from this serial on were answered after the one that set `reach`. */
  readonly reachAfter: number;
  /** How far the boundary moved between two answers lately (sessions starting). */
  readonly drift: number;
  /** The most sessions sharing one start time in the last page used: pages overlap by more. */
  readonly tieSpan: number;
  /** Largest page size the server may honour (what it was seen to cut pages to). */
  readonly cap: number;
  /** A size the server seems to cut pages to without saying so: pages are kept to it. */
  readonly cut?: number;
  /**
   * The page size the server was seen to use as asked on two different pages (two, so
   * one buggy page cannot vouch alone): a page no larger that comes back short really
   * is short.
   */
  readonly honoured: number;
  /** The best such proof so far, by page: the second best becomes `honoured`. */
  readonly proof: { page: number; size: number };
  /** The page size the server uses whatever is asked, once it showed it ignores page_size. */
  readonly fixedSize?: number;
  /**
   * Whether the server pages at the sizes asked (it said so with records_per_page, or
   * the probe came back as asked): only then do page numbers say where pages start.
   * Until known, no page can say where the list ends.
   */
  readonly sizes: 'unknown' | 'honoured';
  /** The probe (not a records_per_page report) showed the sizes asked are used. */
  readonly probed?: boolean;
  /** The server reports records_per_page: every answer says whether it was cut. */
  readonly reportsSize?: boolean;
  /** An answer held more sessions than its records_per_page said: it is ignored from then on. */
  readonly distrusted?: boolean;
  /** Page 2 is to be asked once, at one less than the `length` page 1 held, to learn `sizes`. */
  readonly probe?: { length: number; asked: boolean };
  readonly epoch: number;
  /** Answers in a row, in the current aim, that did not move the walk. */
  readonly misses: number;
  /** Pages to keep in flight: grows while answers fit, drops to one after a miss. */
  readonly ahead: number;
  /** End of the last page planned in the current aim: the next one is chained after it. */
  readonly chainEnd?: number;
  readonly inFlight: number;
  readonly inFlightCurrent: number;
  /** The page number that just missed: the next page is cut differently (a server may drop one page). */
  readonly avoid: readonly number[];
  readonly claim?: EndClaim;
  /** The last page aimed at confirming an end was too narrow: the next may exceed `honoured`. */
  readonly widerNext?: boolean;
  /** The last page asked was page 1, to locate the end of a short list that keeps moving. */
  readonly located?: boolean;
  readonly requests: number;
  /** Sessions passed on (before any client-side filter). */
  readonly passed: number;
  /** The server's latest total_records: to plan (and to doubt an empty page 1), never to end. */
  readonly total?: number;
  /** Start-time span of the last useful page, per session (ms), to plan --since walks. */
  readonly msPerSession?: number;
  readonly done: boolean;
}

/** The answers leave no way to be sure the list is complete (exit 1, with what was seen). */
export class WalkFailure extends Error {}

const MAX_MISSES = 12;

export function startWalk(config: WalkConfig): WalkState {
  return {
    config,
    cursor: Infinity,
    tied: [],
    boundary: 0,
    reach: 0,
    reachAfter: 0,
    drift: 0,
    tieSpan: 1,
    cap: config.maxPageSize,
    honoured: 0,
    sizes: 'unknown',
    proof: { page: 0, size: 0 },
    epoch: 0,
    misses: 0,
    ahead: 1,
    inFlight: 0,
    inFlightCurrent: 0,
    avoid: [],
    requests: 0,
    passed: 0,
    done: false,
  };
}

/** Most pages a walk may ask for, given how far it got: a small multiple of what it needs. */
function budget(s: WalkState): number {
  // Counted in sessions passed on, which a server cannot inflate (unlike positions and
  // totals), and in pages of a size the server stated: a guessed cap buys nothing.
  return 16 + 2 * s.config.concurrency + 3 * Math.ceil(s.passed / Math.min(s.config.pageSize, s.cap));
}

/** The usual width of a page: a little over the page size, so pages can be cut to overlap. */
function usualWidth(s: WalkState): number {
  const n = s.config.pageSize;
  return Math.max(1, Math.min(s.cap, s.cut ?? Infinity, Math.max(n + 4, Math.ceil(n * 1.25))));
}

/** Width for the next page: room for what may start before it is answered, doubled per miss. */
function width(s: WalkState): number {
  const wanted = (usualWidth(s) + Math.ceil(s.drift * 1.5)) * 2 ** s.misses;
  return Math.max(1, Math.min(s.cap, s.cut ?? Infinity, s.config.maxPageSize, wanted));
}

/**
 * How many pages are worth having in flight, from --limit, --since, and how fast the list
 * moves: pages in flight are answered in any order, so each may see up to that many more
 * or fewer arrivals than the one before it, and must overlap it by that much.
 */
function worthAhead(s: WalkState): number {
  let pages = s.ahead;
  if (s.drift > 0) pages = Math.min(pages, 1 + Math.floor((usualWidth(s) - 2) / (4 * s.drift)));
  const per = usualWidth(s);
  if (s.config.wanted !== undefined) pages = Math.min(pages, Math.ceil(Math.max(1, s.config.wanted - s.passed) / per));
  if (s.config.since !== undefined && s.msPerSession !== undefined && Number.isFinite(s.cursor)) {
    pages = Math.min(pages, Math.ceil(Math.max(1, (s.cursor - s.config.since) / s.msPerSession) / per));
  }
  return Math.max(1, pages);
}

/** The pages to ask for now, and the state that knows they are in flight. */
export function plan(s: WalkState): { state: WalkState; requests: PageRequest[] } {
  if (s.done) return { state: s, requests: [] };
  const requests: PageRequest[] = [];
  let state = s;
  const ask = (w: Window) => {
    if (state.requests >= budget(state)) {
      throw new WalkFailure(
        `gave up after ${state.requests} requests for ${state.passed.toLocaleString('en-US')} sessions: the list changed faster than it could be read`,
      );
    }
    requests.push({ ...w, epoch: state.epoch, serial: state.requests });
    state = {
      ...state,
      requests: state.requests + 1,
      inFlight: state.inFlight + 1,
      inFlightCurrent: state.inFlightCurrent + 1,
      chainEnd: w.start + w.size,
    };
  };

  if (s.cursor === Infinity) {
    // Page 1 first: its answer says how the server pages.
    if (s.inFlight === 0) ask({ page: 1, size: s.config.pageSize, start: 0 });
    return { state, requests };
  }
  if (s.probe) {
    if (!s.probe.asked && s.inFlight === 0) {
      const size = s.probe.length - 1;
      requests.push({ page: 2, size, start: size, epoch: s.epoch, probe: true, serial: s.requests });
      state = { ...state, requests: state.requests + 1, inFlight: state.inFlight + 1, probe: { ...s.probe, asked: true } };
    }
    return { state, requests };
  }
  // After a miss, or to confirm an end, one page at a time.
  const limit = state.misses > 0 || state.claim !== undefined ? 1 : worthAhead(state);
  while (state.inFlightCurrent < limit) {
    // With nothing in flight, the page covers the last session before the boundary;
    // each page fetched ahead covers the last two of the one before it.
    const chained = state.inFlightCurrent > 0 && state.chainEnd !== undefined;
    let target = chained ? (state.chainEnd as number) - 1 - state.tieSpan - (limit - 1) * state.drift : state.boundary - 1;
    // Confirming an end while sessions keep starting (the last page held only newer
    // ones): the end is where the total says.
    if (state.claim && state.widerNext && state.total !== undefined) target = Math.max(target, state.total - state.tied.length - 1);
    // Past the end the total gives, one page in flight is enough to see the end.
    if (chained && state.total !== undefined && target >= state.total + state.drift) break;
    // Confirming an end takes another page number, and a size the server does not cut
    // (unless the last try was too narrow: its answer will show a bigger size is honoured).
    const avoid = new Set(state.claim ? [...state.avoid, state.claim.page] : state.avoid);
    const cautious = state.claim && !state.reportsSize && !state.widerNext;
    let widest = cautious ? Math.max(2, Math.min(width(state), state.honoured)) : width(state);
    if (!chained && state.above !== undefined) {
      // After misses the boundary lies between two positions, both moving with arrivals:
      // one page spanning both, or, if none can, one that halves the gap.
      const span = state.above - state.boundary + 2 * state.drift + state.tieSpan + 3;
      const widestAllowed = Math.min(state.cap, state.cut ?? Infinity, state.config.maxPageSize);
      if (span <= widestAllowed) widest = Math.max(widest, Math.min(widestAllowed, span));
      else target = Math.floor((state.boundary + state.above) / 2) - 1;
    }
    state = { ...state, widerNext: false };
    let w = chooseWindow(target, widest, { fixedSize: state.fixedSize, avoid });
    // When no such page can reach past the claimed end (a list of one page), the page
    // that starts there must come back empty instead (only a claim whose position is
    // certain can place it).
    const claim = state.claim;
    if (claim && (claim.genuine || claim.page === 1) && (w.page === claim.page || w.start + w.size <= claim.end)) {
      w = windowStartingAt(claim.end, width(state), { fixedSize: state.fixedSize, avoid });
    }
    // While arrivals keep moving the end of a short list, a page aimed at where it was
    // misses it: every other try, page 1 shows where it went (it cannot confirm an end
    // it claimed itself, but the next page, aimed there, can).
    const locate = claim !== undefined && state.misses > 0 && state.drift > 0 && state.total === undefined && !state.located && claim.end <= 2 * usualWidth(state);
    if (locate) w = { page: 1, size: width(state), start: 0 };
    state = { ...state, located: locate };
    // A page fetched ahead must reach past the one before it.
    if (chained && w.start + w.size <= (state.chainEnd as number)) break;
    ask(w);
  }
  return { state, requests };
}

export interface Absorbed {
  state: WalkState;
  /** Indexes into the answer's keys of the sessions that come next, in order. */
  emit: number[];
}

/** An answer placed in the list. */
interface Page {
  keys: readonly Key[];
  page: number;
  start: number;
  /** The page size its page number counts in. */
  size: number;
  /** Asked for in the current aim. */
  current: boolean;
  /** Where the request meant it to end. */
  planned: number;
  /** Its size is one the server honours: if it is short, the list really ends in it. */
  safe: boolean;
}

/** Takes the answer to one request (in the order they were asked). */
export function absorb(s0: WalkState, req: PageRequest, answer: Answer): Absorbed {
  const current = req.epoch === s0.epoch && !req.probe;
  const s1: WalkState = { ...s0, inFlight: s0.inFlight - 1, inFlightCurrent: s0.inFlightCurrent - (current ? 1 : 0) };
  if (s1.done) return { state: s1, emit: [] };
  const keys = answer.keys;
  checkPage(keys, req.page);
  const L = keys.length;
  // records_per_page is believed until an answer holds more sessions than it says; from
  // then on, nothing that was learnt from it is either.
  const lies = !s1.distrusted && answer.perPage !== undefined && L > answer.perPage;
  const s: WalkState = lies
    ? { ...s1, distrusted: true, sizes: s1.probed ? 'honoured' : 'unknown', reportsSize: false, cap: s1.config.maxPageSize, fixedSize: undefined, honoured: 0, proof: { page: 0, size: 0 }, claim: s1.claim && { ...s1.claim, genuine: false }, reach: 0 }
    : s1;
  const perPage = s.distrusted ? undefined : answer.perPage;
  if (req.probe) {
    // Page 2 gave as many as page 1 did, more than asked: the server picks its own page
    // size (and, if it said otherwise, its records_per_page is not to be believed).
    // Exactly as asked: it pages at the sizes asked. Fewer (the list ended) says nothing.
    const ignores = L > req.size && L === s.probe?.length;
    const sizes = ignores || L === req.size ? 'honoured' : s.sizes;
    return { state: { ...s, probe: undefined, fixedSize: ignores ? L : s.fixedSize, sizes, probed: sizes === 'honoured' }, emit: [] };
  }

  // Which positions the answer covers: the server may cap the size or ignore it.
  let cap = s.cap;
  let fixedSize = s.fixedSize;
  let size = fixedSize ?? req.size;
  if (perPage !== undefined && perPage > 0 && perPage !== req.size) {
    if (perPage < req.size) cap = Math.min(cap, perPage);
    else fixedSize = perPage;
    size = perPage;
  }
  const page = answer.page !== undefined && answer.page > 0 ? answer.page : req.page;
  const sizes = perPage !== undefined ? 'honoured' : s.sizes;
  // More than asked, and the server does not say why: one buggy page says nothing about
  // where it starts or ends.
  const long = perPage === undefined && fixedSize === undefined && L > req.size;
  // Page 2 is asked once, one smaller than page 1 came back: a server that picks its own
  // page size (and one that claims sizes it does not use) shows it there.
  const probe = s.cursor === Infinity && fixedSize === undefined && L >= 2 ? { length: L, asked: false } : s.probe;
  // A page that comes back short (or empty) ends the list only if the server used the
  // size asked: it said so, or two pages showed it uses sizes this large as asked.
  const known = sizes === 'honoured' || fixedSize !== undefined;
  const safe = known && !long && (fixedSize !== undefined || (perPage !== undefined && perPage >= req.size) || req.size <= s.honoured);
  // Only a page that came back exactly as asked (or that the server says was) shows the
  // size was used as asked: a shorter one may be the end, a longer one a bug.
  const asAsked = perPage !== undefined ? Math.min(perPage, req.size) : L === req.size ? L : 0;
  const { honoured, proof } = !long ? prove(s, page, asAsked) : s;
  const start = (page - 1) * size;
  const st: WalkState = { ...s, cap, fixedSize, sizes, honoured, proof, total: answer.total ?? s.total, probe, reportsSize: s.reportsSize || perPage !== undefined };
  const p: Page = { keys, page, start, size, current, planned: req.start + req.size, safe };

  if (L === 0) {
    if (start === 0) {
      // An empty page 1 is an empty list, unless the same answer counts sessions: no other
      // page can vouch for page 1, so ask again until the two agree (or give up).
      if (!answer.total) return { state: { ...st, done: true }, emit: [] };
      return miss(st, p, `page 1 was empty though the API counted ${answer.total} sessions`, {});
    }
    // Nothing where the last page used ended, or where another page said the list ends:
    // evidence that it ends there, if neither page could have been cut by a cap, and
    // this one was answered after (answered before, it saw a shorter list).
    const afterReach = start <= st.reach && req.serial >= st.reachAfter;
    const afterClaim = st.claim?.genuine && start <= st.claim.end && req.serial >= st.claim.after;
    if (p.safe && (afterReach || afterClaim)) return endsHere(st, p, st, []);
    // The list is shorter than where the page starts (aged out, or a server that drops
    // pages): aim before it, avoiding this page number.
    return miss(st, p, `page ${page} was empty`, { avoid: [page], ...tooLate(st, start) });
  }
  if (st.cursor === Infinity) return accept(st, p, 0);

  // The first session at or after the cursor.
  let k = 0;
  while (k < L && (keys[k] as Key).time > st.cursor) k++;
  if (start !== 0 && k === 0 && !(st.fixedSize !== undefined && exactContinuation(st, p))) {
    // It may have started past sessions not read yet.
    return miss(st, p, `page ${page} started past the last session read`, { avoid: [page], ...tooLate(st, start) });
  }
  if (k === L) {
    // Every session in it is newer than the cursor.
    if (L < size) return endsHere(st, p, st, []);
    // The boundary is past this page: it moved at least this far since it was seen.
    const reached = start + L;
    return miss(st, p, `page ${page} held only sessions newer than the last one read`, {
      boundary: Math.max(st.boundary, reached),
      drift: Math.min(st.config.maxPageSize, Math.max(st.drift, reached - st.boundary)),
      above: st.above !== undefined && st.above <= reached ? undefined : st.above,
      widerNext: st.claim !== undefined,
    });
  }
  return accept(st, p, k);
}

/** Records that `page` came back with `size` sessions or more, as asked. */
function prove(s: WalkState, page: number, size: number): Pick<WalkState, 'honoured' | 'proof'> {
  if (size <= s.honoured) return s;
  if (page === s.proof.page) return { honoured: s.honoured, proof: { page, size: Math.max(size, s.proof.size) } };
  return size > s.proof.size ? { honoured: s.proof.size, proof: { page, size } } : { honoured: size, proof: s.proof };
}

/**
 * A page at `start` came too late (it began past the boundary, or past the end): the
 * boundary is before it. If that contradicts where it was thought to be (sessions gone
 * from the middle of the list), look a page before.
 */
function tooLate(s: WalkState, start: number): Partial<WalkState> {
  const above = Math.min(s.above ?? Infinity, start);
  return above > s.boundary ? { above } : { above, boundary: Math.max(0, above - usualWidth(s)) };
}

/** A new aim: pages in flight belong to the old one, and one page at a time until one fits. */
function reaim(s: WalkState): WalkState {
  return { ...s, epoch: s.epoch + 1, inFlightCurrent: 0, chainEnd: undefined, ahead: 1 };
}

function miss(st: WalkState, p: Page, why: string, patch: Partial<WalkState>): Absorbed {
  // An answer to an abandoned aim is stale: missing is expected of it.
  if (!p.current) return { state: st, emit: [] };
  const misses = st.misses + 1;
  if (misses > MAX_MISSES) throw new WalkFailure(`gave up after ${misses} pages in a row that did not continue the list (last: ${why})`);
  return { state: reaim({ ...st, avoid: [], ...patch, misses }), emit: [] };
}

/**
 * Whether a page that starts with a session older than the cursor follows it with
 * nothing in between. Only used when the server ignores page sizes (pages then cannot
 * overlap), and only sound if sessions never disappear from the middle of the list:
 * the page must start where the last one ended.
 */
function exactContinuation(s: WalkState, p: Page): boolean {
  return (p.keys[0] as Key).time < s.cursor && p.start <= s.reach;
}

/**
 * A page that says the list ends inside it (an anchored page that came back short, or
 * an empty page where the last one ended), as its answer saw it. Believed when two
 * pages with different page numbers say so, each of a size the server does not cut
 * (the second adding nothing): totals lag, and a single page may be cut by a bug.
 */
function endsHere(s: WalkState, p: Page, state: WalkState, emit: number[]): Absorbed {
  const claim: EndClaim = { page: p.page, end: p.start + p.keys.length, length: p.keys.length, genuine: p.safe, after: s.requests };
  if (emit.length > 0) return { state: reaim({ ...state, claim, misses: 0 }), emit };
  if (p.safe && s.claim?.genuine && s.claim.page !== p.page) return { state: { ...state, done: true }, emit };
  // Not yet two pages that say so: keep the claim that counts most, and ask again.
  return miss(state, p, `only page ${s.claim?.page ?? p.page} said where the list ends`, { claim: s.claim?.genuine && !p.safe ? s.claim : claim });
}

function accept(s: WalkState, p: Page, k: number): Absorbed {
  const { keys, start } = p;
  const L = keys.length;
  const emit: number[] = [];
  const passedAtCursor = new Set(s.tied);
  for (let i = k; i < L; i++) {
    const key = keys[i] as Key;
    if (key.time === s.cursor && passedAtCursor.has(key.id)) continue;
    emit.push(i);
  }
  const last = keys[L - 1] as Key;
  const cursor = last.time;
  let firstOfLast = L - 1;
  while (firstOfLast > 0 && (keys[firstOfLast - 1] as Key).time === cursor) firstOfLast--;
  let tieSpan = 1;
  for (let i = 1, run = 1; i < L; i++) {
    run = (keys[i] as Key).time === (keys[i - 1] as Key).time ? run + 1 : 1;
    tieSpan = Math.max(tieSpan, run);
  }
  // How far the old boundary moved since it was seen: sessions that started meanwhile.
  const moved = Number.isFinite(s.cursor) ? start + k - s.boundary : 0;
  const span = L > 1 ? ((keys[0] as Key).time - cursor) / (L - 1) : 0;
  let state: WalkState = {
    ...s,
    cursor,
    tied: cursor === s.cursor ? [...s.tied, ...emit.map((i) => (keys[i] as Key).id)] : keys.slice(firstOfLast).map((key) => key.id),
    boundary: start + firstOfLast,
    above: undefined,
    reach: p.safe || start === 0 ? start + L : 0,
    reachAfter: s.requests,
    drift: Math.max(0, Math.min(moved, s.config.maxPageSize)),
    tieSpan,
    passed: s.passed + emit.length,
    msPerSession: span > 0 ? span : s.msPerSession,
  };
  if (emit.length > 0 && s.claim !== undefined) {
    // Sessions after where a short page said the list ends: it was cut, not the end. A
    // server that caps pages without saying so: ask for no more than it gave.
    // (Not below what two pages proved: one buggy page must not shrink every page.)
    const cut = Math.max(2, s.claim.length, state.honoured);
    state = { ...state, cut: s.claim.genuine ? state.cut : Math.min(state.cut ?? cut, cut), claim: undefined };
  }
  if (s.config.since !== undefined && cursor < s.config.since) return { state: { ...state, done: true }, emit };
  if (L < p.size) return endsHere(s, p, state, emit);

  if (emit.length === 0 && cursor === s.cursor) {
    // The page did not reach past the cursor: it ended on it, or inside the group of
    // sessions sharing its time. The next one must start before and reach further.
    // (Hopeless only when even the widest page, starting just before the group, is filled
    // by it, or when page sizes cannot be chosen.)
    const group = L - k;
    if (group > 1 && (state.fixedSize !== undefined || group >= Math.min(state.cap, state.cut ?? Infinity, state.config.maxPageSize) - 1)) {
      throw new WalkFailure(
        `more sessions started at ${new Date(cursor).toISOString()} than one page (${L}) holds, and their order changes between answers, so no page shows them all`,
      );
    }
    return miss(state, p, `page ${p.page} did not reach past the last session read`, { widerNext: state.claim !== undefined });
  }
  const ahead = Math.min(s.config.concurrency, Math.max(1, s.ahead * 2));
  state = { ...state, misses: 0, avoid: [], ahead };
  // Pages fetched ahead were chained after where this one was meant to end.
  if (p.current && start + L !== p.planned) state = { ...state, epoch: state.epoch + 1, inFlightCurrent: 0, chainEnd: undefined };
  return { state, emit };
}

/** A page the walk cannot place: sessions without a start time, out of order, or listed twice. */
function checkPage(keys: readonly Key[], page: number): void {
  const ids = new Set<string>();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as Key;
    if (!Number.isFinite(key.time)) {
      throw new WalkFailure(`page ${page} holds a session without a readable start_time (${key.id.slice(0, 36)}), so it cannot be placed in the list`);
    }
    if (i > 0 && key.time > (keys[i - 1] as Key).time) {
      throw new WalkFailure(`page ${page} is not in start-time order (newest first), so pages cannot be joined safely`);
    }
    if (ids.has(key.id)) throw new WalkFailure(`page ${page} lists session ${key.id.slice(0, 36)} twice`);
    ids.add(key.id);
  }
}
