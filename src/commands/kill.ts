// b0s kill: end live sessions. Looks first, so a session that is already over is
// reported (exit 0) rather than "killed" again, and so the prompt can say what will die.
import type { Border0Client } from '../api/client';
import type { Session } from '../api/types';
import type { Deps } from '../deps';
import { ApiError, B0sError, CancelledError, PartialFailure, UsageError } from '../errors';
import { durationOf, formatDuration, shortId, statusOf, userOf } from '../output/fields';
import { outputFormat } from '../output/formats';
import { toJson } from '../output/json';
import { inlineText } from '../output/sanitize';
import { parseTarget, resolveTarget, resolveTwoIds, UUID, type ResolveContext, type TargetSpec } from './target';

export interface KillOptions {
  targets: TargetSpec[];
  /** Two bare UUIDs: one `<socket_id> <session_id>` or two sessions, which the API decides. */
  twoIds?: [string, string];
  yes: boolean;
  format: 'table' | 'json';
}

/** Each argument is a session (`socket_id/session_id`, a session ID or its short form), except two bare UUIDs: see resolveTwoIds. */
export function killOptions(args: string[], raw: { yes?: boolean; output?: 'table' | 'json'; json?: boolean }): KillOptions {
  if (args.length === 0) throw new UsageError('kill needs a session: <socket_id> <session_id>, or one or more <socket_id>/<session_id>');
  const base = { yes: raw.yes === true, format: outputFormat(raw) as 'table' | 'json' };
  if (args.length === 2 && args.every((a) => UUID.test(a))) return { ...base, targets: [], twoIds: [args[0] as string, args[1] as string] };
  return { ...base, targets: args.map((a) => parseTarget(a, undefined)) };
}

function describe(s: Session, now: number, socketName?: string | null): string {
  const from = s.client_ip ? ` from ${inlineText(s.client_ip)}` : '';
  const socket = s.socket_name || socketName || `socket ${shortId(s.socket_id)}`;
  return `${inlineText(shortId(s.session_id))} (${inlineText(userOf(s)) || 'unknown user'} on ${inlineText(socket)}${from}, ${formatDuration(durationOf(s, now))})`;
}

interface Found {
  label: string;
  socketId: string;
  sessionId: string;
  socketName?: string;
  session: Session;
}

function label(spec: TargetSpec): string {
  return 'lookup' in spec ? spec.lookup : `${spec.socketId}/${spec.sessionId}`;
}

async function look(spec: TargetSpec, client: Border0Client, deps: Deps, ctx: ResolveContext): Promise<Found> {
  const target = await resolveTarget(spec, client, ctx);
  const session = target.session ?? (await client.getSession(target.socketId, target.sessionId, deps.signal));
  return { label: label(spec), ...target, session };
}

/**
 * A kill counts only when the answer shows the session killed or ended. Any other answer
 * (`{}`, `{"killed": false}`) is checked by reading the session again.
 */
async function killConfirmed(f: Found, client: Border0Client, deps: Deps): Promise<{ session: Session; killed: boolean }> {
  const answer = await client.killSession(f.socketId, f.sessionId, deps.signal);
  const over = (s: Session) => s.killed === true || Boolean(s.end_time);
  if (over(answer)) return { session: answer, killed: answer.killed === true };
  const now = await client.getSession(f.socketId, f.sessionId, deps.signal);
  if (over(now)) return { session: now, killed: now.killed === true };
  const said = toJson(answer);
  throw new ApiError(`the API did not confirm the kill: it answered ${said.length > 80 ? `${said.slice(0, 79)}…` : said}, and the session is still live`);
}

export async function runKill(opts: KillOptions, deps: Deps): Promise<void> {
  const { io } = deps;
  const client = await deps.api();
  const ctx = { now: deps.now(), signal: deps.signal, recent: deps.recent };
  const specs = opts.twoIds ? await resolveTwoIds(...opts.twoIds, client, ctx) : opts.targets;
  const named = specs.length;
  const results: Session[] = [];
  const failures: Array<{ label: string; error: B0sError }> = [];
  // A typed failure is this session's alone; anything else (Ctrl-C, a bug) stops everything.
  const fail = (what: string, error: unknown) => {
    if (!(error instanceof B0sError) || error instanceof CancelledError) throw error;
    failures.push({ label: what, error });
  };

  const live: Found[] = [];
  // The same session named twice, in any form, is looked at and killed once.
  const asked = new Set<string>();
  const seen = new Set<string>();
  for (const spec of specs) {
    if (asked.has(label(spec))) continue;
    asked.add(label(spec));
    try {
      const found = await look(spec, client, deps, ctx);
      const key = `${found.socketId}/${found.sessionId}`.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      const status = statusOf(found.session);
      if (status === 'live') {
        live.push(found);
        continue;
      }
      const why = status === 'killed' ? 'was already killed' : status === 'denied' ? 'was denied: it never started' : `already ended at ${inlineText(found.session.end_time)}`;
      io.note(`Session ${describe(found.session, deps.now(), found.socketName)} ${why}; nothing to do.`);
      results.push(found.session);
    } catch (err) {
      fail(label(spec), err);
    }
  }

  if (live.length && !opts.yes && io.interactive) {
    const list = live.map((f) => describe(f.session, deps.now(), f.socketName));
    const question = live.length === 1 ? `Kill live session ${list[0]}?` : `Kill ${live.length} live sessions?\n${list.map((l) => `  ${l}`).join('\n')}\n`;
    if (!(await io.confirm(question, deps.signal))) throw new CancelledError('cancelled: no session was killed');
  }

  for (const f of live) {
    try {
      const { session, killed } = await killConfirmed(f, client, deps);
      // Between the look and the kill the session may have ended by itself.
      io.note(
        killed
          ? `${io.err.green('✓')} Killed session ${describe(session, deps.now(), f.socketName)}.`
          : `Session ${describe(session, deps.now(), f.socketName)} had already ended by itself.`,
      );
      results.push(session);
    } catch (err) {
      fail(f.label, err);
    }
  }

  if (opts.format === 'json' && results.length) {
    await io.write(`${toJson(named === 1 ? results[0] : results, 2)}\n`);
  }
  if (failures.length === 0) return;
  const first = failures[0] as { error: B0sError };
  if (named === 1) throw first.error;
  for (const f of failures) io.note(`${io.err.red('b0s:')} ${inlineText(f.label)}: ${inlineText(f.error.message)}`);
  if (results.length === 0) {
    // Same kind (and exit code) as the failures; each was already listed.
    const Kind = first.error.constructor as new (message: string) => B0sError;
    throw new Kind(`none of the ${named} sessions could be killed (each is listed above)`);
  }
  throw new PartialFailure(`${failures.length} of ${named} sessions could not be killed (each is listed above)`);
}
