// What `b0s export` emits: one event per thing that happened to a session (it started,
// it ended, it was killed), each with an ID that is a pure function of the session and
// the kind of event, so a SIEM can drop an event it has already seen.
import { createHash } from 'node:crypto';
import type { Session } from '../api/types';
import { textOf } from '../text';
import { timeOf } from '../time';

export type EventKind = 'session.started' | 'session.ended' | 'session.killed';

/** A recording embedded in a `session.ended` event (--with-recordings). */
export interface EmbeddedRecording {
  recording_id: string;
  recording_type: string | null;
  start_time: string | null;
  /** What `b0s replay` prints, cut at a cap (see `truncated`). */
  text?: string;
  /** What a terminal recording printed and then took off the screen (see `b0s replay`). */
  hidden?: string[];
  /** Log recordings (queries, requests): one object per line, as recorded. */
  records?: unknown[];
  /** The text, the hidden lines or the records were cut at their caps. */
  truncated?: boolean;
  /** Why there is no text: the recording could not be fetched or has no text form. */
  error?: string;
}

/** The native envelope, exactly as written with --format native. */
export interface ExportEvent {
  event: EventKind;
  event_id: string;
  /** RFC 3339, UTC, milliseconds. */
  event_time: string;
  /** The session object exactly as the API sent it. */
  session: Session;
  /** The socket's name, when `session` comes from the per-session endpoint, which leaves it out. */
  socket_name?: string;
  recordings?: EmbeddedRecording[];
}

/** What has been exported of a session so far. */
export interface Exported {
  started: boolean;
  killed: boolean;
}

export const NOTHING_EXPORTED: Exported = { started: false, killed: false };

/** `socket_id/session_id`: what names a session for the per-session endpoints. */
export function keyOf(s: { socket_id?: unknown; session_id?: unknown }): string {
  return `${textOf(s.socket_id)}/${textOf(s.session_id)}`;
}

/** A session that can change no more: it ended, or was denied at the door. */
export function isOver(s: Session): boolean {
  return Boolean(s.end_time) || s.result === 'denied';
}

// Names events of b0s: a random namespace, fixed forever (changing it changes every ID).
const NAMESPACE = Buffer.from('5f0e4a3c9b2d4e8f8a61c7d2b3e4f509', 'hex');

/** A UUID version 5 (RFC 9562: SHA-1 of a namespace and a name) of the session and the event kind. */
export function eventId(s: Session, kind: EventKind): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${keyOf(s)}/${kind}`, 'utf8').digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * The events of a session not exported yet, in the order they happened. `observed` (ms)
 * stands in for a time the API did not send (a kill reported before its end time).
 */
export function newEvents(s: Session, done: Exported, observed: number, socketName?: string): ExportEvent[] {
  const out: ExportEvent[] = [];
  const make = (event: EventKind, time: number | undefined): ExportEvent => {
    const e: ExportEvent = { event, event_id: eventId(s, event), event_time: iso(time ?? observed), session: s };
    if (socketName !== undefined && !s.socket_name) e.socket_name = socketName;
    return e;
  };
  if (!done.started) out.push(make('session.started', timeOf(s.start_time)));
  const end = timeOf(s.end_time);
  if (s.killed === true && !done.killed) out.push(make('session.killed', end ?? timeOf(s.last_seen)));
  if (s.end_time) out.push(make('session.ended', end));
  return out;
}
