// One pass of an export or of `list --follow`: walk the sessions that started since the
// high-water mark (the walker passes each exactly once, even while the list moves), then
// re-read the live sessions the walk did not bring, and hand over the events as they come.
import type { Border0Client, ListFilters } from '../api/client';
import { walkSessions } from '../api/walk';
import { NotFoundError } from '../errors';
import { inlineText } from '../text';
import type { ExportEvent } from './events';
import { mapLimit } from './map-limit';
import type { Outcome, Tracker } from './tracker';

export interface CycleContext {
  client: Border0Client;
  /** The list filters the API is asked to apply (b0s checks them again). */
  hints: ListFilters;
  pageSize: number;
  concurrency: number;
  signal: AbortSignal;
  now(): number;
  emit(events: ExportEvent[]): Promise<void>;
  warn(line: string): void;
}

/** Live sessions re-read between two hand-overs of their events. */
const REREAD_CHUNK = 100;

export async function runCycle(tracker: Tracker, ctx: CycleContext): Promise<Outcome> {
  const since = tracker.since;
  // The API may read start_date_after as strictly after: ask from a second earlier, so
  // sessions sharing the high-water second still come.
  const hints: ListFilters = { ...ctx.hints, finished: undefined, startAfter: new Date(Math.max(0, since - 1000)).toISOString(), startBefore: undefined };
  for await (const batch of walkSessions(ctx.client, hints, { pageSize: ctx.pageSize, concurrency: ctx.concurrency, since, signal: ctx.signal })) {
    const observed = ctx.now();
    await ctx.emit(batch.flatMap((s) => tracker.listed(s, observed)));
  }
  const stale = tracker.stale();
  for (let i = 0; i < stale.length; i += REREAD_CHUNK) {
    const chunk = stale.slice(i, i + REREAD_CHUNK);
    const read = await mapLimit(chunk, ctx.concurrency, (e) =>
      ctx.client.getSession(e.socket_id, e.session_id, ctx.signal).catch((err: unknown) => {
        if (err instanceof NotFoundError) return 'gone' as const;
        throw err;
      }),
    );
    const observed = ctx.now();
    const events: ExportEvent[] = [];
    chunk.forEach((entry, j) => {
      const s = read[j] ?? 'gone';
      if (s === 'gone') {
        ctx.warn(`session ${inlineText(entry.socket_id)}/${inlineText(entry.session_id)}, live when last read, is gone from the API (404): no longer followed, its end will not be exported`);
      }
      events.push(...tracker.reread(entry, s, observed));
    });
    await ctx.emit(events);
  }
  return tracker.outcome();
}
