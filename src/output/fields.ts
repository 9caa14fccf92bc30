// What a human reads about a session, derived from the API's fields. Pure functions:
// the clock is passed in.
import type { Session } from '../api/types';
import { timeOf } from '../time';
import { textOf } from '../text';

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

export function relativeTime(t: number | undefined, now: number): string {
  if (t === undefined) return '-';
  if (Math.abs(now - t) >= 7 * 86_400_000) return new Date(t).toISOString().slice(0, 10);
  return timeFromNow(t, now);
}

/** "3h ago", "in 12d": however far, for a time printed in full beside it. */
export function timeFromNow(t: number, now: number): string {
  const diff = now - t;
  const abs = Math.abs(diff);
  const span =
    abs < 60_000 ? `${Math.floor(abs / 1000)}s` : abs < 3_600_000 ? `${Math.floor(abs / 60_000)}m` : abs < 86_400_000 ? `${Math.floor(abs / 3_600_000)}h` : `${Math.floor(abs / 86_400_000)}d`;
  return diff >= 0 ? `${span} ago` : `in ${span}`;
}

export function userOf(s: Session): string {
  return textOf(s.user_email || s.name || s.nickname || s.sub);
}

export function locationOf(s: Session): string {
  const ip = s.metadata?.ip_metadata;
  const city = ip?.city_name;
  const country = ip?.country_code || s.country_code;
  return [city, country].filter((x) => typeof x === 'string' && x !== '').join(', ');
}

export function socketOf(s: Session): string {
  return textOf(s.socket_name || s.socket_id);
}

export const SHORT_ID_LENGTH = 8;

export function shortId(id: unknown): string {
  return textOf(id).slice(0, SHORT_ID_LENGTH);
}

/** The one-argument form `show`, `replay` and `kill` accept. */
export function fullId(s: Session): string {
  return `${textOf(s.socket_id)}/${textOf(s.session_id)}`;
}
