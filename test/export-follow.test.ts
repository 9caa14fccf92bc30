// The follow modes: `b0s export --follow` and `b0s list --follow` keep running, show new
// sessions within one interval, ride out a burst of 429s saying so, and stop cleanly on a
// stop signal. The clock is the test World's (fast) one: intervals and Retry-After waits
// are counted in its sleeps, never timed.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../src/errors';
import type { ExportEvent } from '../src/export/events';
import { exportEvents, sortedIds, truth, withSim } from './helpers/export';
import { parseTable } from './helpers/parse';
import { SIM_NOW } from './helpers/sim';
import { useTempDir } from './helpers/tmp';
import { b0s, MemoryStream } from './helpers/world';

const tmp = useTempDir();
const SINCE = SIM_NOW - 24 * 3_600_000;
const since = new Date(SINCE).toISOString();
const INTERVAL_MS = 10_000;

/** Polls until `ready()`; the test's timeout is the only bound. */
async function until<T>(ready: () => T | undefined | false): Promise<T> {
  for (;;) {
    const value = ready();
    if (value) return value;
    await delay(10);
  }
}

/** The whole lines written so far (a reader may catch a line while it is being written, as a shipper does). */
const linesOf = (file: string) => {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return exportEvents(text.slice(0, text.lastIndexOf('\n') + 1));
};

/**
 * b0s's sleeps, and how many interval waits it began while what arrived was not yet
 * shown: the intervals a user waited. The wait b0s begins right after showing it is not
 * one, however late the test looks.
 */
function intervalLog() {
  const sleeps: number[] = [];
  let shown = () => true;
  let waited = 0;
  sleeps.push = (...ms: number[]) => {
    for (const m of ms) if (m === INTERVAL_MS && !shown()) waited++;
    return Array.prototype.push.apply(sleeps, ms);
  };
  return {
    sleeps,
    /** From now on, count the interval waits begun before `check` holds. */
    awaitShown(check: () => boolean) {
      shown = check;
      waited = 0;
    },
    get waited() {
      return waited;
    },
  };
}
const startedIds = (events: ExportEvent[]) => new Set(events.filter((e) => e.event === 'session.started').map((e) => e.session.session_id));

describe('b0s export --follow', () => {
  it('exports new sessions within one interval, moves the checkpoint as it goes, and stops cleanly on SIGINT', async () => {
    await withSim({}, async (sim, env) => {
      const dir = tmp('follow');
      const out = path.join(dir, 'events.ndjson');
      const cp = path.join(dir, 'cp.json');
      const stop = new AbortController();
      const log = intervalLog();
      const running = b0s(['export', '--follow', '--interval', '10', '--out', out, '--checkpoint', cp, '--since', since], { env, now: SIM_NOW, signal: stop.signal, sleeps: log.sleeps });
      const expected = truth(sim, SINCE);
      await until(() => linesOf(out).length >= expected.size);

      for (let round = 0; round < 2; round++) {
        const arrived = sim.addSessions(2);
        const shown = () => arrived.every((s) => startedIds(linesOf(out)).has(s.session_id));
        log.awaitShown(shown);
        await until(shown);
        expect(log.waited).toBeLessThanOrEqual(1);
        // Committed as it goes: the checkpoint already holds the new sessions.
        await until(() => existsSync(cp) && (JSON.parse(readFileSync(cp, 'utf8')) as { at_high_water: string[] }).at_high_water.some((k) => k.endsWith(arrived[0]?.session_id ?? '?')));
      }

      // Log rotation: the file moved away, the next events go to a new one under the name.
      const rotated = `${out}.1`;
      renameSync(out, rotated);
      const [late] = sim.addSessions(1);
      await until(() => startedIds(linesOf(out)).has(late?.session_id ?? '?'));

      stop.abort(new CancelledError('interrupted'));
      const r = await running;
      expect([r.code, r.stdout, r.stderr]).toEqual([130, '', 'b0s: interrupted\n']);
      expect(existsSync(`${cp}.lock`)).toBe(false);
      // The checkpoint is consistent: the next run repeats nothing and misses nothing.
      const next = await b0s(['export', '--out', out, '--checkpoint', cp], { env, now: SIM_NOW });
      expect([next.code, next.stderr]).toEqual([0, '']);
      const all = [...linesOf(rotated), ...linesOf(out)].map((e) => e.event_id);
      expect(all.length).toBe(new Set(all).size);
      expect(sortedIds(all)).toEqual(sortedIds(truth(sim, SINCE).keys()));
    });
  });

  it('rides out a burst of 429s: says so on stderr, backs off, and still exports what arrived', async () => {
    await withSim({ retryAfterSeconds: 3 }, async (sim, env) => {
      const dir = tmp('burst');
      const out = path.join(dir, 'events.ndjson');
      const stop = new AbortController();
      const sleeps: number[] = [];
      const running = b0s(['export', '--follow', '--interval', '10', '--retries', '1', '--out', out, '--checkpoint', path.join(dir, 'cp.json'), '--since', since], {
        env,
        now: SIM_NOW,
        signal: stop.signal,
        sleeps,
      });
      await until(() => linesOf(out).length >= truth(sim, SINCE).size);
      // Fault windows count requests from when they are set.
      sim.setFaults('429@1-12');
      const arrived = sim.addSessions(1);
      await until(() => startedIds(linesOf(out)).has(arrived[0]?.session_id ?? '?'));
      stop.abort(new CancelledError('interrupted'));
      const r = await running;
      expect(r.code).toBe(130);
      const said = r.stderr.split('\n');
      expect(said).toContain('b0s: the API is rate limiting (HTTP 429 to GET /sessions): slowing down, next try in 3 s');
      expect(said.some((l) => /^b0s: .*429.*; trying again in 10 s$/.test(l))).toBe(true);
      expect(said.some((l) => /; trying again in 20 s \(2 failures in a row\)$/.test(l))).toBe(true);
      // Every request of the burst was answered 429, and the passes backed off 10 s, then 20 s.
      expect(sim.requests.filter((q) => q.status === 429)).toHaveLength(12);
      expect(sleeps).toContain(20_000);
      expect(sortedIds(new Set(linesOf(out).map((e) => e.event_id)))).toEqual(sortedIds(truth(sim, SINCE).keys()));
    });
  });
});

describe('b0s list --follow', () => {
  it('piped: NDJSON events, first the last hour, then new sessions within one interval', async () => {
    await withSim({}, async (sim, env) => {
      const stdout = new MemoryStream();
      const stop = new AbortController();
      const log = intervalLog();
      const running = b0s(['list', '--follow', '--interval', '10'], { env, now: SIM_NOW, stdout, signal: stop.signal, sleeps: log.sleeps });
      const lastHour = truth(sim, SIM_NOW - 3_600_000);
      await until(() => stdout.text().split('\n').length > lastHour.size);
      const arrived = sim.addSessions(2);
      const shown = () => arrived.every((s) => startedIds(exportEvents(stdout.text())).has(s.session_id));
      log.awaitShown(shown);
      await until(shown);
      expect(log.waited).toBeLessThanOrEqual(1);
      stop.abort(new CancelledError('interrupted'));
      const r = await running;
      expect([r.code, r.stderr]).toEqual([130, 'b0s: interrupted\n']);
      const events = exportEvents(stdout.text());
      expect(sortedIds(events.map((e) => e.event_id))).toEqual(sortedIds(truth(sim, SIM_NOW - 3_600_000).keys()));
      // Oldest first, as a stream that is watched reads: the first read's events in time order.
      const firstRead = events.slice(0, lastHour.size).map((e) => Date.parse(e.event_time));
      expect(firstRead).toEqual([...firstRead].sort((a, b) => a - b));
    });
  });

  it('an output setting it cannot honour (csv here; json alike) leaves it at its own default; -o json itself is refused', async () => {
    await withSim({}, async (_sim, env) => {
      const stdout = new MemoryStream();
      const stop = new AbortController();
      const running = b0s(['list', '--follow', '--interval', '10'], { env: { ...env, B0S_OUTPUT: 'csv' }, now: SIM_NOW, stdout, signal: stop.signal });
      await until(() => stdout.text().includes('\n'));
      stop.abort(new CancelledError('interrupted'));
      expect((await running).code).toBe(130);
      expect(exportEvents(stdout.text()).length).toBeGreaterThan(0);
      // With --columns (a table), the setting is left aside too: not a usage error.
      const columns = new MemoryStream({ isTTY: true, columns: 120 });
      const stopColumns = new AbortController();
      const withColumns = b0s(['list', '--follow', '--columns', 'user'], { env: { ...env, B0S_OUTPUT: 'csv' }, now: SIM_NOW, stdout: columns, signal: stopColumns.signal });
      await until(() => columns.text().includes('\n'));
      stopColumns.abort(new CancelledError('interrupted'));
      expect((await withColumns).code).toBe(130);
      const refused = await b0s(['list', '--follow', '-o', 'json'], { env, now: SIM_NOW });
      expect([refused.code, refused.stderr]).toEqual([2, 'b0s: --follow writes events as they happen: -o table (NDJSON when piped) or -o ndjson, not json\n']);
    });
  });

  it('on a terminal: a table of events (started, ended, killed), with state changes as they happen; a burst of 429s is said and ridden out', async () => {
    await withSim({}, async (sim, env) => {
      const stdout = new MemoryStream({ isTTY: true, columns: 160 });
      const stop = new AbortController();
      const sleeps: number[] = [];
      const running = b0s(['list', '--follow', '--interval', '10', '--retries', '1', '--since', '30m'], { env, now: SIM_NOW, stdout, signal: stop.signal, sleeps, tty: { stderr: true } });
      const table = () => parseTable(stdout.text());
      await until(() => table().rows.length >= truth(sim, SIM_NOW - 1_800_000).size);
      expect(table().headers).toEqual(['TIME', 'EVENT', 'USER', 'SOCKET', 'TYPE', 'CLIENT', 'LOCATION', 'STATUS', 'ID']);
      sim.setFaults('429@1-4');
      const [arrival] = sim.addSessions(1);
      const id = arrival?.session_id.slice(0, 8);
      await until(() => table().rows.some((row) => row.ID === id && row.EVENT === 'started'));
      const live = arrival?.result !== 'denied';
      if (live) {
        const res = await fetch(`${sim.url}/session/${arrival?.socket_id}/${arrival?.session_id}`, { method: 'PUT', headers: { 'x-access-token': sim.token }, body: '{"killed":true}' });
        expect(res.status).toBe(200);
        await until(() => table().rows.some((row) => row.ID === id && row.EVENT === 'ended'));
      }
      stop.abort(new CancelledError('interrupted'));
      const r = await running;
      expect(r.code).toBe(130);
      const rows = table().rows.filter((row) => row.ID === id);
      expect(rows.map((row) => row.EVENT)).toEqual(live ? ['started', 'killed', 'ended'] : ['started', 'ended']);
      expect(rows[0]).toMatchObject({ USER: arrival?.user_email, SOCKET: arrival?.socket_name, CLIENT: arrival?.client_ip, STATUS: live ? 'live' : 'denied' });
      expect(r.stderr).toContain('the API is rate limiting (HTTP 429 to GET /sessions)');
      expect(r.stderr).toMatch(/trying again in 10 s/);
    });
  });
});
