// --follow: a pass, then another every interval, until a stop signal. A pass that fails
// for a reason that may pass (the API or network down, rate limits, the syslog receiver
// away) is said on stderr and tried again after a growing wait; anything else (a token
// refused, a file that cannot be written) ends the run.
import { ApiError, NetworkError } from '../errors';
import type { IO } from '../io';
import { inlineText } from '../text';

/** The longest wait between two failed passes. */
export const MAX_BACKOFF_MS = 5 * 60_000;

export interface FollowContext {
  intervalMs: number;
  io: IO;
  signal: AbortSignal;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Runs `pass` forever (until the signal aborts, which ends it with the signal's reason). */
export async function follow(ctx: FollowContext, pass: () => Promise<void>): Promise<never> {
  let failures = 0;
  for (;;) {
    try {
      await pass();
      failures = 0;
    } catch (err) {
      if (ctx.signal.aborted || !(err instanceof ApiError || err instanceof NetworkError)) throw err;
      failures++;
      const wait = Math.min(MAX_BACKOFF_MS, ctx.intervalMs * 2 ** (failures - 1));
      ctx.io.note(`${ctx.io.err.yellow('b0s:')} ${inlineText(err.message)}; trying again in ${seconds(wait)}${failures > 1 ? ` (${failures} failures in a row)` : ''}`);
      await ctx.sleep(wait, ctx.signal);
      continue;
    }
    await ctx.sleep(ctx.intervalMs, ctx.signal);
  }
}

export function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}
