// The page walker (the real driver and state machine) against an in-memory model of a
// list that changes between any two answers, answered in any order. Whatever the model
// does, a walk either ends with every session that was there from start to end exactly
// once, newest first, within a bounded number of requests, or fails with an error; and
// under the behaviours a real server shows (arrivals, ageing out, ties, lagging totals,
// caps, short or long pages) it must not fail.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { walkPages } from '../src/api/walk';
import type { ParsedPage } from '../src/api/parse';
import { ApiError } from '../src/errors';
import { ListModel, type ModelConfig, type Quirk } from './helpers/list-model';

const SEED = Number(process.env.B0S_PROPERTY_SEED ?? 20261129);
const RUNS = Number(process.env.B0S_PROPERTY_RUNS ?? 2000);

interface Outcome {
  ids: string[];
  error?: Error;
  requests: number;
}

/** Runs a walk, answering the requests in flight in a random order. */
async function walk(model: ListModel, opts: { pageSize: number; concurrency: number; order: () => number; limit?: number }): Promise<Outcome> {
  const pending: Array<{ req: { page: number; size: number }; resolve: (p: ParsedPage) => void }> = [];
  const fetchPage = (req: { page: number; size: number }) => new Promise<ParsedPage>((resolve) => pending.push({ req, resolve }));
  const ids: string[] = [];
  let finished = false;
  let error: Error | undefined;
  const run = (async () => {
    try {
      for await (const batch of walkPages(fetchPage, { pageSize: opts.pageSize, concurrency: opts.concurrency, limit: opts.limit, signal: new AbortController().signal })) {
        for (const s of batch) ids.push(s.session_id);
      }
    } catch (err) {
      error = err as Error;
    } finally {
      finished = true;
    }
  })();
  for (let answers = 0; !finished; ) {
    await new Promise((r) => setImmediate(r));
    if (finished) break;
    if (pending.length === 0) continue;
    if (++answers > 5000) throw new Error(`the walk did not end after ${answers} answers`);
    const [next] = pending.splice(Math.floor(opts.order() * pending.length), 1);
    next?.resolve(model.answer(next.req));
  }
  await run;
  return { ids, error, requests: model.requests.length };
}

const quirks: fc.Arbitrary<Quirk> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Quirk>({ kind: 'none' }) },
  fc.record({ kind: fc.constant('short' as const), page: fc.integer({ min: 1, max: 6 }), keep: fc.nat({ max: 20 }) }),
  fc.record({ kind: fc.constant('empty' as const), page: fc.integer({ min: 2, max: 6 }) }),
  fc.record({ kind: fc.constant('long' as const), page: fc.integer({ min: 1, max: 6 }), extra: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ kind: fc.constant('ignore-size' as const), size: fc.integer({ min: 3, max: 80 }) }),
  fc.record({ kind: fc.constant('lying-size' as const), size: fc.integer({ min: 3, max: 80 }) }),
  fc.constant<Quirk>({ kind: 'ignore-page' }),
  fc.constant<Quirk>({ kind: 'same-id' }),
);

const scenario = fc.record({
  seed: fc.integer(),
  initial: fc.nat({ max: 700 }),
  tieMax: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 12 })),
  shuffleTies: fc.boolean(),
  bursts: fc.oneof(fc.constant([] as number[]), fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 6 }), fc.array(fc.nat({ max: 400 }), { minLength: 1, maxLength: 4 })),
  ageOut: fc.oneof(fc.constant(0), fc.nat({ max: 8 })),
  totalLag: fc.oneof(fc.constant(0), fc.nat({ max: 3 })),
  cap: fc.oneof(fc.constant(1000), fc.integer({ min: 5, max: 200 })),
  pagination: fc.constantFrom<ModelConfig['pagination']>('full', 'full', 'no-totals', 'no-per-page', 'none'),
  quirk: quirks,
});

/** What a real server does: no walker may give up on it. */
function ordinary(c: ModelConfig, pageSize: number): boolean {
  const widest = Math.min(c.cap, 1000);
  const burst = Math.max(0, ...c.bursts);
  return (
    // One page past the first that comes back short or empty can be read around, while
    // the list holds still. (Page 1 cut short cannot: no other page overlaps just past
    // it. With sessions arriving, a page that lies about the end may leave no way to be
    // sure. One that holds more than its records_per_page says makes b0s stop believing
    // the server's page sizes, and a server whose every page is wrong cannot be read
    // around.)
    (c.quirk.kind === 'none' || ((c.quirk.kind === 'short' || c.quirk.kind === 'empty') && c.quirk.page > 1 && burst === 0)) &&
    !blindSpot(c) &&
    // Pages of a few sessions cannot always be cut to overlap (no page of at most 5 spans
    // positions 14 to 16): such a server can only be read by trusting positions.
    c.cap >= 20 &&
    // Without records_per_page a page cut to a cap cannot be told from the end of the
    // list, nor its position known: b0s may give up there, but never quietly.
    (c.pagination === 'full' || c.pagination === 'no-totals') &&
    // More starting between two answers than a page can hold leaves no page to aim at.
    burst * 4 <= widest &&
    // A group of ties larger than a page cannot be shown whole when its order changes.
    c.tieMax * 3 <= Math.min(widest, pageSize + 2)
  );
}

/**
 * Servers no client can catch out: a page 1 that always comes back empty, from a server
 * that counts nothing, is an empty list; and a server that pages at its own size while
 * claiming in records_per_page the size asked shows nothing amiss unless a page shows
 * more than it claims (b0s asks page 2 once, at one less than page 1 held, to make it
 * show, but a list that is short or shrinking may not). Against those, only the request
 * bound and the error's form are checked.
 */
function blindSpot(c: ModelConfig): boolean {
  const q = c.quirk;
  if (q.kind === 'short' && q.page === 1 && q.keep === 0 && (c.pagination === 'none' || c.pagination === 'no-totals')) return true;
  return q.kind === 'lying-size';
}

describe('the page walker against a model of a changing list (property)', () => {
  it(`ends with every session there from start to end exactly once, or fails loudly (seed ${SEED}, ${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 8 }), fc.integer(), async (config, pageSize, concurrency, orderSeed) => {
        const model = new ListModel(config);
        let o = orderSeed >>> 0;
        const order = () => ((o = (Math.imul(o, 1664525) + 1013904223) >>> 0) / 4294967296);
        const out = await walk(model, { pageSize, concurrency, order });
        if (out.error) {
          expect(out.error).toBeInstanceOf(ApiError);
          expect(out.error.message).toMatch(/^cannot list every session: /);
          if (ordinary(config, pageSize)) expect.fail(`gave up on an ordinary server: ${out.error.message}`);
        } else if (!blindSpot(config)) {
          const wrong = model.check(out.ids);
          if (wrong) expect.fail(`${wrong} (${out.ids.length} written, ${model.requests.length} requests)`);
        }
        // Bounded: a small multiple of the pages the sessions fill, whatever the server does.
        const pages = Math.ceil(model.ever.size / Math.min(pageSize, config.cap));
        expect(out.requests).toBeLessThanOrEqual(20 + 2 * concurrency + 3 * pages);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 120_000);
});
