// What `b0s export` should have emitted, read from the simulator itself, and helpers to
// read what it did emit.
import { expect } from 'vitest';
import type { Session } from '../../src/api/types';
import { eventId, type EventKind, type ExportEvent } from '../../src/export/events';
import { startSimulator, type SimOptions, type Simulator } from '../../src/simulator';
import { parseNdjson } from './parse';
import { SIM_NOW } from './sim';

export interface Expected {
  id: string;
  event: EventKind;
  session: Session;
}

/** Every event of every session that started at or after `since`, by event ID. */
export function truth(sim: Simulator, since: number, keep: (s: Session) => boolean = () => true): Map<string, Expected> {
  const out = new Map<string, Expected>();
  for (let i = 0; i < sim.sessionCount(); i++) {
    const s = sim.sessionAt(i);
    if (Date.parse(s.start_time ?? '') < since) break;
    if (!keep(s)) continue;
    const kinds: EventKind[] = ['session.started'];
    if (s.killed) kinds.push('session.killed');
    if (s.end_time) kinds.push('session.ended');
    for (const event of kinds) out.set(eventId(s, event), { id: eventId(s, event), event, session: s });
  }
  return out;
}

export function exportEvents(text: string): ExportEvent[] {
  return parseNdjson(text) as ExportEvent[];
}

/** Event IDs in the order they were written; duplicates kept. */
export const idsOf = (events: readonly ExportEvent[]): string[] => events.map((e) => e.event_id);

export function sortedIds(ids: Iterable<string>): string[] {
  return [...ids].sort();
}

export async function kill(sim: Simulator, s: Session): Promise<Session> {
  const res = await fetch(`${sim.url}/session/${s.socket_id}/${s.session_id}`, {
    method: 'PUT',
    headers: { 'x-access-token': sim.token, 'content-type': 'application/json' },
    body: '{"killed":true}',
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Session;
}

/** The newest live session (not denied, not ended). */
export function newestLive(sim: Simulator, skip: (s: Session) => boolean = () => false): Session {
  for (let i = 0; i < sim.sessionCount(); i++) {
    const s = sim.sessionAt(i);
    if (!s.end_time && s.result !== 'denied' && !skip(s)) return s;
  }
  throw new Error('no live session');
}

/** A simulator of its own for one test, that fails the test if b0s called a route it lacks. */
export async function withSim<T>(opts: SimOptions, fn: (sim: Simulator, env: Record<string, string>) => Promise<T>): Promise<T> {
  const sim = await startSimulator({ now: SIM_NOW, sessions: 200, quiet: true, ...opts });
  try {
    const result = await fn(sim, { BORDER0_API: sim.url, BORDER0_ADMIN_TOKEN: sim.token });
    expect(sim.unhandled.map((r) => `${r.method} ${r.path}`)).toEqual([]);
    return result;
  } finally {
    await sim.close();
  }
}
