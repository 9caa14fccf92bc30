// The export's state machine on its own (no HTTP): which events a session brings, the
// bounds of what the checkpoint keeps, and event IDs.
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { eventId, newEvents, NOTHING_EXPORTED } from '../src/export/events';
import { initialState, MAX_AT_HIGH_WATER, MAX_LIVE, Tracker, type ExportState } from '../src/export/tracker';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const iso = (t: number) => new Date(t).toISOString().replace('.000', '');

function session(n: number, start: number, over: Partial<Session> = {}): Session {
  const hex = n.toString(16).padStart(12, '0');
  return {
    session_id: `00000000-0000-4000-8000-${hex}`,
    socket_id: '11111111-1111-4111-8111-111111111111',
    socket_name: 'prod-ssh',
    start_time: iso(start),
    end_time: '',
    result: 'success',
    killed: false,
    session_type: 'ssh',
    ...over,
  };
}

const kinds = (events: { event: string }[]) => events.map((e) => e.event);

describe('event IDs', () => {
  it('are UUID version 5, the same for the same session and event, different otherwise', () => {
    const s = session(1, T0);
    const id = eventId(s, 'session.started');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventId({ ...s, end_time: iso(T0 + 1000), user_email: 'x' }, 'session.started')).toBe(id);
    expect(eventId(s, 'session.ended')).not.toBe(id);
    expect(eventId(session(2, T0), 'session.started')).not.toBe(id);
    expect(eventId({ ...s, socket_id: '22222222-2222-4222-8222-222222222222' }, 'session.started')).not.toBe(id);
  });

  it('a kill reported before its end time is timed by last_seen, else by when b0s saw it', () => {
    const killed = session(1, T0, { killed: true, last_seen: iso(T0 + 5000) });
    const [, kill] = newEvents(killed, NOTHING_EXPORTED, T0 + 9000);
    expect(kill).toMatchObject({ event: 'session.killed', event_time: new Date(T0 + 5000).toISOString() });
    expect(newEvents({ ...killed, last_seen: null }, { started: true, killed: false }, T0 + 9000)[0]?.event_time).toBe(new Date(T0 + 9000).toISOString());
  });
});

describe('the tracker', () => {
  it('a session passed at the high-water mark is not exported again; a newer one raises the mark', () => {
    let state: ExportState = initialState(T0);
    const a = session(1, T0 + 1000, { end_time: iso(T0 + 2000) });
    const t1 = new Tracker(state, {}, undefined);
    expect(kinds(t1.listed(a, T0))).toEqual(['session.started', 'session.ended']);
    state = t1.outcome().state;
    expect(state).toEqual({ highWater: T0 + 1000, atHighWater: [`${a.socket_id}/${a.session_id}`], live: [] });
    // Same second, a session that was not there before: exported; the one passed: not.
    const b = session(2, T0 + 1000);
    const t2 = new Tracker(state, {}, undefined);
    expect(kinds(t2.listed(b, T0))).toEqual(['session.started']);
    expect(t2.listed(a, T0)).toEqual([]);
    expect(t2.outcome().state.atHighWater).toHaveLength(2);
    expect(t2.outcome().state.live.map((l) => l.session_id)).toEqual([b.session_id]);
  });

  it('a live session is followed until it is over, its kill and end exported once', () => {
    const live = session(1, T0);
    const t1 = new Tracker(initialState(T0), {}, undefined);
    t1.listed(live, T0);
    const s1 = t1.outcome().state;
    const t2 = new Tracker(s1, {}, undefined);
    expect(t2.stale()).toEqual(s1.live);
    // Killed, its end time not there yet: the kill now, the end later.
    expect(kinds(t2.reread(s1.live[0]!, { ...live, killed: true }, T0))).toEqual(['session.killed']);
    const s2 = t2.outcome().state;
    expect(s2.live[0]).toMatchObject({ started: true, killed: true });
    const t3 = new Tracker(s2, {}, undefined);
    expect(kinds(t3.reread(s2.live[0]!, { ...live, killed: true, end_time: iso(T0 + 60_000) }, T0))).toEqual(['session.ended']);
    expect(t3.outcome().state.live).toEqual([]);
  });

  it('--status: a session is exported once it matches, with all its events; one that is over without matching is dropped', () => {
    const statuses = ['ended', 'killed'] as const;
    const live = session(1, T0 + 10);
    const other = session(2, T0 + 20);
    const t1 = new Tracker(initialState(T0), {}, statuses);
    expect(t1.listed(live, T0)).toEqual([]);
    expect(t1.listed(other, T0)).toEqual([]);
    const s1 = t1.outcome().state;
    expect(s1.live.map((l) => l.started)).toEqual([false, false]);
    const t2 = new Tracker(s1, {}, ['killed']);
    const [e2, e1] = s1.live;
    expect(kinds(t2.reread(e1!, { ...live, killed: true, end_time: iso(T0 + 100) }, T0))).toEqual(['session.started', 'session.killed', 'session.ended']);
    expect(t2.reread(e2!, { ...other, end_time: iso(T0 + 100) }, T0)).toEqual([]);
    expect(t2.outcome().state.live).toEqual([]);
  });

  it('a session gone from the API (404) is dropped', () => {
    const t1 = new Tracker(initialState(T0), {}, undefined);
    t1.listed(session(1, T0), T0);
    const s1 = t1.outcome().state;
    const t2 = new Tracker(s1, {}, undefined);
    expect(t2.reread(s1.live[0]!, 'gone', T0)).toEqual([]);
    expect(t2.outcome().state.live).toEqual([]);
  });

  it(`keeps at most ${MAX_LIVE.toLocaleString('en-US')} live sessions (dropping the oldest) and ${MAX_AT_HIGH_WATER.toLocaleString('en-US')} IDs at the high-water mark`, () => {
    const t = new Tracker(initialState(T0), {}, undefined);
    for (let i = 0; i < MAX_LIVE + 5; i++) t.listed(session(i, T0 + i * 1000), T0);
    // Many sessions in one second, at the newest time.
    for (let i = 0; i < MAX_AT_HIGH_WATER + 3; i++) t.listed(session(100_000 + i, T0 + 20_000_000, { end_time: iso(T0 + 20_000_000) }), T0);
    const { state, dropped } = t.outcome();
    expect(state.live).toHaveLength(MAX_LIVE);
    expect(dropped.map((d) => d.session_id)).toEqual([0, 1, 2, 3, 4].map((i) => session(i, T0).session_id));
    expect(state.atHighWater).toHaveLength(MAX_AT_HIGH_WATER);
    expect(state.highWater).toBe(T0 + 20_000_000);
  });

  it('a session listed from before the high-water mark only updates a live one', () => {
    const live = session(1, T0 + 5);
    const t1 = new Tracker(initialState(T0), {}, undefined);
    t1.listed(live, T0);
    t1.listed(session(2, T0 + 50), T0);
    const s1 = t1.outcome().state;
    const t2 = new Tracker(s1, {}, undefined);
    expect(t2.listed(session(3, T0 + 1), T0)).toEqual([]);
    expect(kinds(t2.listed({ ...live, end_time: iso(T0 + 9) }, T0))).toEqual(['session.ended']);
    expect(t2.stale().map((e) => e.session_id)).toEqual([session(2, 0).session_id]);
  });
});
