// What a session *is* beyond the wire: its status, how long it lasted, and whether it
// matches what the user asked for. Pure functions: the clock is passed in.
import type { Session } from './api/types';
import { textOf } from './text';
import { timeOf } from './time';

export type SessionStatus = 'live' | 'ended' | 'killed' | 'denied';
export const SESSION_STATUSES: readonly SessionStatus[] = ['live', 'ended', 'killed', 'denied'];
/** The session types Border0 sockets are known to have; --type accepts others too. */
export const SESSION_TYPES: readonly string[] = ['ssh', 'database', 'http', 'kubernetes', 'tls', 'rdp', 'vnc', 'snowflake'];

export function statusOf(s: Session): SessionStatus {
  if (s.result === 'denied') return 'denied';
  if (s.killed === true) return 'killed';
  return s.end_time ? 'ended' : 'live';
}

/** Milliseconds the session lasted, or has lasted so far when live; undefined when unknown. */
export function durationOf(s: Session, now: number): number | undefined {
  const start = timeOf(s.start_time);
  const status = statusOf(s);
  if (start === undefined || status === 'denied') return undefined;
  const end = timeOf(s.end_time) ?? (status === 'live' ? now : timeOf(s.last_seen));
  return end === undefined ? undefined : Math.max(0, end - start);
}

/** The sessions a user asked for: each field filter is a list of accepted values. */
export interface SessionFilter {
  sockets?: readonly string[];
  /** Matched without regard to case, as email addresses are in practice. */
  users?: readonly string[];
  result?: 'success' | 'denied';
  statuses?: readonly SessionStatus[];
  types?: readonly string[];
  /** Start-time window, ms since the epoch, both ends included. */
  since?: number;
  until?: number;
}

export function isFiltered(f: SessionFilter): boolean {
  return Boolean(f.sockets?.length || f.users?.length || f.result || f.statuses?.length || f.types?.length || f.since !== undefined || f.until !== undefined);
}

export function matchesFilter(s: Session, f: SessionFilter): boolean {
  if (f.sockets?.length && !f.sockets.includes(textOf(s.socket_name))) return false;
  if (f.users?.length) {
    const email = textOf(s.user_email).toLowerCase();
    if (!f.users.some((u) => u.toLowerCase() === email)) return false;
  }
  if (f.result && s.result !== f.result) return false;
  if (f.statuses?.length && !f.statuses.includes(statusOf(s))) return false;
  if (f.types?.length && !f.types.includes(textOf(s.session_type).toLowerCase())) return false;
  if (f.since !== undefined || f.until !== undefined) {
    const t = timeOf(s.start_time);
    if (t === undefined) return false;
    if (f.since !== undefined && t < f.since) return false;
    if (f.until !== undefined && t > f.until) return false;
  }
  return true;
}
