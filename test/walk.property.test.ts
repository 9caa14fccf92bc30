// Whatever the page size, concurrency, and bursts of sessions starting between and
// during requests, `list --all` gives the list as it stood when page 1 was answered:
// every session once, in order, nothing newer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { startSimulator, type Simulator } from '../src/simulator';
import { b0s } from './helpers/world';
import { SIM_NOW } from './helpers/sim';
import { parseNdjson } from './helpers/parse';

describe('list --all under random arrivals (property)', () => {
  it('every session that existed at page 1, once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 7, max: 120 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.nat({ max: 150 }), { minLength: 1, maxLength: 40 }),
        // Sometimes the server caps the page size; bursts then stay under half the cap
        // (a capped server leaves no way to read past bigger ones).
        fc.option(fc.integer({ min: 5, max: 100 }), { nil: undefined }),
        async (pageSize, concurrency, rawBursts, cap) => {
          const bursts = cap === undefined ? rawBursts : rawBursts.map((b) => b % Math.max(1, Math.floor(Math.min(cap, pageSize) / 2)));
          let sim: Simulator | undefined;
          let atPage1: string[] = [];
          let answered = 0;
          sim = await startSimulator({
            sessions: 700,
            maxPageSize: cap ?? 1000,
            now: SIM_NOW,
            quiet: true,
            onRequest: (req) => {
              // The list as page 1 saw it, then a burst of new sessions after each answer.
              if (++answered === 1) for (let i = 0; i < (sim as Simulator).sessionCount(); i++) atPage1.push((sim as Simulator).sessionAt(i).session_id);
              if (req.path.endsWith('/sessions')) (sim as Simulator).addSessions(bursts[answered % bursts.length] ?? 0);
            },
          });
          try {
            const r = await b0s(['list', '--all', '--page-size', String(pageSize), '--concurrency', String(concurrency), '-o', 'ndjson'], {
              env: { BORDER0_API: sim.url, BORDER0_ADMIN_TOKEN: sim.token },
            });
            expect(r.stderr).toBe('');
            expect(r.code).toBe(0);
            expect((parseNdjson(r.stdout) as Session[]).map((s) => s.session_id)).toEqual(atPage1);
          } finally {
            atPage1 = [];
            await sim.close();
          }
        },
      ),
      { numRuns: Number(process.env.B0S_PROPERTY_RUNS ?? 25) },
    );
  });
});
