// b0s kill: end a live session. Looks first, so a session that is already over is
import { toJson } from '../output/json';
// reported (exit 0) rather than "killed" again, and so the prompt can say what will die.
import type { Session } from '../api/types';
import type { Deps } from '../deps';
import { CancelledError } from '../errors';
import { durationOf, formatDuration, shortId, statusOf, userOf } from '../output/fields';
import { outputFormat } from '../output/formats';
import { inlineText } from '../output/sanitize';
import { parseTarget, resolveTarget, type TargetSpec } from './target';

export interface KillOptions {
  target: TargetSpec;
  yes: boolean;
  format: 'table' | 'json';
}

export function killOptions(
  first: string,
  second: string | undefined,
  raw: { yes?: boolean; output?: 'table' | 'json'; json?: boolean },
): KillOptions {
  return { target: parseTarget(first, second), yes: raw.yes === true, format: outputFormat(raw) as 'table' | 'json' };
}

function describe(s: Session, now: number, socketName?: string | null): string {
  const from = s.client_ip ? ` from ${inlineText(s.client_ip)}` : '';
  const socket = s.socket_name || socketName || `socket ${shortId(s.socket_id)}`;
  return `${shortId(s.session_id)} (${inlineText(userOf(s)) || 'unknown user'} on ${inlineText(socket)}${from}, ${formatDuration(durationOf(s, now))})`;
}

export async function runKill(opts: KillOptions, deps: Deps): Promise<void> {
  const { io } = deps;
  const client = await deps.api();
  const target = await resolveTarget(opts.target, client, { now: deps.now(), signal: deps.signal, recent: deps.recent });
  const { socketId, sessionId, socketName } = target;
  const before = target.session ?? (await client.getSession(socketId, sessionId, deps.signal));
  const status = statusOf(before);
  const print = (s: Session) => (opts.format === 'json' ? io.write(`${toJson(s, 2)}\n`) : Promise.resolve());

  if (status !== 'live') {
    const why = status === 'killed' ? 'was already killed' : status === 'denied' ? 'was denied: it never started' : `already ended at ${inlineText(before.end_time)}`;
    io.note(`Session ${describe(before, deps.now(), socketName)} ${why}; nothing to do.`);
    await print(before);
    return;
  }

  if (!opts.yes && io.interactive) {
    const ok = await io.confirm(`Kill live session ${describe(before, deps.now(), socketName)}?`, deps.signal);
    if (!ok) throw new CancelledError('cancelled: the session was not killed');
  }

  const after = await client.killSession(socketId, sessionId, deps.signal);
  // Between the look and the kill the session may have ended by itself.
  const ended = after.killed !== true && Boolean(after.end_time);
  io.note(
    ended
      ? `Session ${describe(after, deps.now(), socketName)} had already ended by itself.`
      : `${io.err.green('✓')} Killed session ${describe(after, deps.now(), socketName)}.`,
  );
  await print(after);
}
