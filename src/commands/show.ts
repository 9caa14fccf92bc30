// b0s show: one session, every field, as a key/value layout or the API's own JSON.
import type { Deps } from '../deps';
import { outputFormat } from '../output/formats';
import { toJson } from '../output/json';
import { sessionDetails } from '../output/session-details';
import { parseTarget, resolveTarget, type TargetSpec } from './target';

export interface ShowOptions {
  target: TargetSpec;
  format: 'table' | 'json';
}

/** `defaultFormat`: the `output` setting, when it is table or json. */
export function showOptions(first: string, second: string | undefined, raw: { output?: 'table' | 'json'; json?: boolean }, defaultFormat?: string): ShowOptions {
  return { target: parseTarget(first, second), format: outputFormat(raw, defaultFormat) as 'table' | 'json' };
}

export async function runShow(opts: ShowOptions, deps: Deps): Promise<void> {
  const client = await deps.api();
  const target = await resolveTarget(opts.target, client, { now: deps.now(), signal: deps.signal, recent: deps.recent });
  const session = target.session ?? (await client.getSession(target.socketId, target.sessionId, deps.signal));
  if (opts.format === 'json') {
    await deps.io.write(`${toJson(session, 2)}\n`);
    return;
  }
  // The detail endpoint leaves out socket_name; the list entry found by a lookup has it.
  const named = session.socket_name || !target.socketName ? session : { ...session, socket_name: target.socketName };
  const rows = sessionDetails(named, { now: deps.now(), terminal: deps.io.stdoutIsTTY });
  const { renderDetails } = await import('../output/details-table');
  await deps.io.write(renderDetails(rows, deps.io));
}
