// The real CLI and HTTP client against the simulator with everything a busy organisation's
// API does between two answers switched on at random: sessions starting (bursts after
// each answer), the oldest ageing out, start times shared by several sessions and
// returned in a new order each time, totals that lag, page caps. `list --all` must give
// every session that was there from the first answer to the last exactly once, in order,
// nothing that was never there, with a quiet stderr and exit 0.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { startSimulator, type Simulator } from '../src/simulator';
import { b0s } from './helpers/world';
import { SIM_NOW } from './helpers/sim';
import { parseNdjson } from './helpers/parse';

const SEED = Number(process.env.B0S_PROPERTY_SEED ?? 20261129);
const RUNS = Number(process.env.B0S_PROPERTY_RUNS_SIM ?? 25);

describe('list --all against a changing simulator (property)', () => {
  it(`every session there from start to end, once, in order (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          pageSize: fc.integer({ min: 7, max: 120 }),
          concurrency: fc.integer({ min: 1, max: 8 }),
          bursts: fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 10 }),
          ageOut: fc.oneof(fc.constant(0), fc.nat({ max: 6 })),
          tieGroup: fc.integer({ min: 1, max: 4 }),
          shuffleTies: fc.boolean(),
          totalLag: fc.nat({ max: 3 }),
          cap: fc.oneof(fc.constant(1000), fc.integer({ min: 160, max: 400 })),
          pagination: fc.constantFrom('full' as const, 'no-totals' as const),
        }),
        async (c) => {
          let sim: Simulator | undefined;
          let first: string[] | undefined;
          let answered = 0;
          sim = await startSimulator({
            sessions: 700,
            maxPageSize: c.cap,
            tieGroup: c.tieGroup,
            shuffleTies: c.shuffleTies,
            totalLag: c.totalLag,
            ageOutPerListRequest: c.ageOut,
            pagination: c.pagination,
            now: SIM_NOW,
            quiet: true,
            onRequest: (req) => {
              const s = sim as Simulator;
              // The list as the first answer saw it, then a burst of new sessions after each.
              first ??= Array.from({ length: s.sessionCount() }, (_, i) => s.sessionAt(i).session_id);
              if (req.path.endsWith('/sessions')) s.addSessions(c.bursts[++answered % c.bursts.length] ?? 0);
            },
          });
          try {
            const r = await b0s(['list', '--all', '--page-size', String(c.pageSize), '--concurrency', String(c.concurrency), '-o', 'ndjson'], {
              env: { BORDER0_API: sim.url, BORDER0_ADMIN_TOKEN: sim.token },
            });
            expect(r.stderr).toBe('');
            expect(r.code).toBe(0);
            const out = parseNdjson(r.stdout) as Session[];
            const ids = out.map((s) => s.session_id);
            expect(new Set(ids).size).toBe(ids.length);
            // Newest first; sessions sharing a start time come in whatever order the
            // answers gave them.
            const times = out.map((s) => Date.parse(String(s.start_time)));
            expect(times.every((t, i) => i === 0 || t <= (times[i - 1] as number))).toBe(true);
            // Those still there at the end (the oldest may have aged out): all of them.
            const still = new Set(Array.from({ length: sim.sessionCount() }, (_, i) => sim?.sessionAt(i).session_id));
            const expected = (first ?? []).filter((id) => still.has(id));
            expect(ids.filter((id) => (first ?? []).includes(id) && still.has(id)).sort()).toEqual(expected.sort());
            // Nothing from after the walk began: every other session is an arrival or aged out.
            expect(ids.every((id) => (first ?? []).includes(id) || still.has(id))).toBe(true);
          } finally {
            await sim.close();
          }
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 120_000);
});
