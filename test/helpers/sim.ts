// Starts a simulator for one test file and gives the env that points b0s at it.
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Session } from '../../src/api/types';
import { startSimulator, type SimOptions, type SimRequest, type Simulator } from '../../src/simulator';
import { matchRoute } from '../../src/simulator/routes';

/** A fixed "now" for the simulator's data, so relative times and windows are predictable. */
export const SIM_NOW = Date.parse('2026-11-26T12:00:00Z');

/** A simulator for the test file; a request to a route it does not know fails the test that made it. */
export function useSimulator(opts: SimOptions = {}): { sim: () => Simulator; env: () => Record<string, string> } {
  let sim: Simulator | undefined;
  // Kept here rather than read from sim.unhandled, which resetRequests() empties.
  const unhandled: SimRequest[] = [];
  beforeAll(async () => {
    sim = await startSimulator({
      now: SIM_NOW,
      quiet: true,
      ...opts,
      onRequest: (r) => {
        if (matchRoute(r.method, r.path).name === 'unhandled') unhandled.push(r);
        opts.onRequest?.(r);
      },
    });
  });
  afterEach(() => {
    const unknown = unhandled.splice(0);
    if (unknown.length) throw new Error(`b0s called routes the simulator does not know: ${unknown.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  });
  afterAll(async () => {
    await sim?.close();
  });
  const get = () => {
    if (!sim) throw new Error('simulator not started');
    return sim;
  };
  return { sim: get, env: () => ({ BORDER0_API: get().url, BORDER0_ADMIN_TOKEN: get().token }) };
}

/** The newest session in the simulator that matches, or a failed test. */
export function findSession(sim: Simulator, pred: (s: Session) => boolean): Session {
  for (let i = 0; i < sim.sessionCount(); i++) {
    const s = sim.sessionAt(i);
    if (pred(s)) return s;
  }
  throw new Error('the simulator has no such session');
}
