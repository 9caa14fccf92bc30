// `list --all` (and the short-ID lookup that walks the same way) against the simulator
// doing what real organisations' APIs do while b0s reads: retention removing the oldest
// sessions, start times shared by several sessions and returned in a new order each
// time, all of it at once with rate limits and 5xx, page bugs, and servers that make no
// progress. Each walk ends complete (every session there from start to end once, newest
// first) or fails with one line and exit 1, within a bounded number of requests.
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { startSimulator, type SimOptions, type Simulator } from '../src/simulator';
import { parseNdjson } from './helpers/parse';
import { SIM_NOW } from './helpers/sim';
import { b0s } from './helpers/world';

const ids = (sim: Simulator) => Array.from({ length: sim.sessionCount() }, (_, i) => sim.sessionAt(i).session_id);

/** Runs `list --all` on a simulator of its own; `during` may change it as requests arrive. */
async function walk(opts: SimOptions, args: string[] = [], during?: (sim: Simulator, n: number) => void) {
  let n = 0;
  let sim: Simulator | undefined;
  let first: string[] | undefined;
  sim = await startSimulator({
    now: SIM_NOW,
    quiet: true,
    ...opts,
    onRequest: (req) => {
      if (!req.path.endsWith('/sessions')) return;
      first ??= ids(sim as Simulator);
      during?.(sim as Simulator, ++n);
    },
  });
  try {
    const r = await b0s(['list', '--all', '-o', 'ndjson', ...args], { env: { BORDER0_API: sim.url, BORDER0_ADMIN_TOKEN: sim.token }, now: SIM_NOW });
    const out = parseNdjson(r.stdout) as Session[];
    const still = new Set(ids(sim));
    return {
      ...r,
      out,
      requests: sim.requests.filter((q) => q.path.endsWith('/sessions')).length,
      /** Sessions there from the first answer to the end of the walk, in the list's order. */
      throughout: (first ?? []).filter((id) => still.has(id)),
      sim,
    };
  } finally {
    await sim.close();
  }
}

/** Every session there throughout, once, newest first (ties in any order); nothing twice. */
function expectComplete(r: Awaited<ReturnType<typeof walk>>): void {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const got = r.out.map((s) => s.session_id);
  expect(new Set(got).size).toBe(got.length);
  const times = r.out.map((s) => Date.parse(String(s.start_time)));
  expect(times.every((t, i) => i === 0 || t <= (times[i - 1] as number))).toBe(true);
  const wanted = new Set(r.throughout);
  expect(got.filter((id) => wanted.has(id)).sort()).toEqual([...r.throughout].sort());
}

describe('list --all while the list changes under it', () => {
  it('sessions ageing out (retention) while it runs: it ends, complete, without hammering the API', async () => {
    const r = await walk({ sessions: 249, ageOutPerListRequest: 4 });
    expectComplete(r);
    expect(r.throughout.length).toBeLessThan(249);
    expect(r.requests).toBeLessThanOrEqual(10);
  });

  it('ageing out faster than pages are read: it ends, complete for what remained', async () => {
    const r = await walk({ sessions: 249, ageOutPerListRequest: 60 }, ['--page-size', '25', '--concurrency', '1']);
    expectComplete(r);
    expect(r.requests).toBeLessThanOrEqual(20);
  });

  it('sessions sharing a start time in groups of 3, returned in a new order on every request', async () => {
    const r = await walk({ sessions: 1509, tieGroup: 3, shuffleTies: true });
    expectComplete(r);
    expect(r.out).toHaveLength(1509);
    expect(r.requests).toBeLessThanOrEqual(3 * Math.ceil(1509 / 100) + 4);
  });

  it('everything at once: arrivals, ageing out, shuffled ties, lagging totals, 429s and 503s', async () => {
    const r = await walk(
      { sessions: 1200, tieGroup: 3, shuffleTies: true, ageOutPerListRequest: 3, totalLag: 2, retryAfterSeconds: 1, faults: '429:0.1,503:0.1' },
      ['--page-size', '50', '--concurrency', '4'],
      (sim) => sim.addSessions(5),
    );
    expectComplete(r);
  });
});

describe('page bugs: complete anyway, never a short list reported as complete', () => {
  for (const [quirk, sessions] of [
    ['empty:2', 1000],
    ['short:3:90', 1000],
    ['long:1:50', 500],
  ] as const) {
    it(`${quirk} with ${sessions} sessions`, async () => {
      const r = await walk({ sessions, pageQuirks: quirk });
      expectComplete(r);
      expect(r.out).toHaveLength(sessions);
    });
  }

  it('no pagination object at all', async () => {
    const r = await walk({ sessions: 700, pagination: 'none' }, ['--page-size', '50']);
    expectComplete(r);
    expect(r.out).toHaveLength(700);
  });
});

describe('servers that make no progress: exit 1, one line, a bounded number of requests', () => {
  it('every page number answers page 1', async () => {
    const r = await walk({ sessions: 1000, pageQuirks: 'ignore-page' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^b0s: cannot list every session: .+\n$/);
    expect(r.requests).toBeLessThanOrEqual(40);
    // What was written is a valid beginning of the list.
    expect(r.out.map((s) => s.session_id)).toEqual(r.throughout.slice(0, r.out.length));
  });

  it('every session carries the same ID', async () => {
    const r = await walk({ sessions: 1000, pageQuirks: 'same-id' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^b0s: cannot list every session: page 1 lists session [0-9a-f-]+ twice\n$/);
    expect(r.requests).toBeLessThanOrEqual(2);
  });
});

describe('show by short ID while sessions age out', () => {
  it('finds a recent session and ends', async () => {
    const sim = await startSimulator({ now: SIM_NOW, quiet: true, sessions: 600, ageOutPerListRequest: 50 });
    try {
      const target = sim.sessionAt(5);
      const r = await b0s(['show', target.session_id.slice(0, 8), '-o', 'json'], { env: { BORDER0_API: sim.url, BORDER0_ADMIN_TOKEN: sim.token } });
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as Session).session_id).toBe(target.session_id);
      expect(sim.requests.length).toBeLessThanOrEqual(20);
    } finally {
      await sim.close();
    }
  });
});
