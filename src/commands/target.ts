// Which session `show`, `replay` and `kill` act on: `<socket_id> <session_id>`,
// `<socket_id>/<session_id>`, or a session ID (or the short form the list table shows)
// alone, looked up among the most recent sessions.
import type { Border0Client } from '../api/client';
import type { Session } from '../api/types';
import { walkSessions } from '../api/walk';
import { NotFoundError, UsageError } from '../errors';
import { relativeTime, socketOf, userOf } from '../output/fields';
import { timeOf } from '../time';
import { inlineText, textOf } from '../text';
import type { RecentEntry, RecentSessions } from '../recent';

/** A session by its IDs (with the session itself when it was already fetched), or an ID or prefix to look up. */
export type TargetSpec = { socketId: string; sessionId: string; session?: Session } | { lookup: string };

export interface Target {
  socketId: string;
  sessionId: string;
  /** Known when the session was looked up: the detail endpoint does not name the socket. */
  socketName?: string;
  /** The session itself, when resolving already fetched it. */
  session?: Session;
}

export interface ResolveContext {
  now: number;
  signal: AbortSignal;
  recent: RecentSessions;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PREFIX = /^[0-9a-f][0-9a-f-]{3,35}$/i;
export const LOOKUP_DEPTH = 1000;

function uuid(what: string, value: string): string {
  if (!UUID.test(value)) {
    throw new UsageError(`${what} must be a UUID such as 93227a7e-8724-4be5-a5c5-2729f615ac50, got "${value}"`);
  }
  return value.toLowerCase();
}

export function parseTarget(first: string, second: string | undefined): TargetSpec {
  if (second !== undefined) return { socketId: uuid('the socket ID', first), sessionId: uuid('the session ID', second) };
  const slash = first.indexOf('/');
  if (slash >= 0) {
    return { socketId: uuid('the socket ID', first.slice(0, slash)), sessionId: uuid('the session ID', first.slice(slash + 1)) };
  }
  if (UUID.test(first) || PREFIX.test(first)) return { lookup: first.toLowerCase() };
  throw new UsageError(
    `"${first}" is not a session: give <socket_id> <session_id>, <socket_id>/<session_id>, or a session ID (or its first 4+ characters) alone`,
  );
}

function describe(s: Session, now: number): string {
  return `${inlineText(textOf(s.session_id).slice(0, 13))}… ${inlineText(userOf(s))} on ${inlineText(socketOf(s))}, ${relativeTime(timeOf(s.start_time), now)}`;
}

export async function resolveTarget(spec: TargetSpec, client: Border0Client, ctx: ResolveContext): Promise<Target> {
  if (!('lookup' in spec)) return { ...spec, socketName: await ctx.recent.socketName(client.baseUrl, spec.socketId) };
  const wanted = spec.lookup;
  const remembered = await ctx.recent.find(client.baseUrl, wanted);
  if (remembered.length === 1) {
    const [r] = remembered as [RecentEntry];
    // The table that showed it may be old: the session must still be there.
    const session = await client.getSession(r.socketId, r.sessionId, ctx.signal).catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    });
    if (session) return { socketId: r.socketId, sessionId: r.sessionId, socketName: r.socketName, session };
  }
  const exact = UUID.test(wanted);
  const found: Session[] = [];
  const walk = walkSessions(client, {}, { pageSize: 100, concurrency: 4, limit: LOOKUP_DEPTH, signal: ctx.signal });
  search: for await (const batch of walk) {
    for (const s of batch) {
      const id = textOf(s.session_id).toLowerCase();
      if (exact ? id === wanted : id.startsWith(wanted)) {
        found.push(s);
        // A full ID is unique: no need to read further.
        if (exact) break search;
      }
    }
  }
  const [only] = found;
  if (!only) {
    throw new NotFoundError(
      `no session ${exact ? 'with ID' : 'whose ID starts with'} ${wanted} among the ${LOOKUP_DEPTH.toLocaleString('en-US')} most recent; give it as <socket_id> <session_id>`,
    );
  }
  if (found.length > 1) {
    const shown = found.slice(0, 5).map((s) => describe(s, ctx.now));
    throw new UsageError(`${wanted} matches ${found.length} sessions (${shown.join('; ')}${found.length > 5 ? '; …' : ''}): give more characters or <socket_id>/<session_id>`);
  }
  return { socketId: textOf(only.socket_id), sessionId: textOf(only.session_id), socketName: textOf(only.socket_name) || undefined };
}

/** The session, or undefined when the API or the lookup says there is none. */
function unlessNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  return p.catch((err: unknown) => {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  });
}

/**
 * Two bare UUIDs are one session (`<socket_id> <session_id>`) or two sessions, and the
 * arguments alone cannot tell which (`xargs b0s kill` with two session IDs). The API is
 * asked rather than guessed: the pair as socket and session first. Socket and session
 * IDs are random UUIDs, so a pair the API knows is the answer, and costs one request;
 * only otherwise is each ID looked up as a session. Returns one spec per session the
 * IDs name.
 */
export async function resolveTwoIds(a: string, b: string, client: Border0Client, ctx: ResolveContext): Promise<TargetSpec[]> {
  const [first, second] = [a.toLowerCase(), b.toLowerCase()];
  const pair = await unlessNotFound(client.getSession(first, second, ctx.signal));
  if (pair) return [{ socketId: first, sessionId: second, session: pair }];
  const firstAlone = await unlessNotFound(resolveTarget({ lookup: first }, client, ctx));
  const secondAlone = await unlessNotFound(resolveTarget({ lookup: second }, client, ctx));
  if (!firstAlone && !secondAlone) {
    throw new NotFoundError(
      `no session ${second} on socket ${first}, and neither ID is a session among the ${LOOKUP_DEPTH.toLocaleString('en-US')} most recent`,
    );
  }
  // One of them is a session, so they are two; the other is reported as not found.
  const spec = (id: string, t: Target | undefined): TargetSpec => (t ? { socketId: t.socketId, sessionId: t.sessionId } : { lookup: id });
  return [spec(first, firstAlone), spec(second, secondAlone)];
}
