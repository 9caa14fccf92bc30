// An in-memory model of Border0's session list as a page walker meets it: newest first by
// start time, with sessions starting at the head and ageing out at the tail between any
// two answers, ties returned in a new order each time, lagging totals, capped or ignored
// page sizes, and the page bugs of real servers. It answers page requests the way
// GET /sessions does, records the truth, and checks a walk's output against it.
import type { ParsedPage } from '../../src/api/parse';
import type { Pagination, Session } from '../../src/api/types';

export type Quirk =
  | { kind: 'none' }
  | { kind: 'short'; page: number; keep: number }
  | { kind: 'empty'; page: number }
  | { kind: 'long'; page: number; extra: number }
  | { kind: 'ignore-size'; size: number }
  | { kind: 'lying-size'; size: number }
  | { kind: 'ignore-page' }
  | { kind: 'same-id' };

export interface ModelConfig {
  seed: number;
  initial: number;
  /** Sessions share start times in groups of 1 to this many. */
  tieMax: number;
  shuffleTies: boolean;
  /** Sessions that start before each answer, cycling through the list. */
  bursts: readonly number[];
  /** Sessions that age out before each answer. */
  ageOut: number;
  /** total_records as it was this many answers ago. */
  totalLag: number;
  /** The largest page size the server honours. */
  cap: number;
  pagination: 'full' | 'no-totals' | 'no-per-page' | 'none';
  quirk: Quirk;
}

interface Entry {
  id: string;
  time: number; // seconds
}

/** A small deterministic generator (mulberry32): the same seed, the same model. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class ListModel {
  /** Newest first. */
  private list: Entry[] = [];
  private readonly random: () => number;
  private nextId = 0;
  private newest = 1_700_000_000;
  private answers = 0;
  private readonly totals: number[] = [];
  /** Every session that was ever in the list. */
  readonly ever = new Map<string, number>();
  /** Sessions in the list when the first answer was made. */
  private atStart: Set<string> | undefined;
  private readonly removed = new Set<string>();
  readonly requests: Array<{ page: number; size: number }> = [];

  constructor(readonly config: ModelConfig) {
    this.random = rng(config.seed);
    // Built oldest first: times grow, in groups that share one.
    let time = 1_700_000_000;
    const oldestFirst: Entry[] = [];
    while (oldestFirst.length < config.initial) {
      const group = 1 + Math.floor(this.random() * config.tieMax);
      time += 1 + Math.floor(this.random() * 600);
      for (let i = 0; i < group && oldestFirst.length < config.initial; i++) oldestFirst.push(this.make(time));
    }
    this.newest = time;
    this.list = oldestFirst.reverse();
  }

  private make(time: number): Entry {
    const id = `00000000-0000-4000-8000-${(this.nextId++).toString(16).padStart(12, '0')}`;
    this.ever.set(id, time);
    return { id, time };
  }

  get size(): number {
    return this.list.length;
  }

  /** What changes before an answer: arrivals at the head, ageing out at the tail. */
  private step(): void {
    const burst = this.config.bursts.length ? (this.config.bursts[this.answers % this.config.bursts.length] as number) : 0;
    // Time only moves forward: arrivals are newer than anything ever listed.
    let head = this.newest;
    for (let i = 0; i < burst; i++) {
      // Arrivals may share a start time with the head, as sessions starting in one second do.
      head += this.random() < 0.3 ? 0 : 1;
      this.list.unshift(this.make(head));
      this.newest = head;
    }
    for (let i = 0; i < this.config.ageOut && this.list.length > 0; i++) this.removed.add((this.list.pop() as Entry).id);
  }

  /** The list as this answer orders it: ties shuffled when the server does that. */
  private ordered(): Entry[] {
    if (!this.config.shuffleTies) return this.list;
    const out = [...this.list];
    for (let i = 0; i < out.length; ) {
      let j = i + 1;
      while (j < out.length && (out[j] as Entry).time === (out[i] as Entry).time) j++;
      for (let k = j - 1; k > i; k--) {
        const r = i + Math.floor(this.random() * (k - i + 1));
        [out[k], out[r]] = [out[r] as Entry, out[k] as Entry];
      }
      i = j;
    }
    return out;
  }

  /** Answers one GET /sessions?page=&page_size=. */
  answer(req: { page: number; size: number }): ParsedPage {
    this.requests.push(req);
    this.step();
    this.answers++;
    if (this.atStart === undefined) this.atStart = new Set(this.list.map((e) => e.id));
    this.totals.push(this.list.length);
    const q = this.config.quirk;
    const page = q.kind === 'ignore-page' ? 1 : req.page;
    const size = q.kind === 'ignore-size' || q.kind === 'lying-size' ? q.size : Math.min(req.size, this.config.cap);
    const order = this.ordered();
    const from = (page - 1) * size;
    let entries = order.slice(from, from + size);
    if (q.kind === 'short' && q.page === page) entries = entries.slice(0, q.keep);
    if (q.kind === 'empty' && q.page === page) entries = [];
    if (q.kind === 'long' && q.page === page) entries = order.slice(from, from + size + q.extra);
    const sessions: Session[] = entries.map((e) => ({
      session_id: q.kind === 'same-id' ? (order[0] as Entry).id : e.id,
      socket_id: 'socket',
      start_time: new Date(e.time * 1000).toISOString(),
    }));
    const total = this.totals[Math.max(0, this.totals.length - 1 - this.config.totalLag)] as number;
    const pagination: Pagination = { current_page: page };
    // A lying server pages at its own size but claims the one asked.
    if (this.config.pagination !== 'no-per-page') pagination.records_per_page = q.kind === 'lying-size' ? req.size : size;
    if (this.config.pagination === 'full' || this.config.pagination === 'no-per-page') {
      pagination.total_records = total;
      pagination.total_pages = Math.ceil(total / size);
    }
    return { sessions, pagination: this.config.pagination === 'none' ? {} : pagination };
  }

  /**
   * Checks a walk's output against the truth: every session that existed from the first
   * answer to the end exactly once, nothing that never existed, none twice, newest first.
   * Returns what is wrong, or undefined.
   */
  check(ids: readonly string[]): string | undefined {
    const seen = new Set<string>();
    let previous = Infinity;
    for (const id of ids) {
      if (seen.has(id)) return `${id} given twice`;
      seen.add(id);
      const time = this.ever.get(id);
      if (time === undefined) return `${id} never existed`;
      if (time > previous) return `${id} out of order`;
      previous = time;
    }
    for (const id of this.atStart ?? []) {
      if (!this.removed.has(id) && !seen.has(id)) return `${id} (there from start to end) is missing`;
    }
    return undefined;
  }
}
