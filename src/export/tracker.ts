// What an export remembers between runs, and how one run moves it on: which sessions are
// new (started at or after the high-water mark and not already passed there), which
// sessions seen live are still to be re-read until they end, and which events each of
// them has not had yet. Pure: sessions in, events and the next state out.
import type { Session } from '../api/types';
import { matchesFilter, type SessionFilter, type SessionStatus } from '../session';
import { timeOf } from '../time';
import { isOver, keyOf, newEvents, NOTHING_EXPORTED, type ExportEvent } from './events';

/** A session seen live, re-read on every run until it is over. */
export interface LiveEntry {
  socket_id: string;
  session_id: string;
  start_time: string;
  /** The list gives it, the per-session endpoint does not. */
  socket_name?: string;
  /** Its started event was exported (it matched --status when seen). */
  started: boolean;
  /** Its killed event was exported (killed, still waiting for its end time). */
  killed: boolean;
}

export interface ExportState {
  /** Start time (ms) from which the next walk reads; never moves back. */
  highWater: number;
  /** Sessions (`socket_id/session_id`) already passed that started exactly at `highWater`. */
  atHighWater: string[];
  live: LiveEntry[];
}

/**
 * At most this many IDs at the high-water mark are kept (the sessions that started in the
 * same millisecond, in practice in the same second). Beyond it, a session that started in
 * that second may be exported twice: never lost.
 */
export const MAX_AT_HIGH_WATER = 10_000;
/**
 * At most this many live sessions are re-read per run. Beyond it the oldest are dropped
 * (their end and kill are then not exported), with a warning saying how many.
 */
export const MAX_LIVE = 10_000;

export function initialState(since: number): ExportState {
  return { highWater: since, atHighWater: [], live: [] };
}

export interface Outcome {
  state: ExportState;
  /** Live sessions dropped past MAX_LIVE, oldest first. */
  dropped: LiveEntry[];
}

export class Tracker {
  /** Where this run's walk starts: the high-water mark of the run before. */
  readonly since: number;
  /** Sessions at `since` already passed by the run before (the walker passes each other one once). */
  private readonly passed: Set<string>;
  private readonly live = new Map<string, LiveEntry>();
  /** Live sessions already brought up to date in this run. */
  private readonly current = new Set<string>();
  private highWater: number;
  private atHighWater: Set<string>;

  /**
   * `filter`: which sessions count at all (no time window); `statuses`: which of them are
   * exported, by their status when read (a live one that does not match yet is re-read
   * until it does, or is over).
   */
  constructor(
    state: ExportState,
    private readonly filter: SessionFilter,
    private readonly statuses: readonly SessionStatus[] | undefined,
  ) {
    this.since = state.highWater;
    this.highWater = state.highWater;
    this.passed = new Set(state.atHighWater);
    this.atHighWater = new Set(state.atHighWater);
    for (const e of state.live) this.live.set(keyOf(e), e);
  }

  /** A session from the walk (started at or after `since`): the events it brings. */
  listed(s: Session, observed: number): ExportEvent[] {
    const key = keyOf(s);
    const start = timeOf(s.start_time);
    // Without a start time a session cannot be placed against the high-water mark.
    if (start === undefined) return [];
    if (start >= this.since) this.raise(start, key);
    if (this.live.has(key)) return this.update(key, s, observed);
    if (start < this.since || this.passed.has(key)) return [];
    if (!matchesFilter(s, this.filter)) return [];
    return this.absorb(key, s, { started: false, killed: false, socket_name: textOrUndefined(s.socket_name) }, observed);
  }

  /** Live sessions this run has not brought up to date yet: to be read one by one. */
  stale(): LiveEntry[] {
    return [...this.live.values()].filter((e) => !this.current.has(keyOf(e)));
  }

  /** A live session read again; `gone` when the API no longer has it (404): it is dropped. */
  reread(entry: LiveEntry, s: Session | 'gone', observed: number): ExportEvent[] {
    const key = keyOf(entry);
    if (s !== 'gone') return this.update(key, s, observed);
    this.current.add(key);
    this.live.delete(key);
    return [];
  }

  outcome(): Outcome {
    const live = [...this.live.values()].sort((a, b) => (timeOf(b.start_time) ?? 0) - (timeOf(a.start_time) ?? 0));
    const dropped = live.splice(MAX_LIVE).reverse();
    return {
      state: { highWater: this.highWater, atHighWater: [...this.atHighWater].slice(0, MAX_AT_HIGH_WATER), live },
      dropped,
    };
  }

  private raise(start: number, key: string): void {
    if (start > this.highWater) {
      this.highWater = start;
      this.atHighWater = new Set();
    }
    if (start === this.highWater) this.atHighWater.add(key);
  }

  private update(key: string, s: Session, observed: number): ExportEvent[] {
    const entry = this.live.get(key);
    if (!entry || this.current.has(key)) return [];
    return this.absorb(key, s, entry, observed);
  }

  /** The session's events not exported yet, if it is to be exported now; tracks it while live. */
  private absorb(key: string, s: Session, entry: Pick<LiveEntry, 'started' | 'killed' | 'socket_name'>, observed: number): ExportEvent[] {
    const wanted = entry.started || !this.statuses?.length || matchesFilter(s, { statuses: this.statuses });
    const events = wanted ? newEvents(s, entry.started ? entry : NOTHING_EXPORTED, observed, entry.socket_name) : [];
    this.current.add(key);
    if (isOver(s)) {
      this.live.delete(key);
    } else {
      this.live.set(key, {
        socket_id: s.socket_id,
        session_id: s.session_id,
        start_time: textOrUndefined(s.start_time) ?? '',
        ...(entry.socket_name ? { socket_name: entry.socket_name } : {}),
        started: entry.started || wanted,
        killed: entry.killed || (wanted && s.killed === true),
      });
    }
    return events;
  }
}

function textOrUndefined(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
