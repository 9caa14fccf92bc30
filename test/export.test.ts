// b0s export against the simulator: what a run emits, what the next run emits, and what
// the checkpoint and the lock make of runs that overlap, crash or disagree.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { eventId } from '../src/export/events';
import { exportEvents, idsOf, kill, newestLive, sortedIds, truth, withSim } from './helpers/export';
import { SIM_NOW } from './helpers/sim';
import { useTempDir } from './helpers/tmp';
import { b0s } from './helpers/world';

const tmp = useTempDir();
const SINCE = SIM_NOW - 24 * 3_600_000;
const sinceArg = new Date(SINCE).toISOString();

/** An export run with its own checkpoint file; `now: SIM_NOW` so --since spans mean the simulator's time. */
function exportRun(env: Record<string, string>, checkpoint: string, args: string[] = [], opts: Parameters<typeof b0s>[1] = {}) {
  return b0s(['export', '--checkpoint', checkpoint, ...args], { env, now: SIM_NOW, ...opts });
}

const checkpointOf = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { high_water: string; at_high_water: string[]; live: Array<{ session_id: string; started: boolean }> };

describe('b0s export: runs one after the other', () => {
  it('the first run emits every session since --since (started, and ended or killed when over), the session exactly as listed; a rerun emits nothing', async () => {
    await withSim({}, async (sim, env) => {
      const cp = path.join(tmp('cp'), 'cp.json');
      const first = await exportRun(env, cp, ['--since', sinceArg]);
      expect([first.code, first.stderr]).toEqual([0, '']);
      const events = exportEvents(first.stdout);
      const expected = truth(sim, SINCE);
      expect(sortedIds(idsOf(events))).toEqual(sortedIds(expected.keys()));
      for (const e of events) {
        const want = expected.get(e.event_id);
        expect(e.event).toBe(want?.event);
        expect(e.session).toEqual(want?.session);
        expect(e.event_id).toBe(eventId(e.session, e.event));
        const time = e.event === 'session.started' ? e.session.start_time : e.session.end_time;
        expect(Date.parse(e.event_time)).toBe(Date.parse(time ?? ''));
        expect(Object.keys(e)).toEqual(['event', 'event_id', 'event_time', 'session']);
      }
      // A session first seen already over brings all its events in that one run.
      const killed = events.find((e) => e.event === 'session.killed');
      expect(events.filter((e) => e.session.session_id === killed?.session.session_id).map((e) => e.event)).toEqual(['session.started', 'session.killed', 'session.ended']);

      const live = [...expected.values()].filter((x) => x.event === 'session.started' && !x.session.end_time && x.session.result !== 'denied');
      expect(live.length).toBeGreaterThan(0);
      expect(checkpointOf(cp).live.map((l) => l.session_id).sort()).toEqual(live.map((x) => x.session.session_id).sort());

      sim.resetRequests();
      const again = await exportRun(env, cp, ['--page-size', '2']);
      expect([again.code, again.stdout, again.stderr]).toEqual([0, '', '']);
      // Each live session was read again to catch its end: from the pages the walk read
      // anyway, or one by one when the walk did not pass it.
      const listed = new Set(sim.requests.filter((r) => r.path.endsWith('/sessions')).flatMap((r) => [0, 1].map((i) => sim.sessionAt((Number(r.query.page) - 1) * 2 + i).session_id)));
      const reread = sim.requests.filter((r) => r.path.includes('/session/')).map((r) => r.path.split('/').at(-1));
      expect(reread.length).toBeGreaterThan(0);
      expect(reread.sort()).toEqual(live.map((x) => x.session.session_id).filter((id) => !listed.has(id)).sort());
    });
  });

  it('sessions that start, end or are killed between runs each bring their events once', async () => {
    await withSim({}, async (sim, env) => {
      const cp = path.join(tmp('cp'), 'cp.json');
      expect((await exportRun(env, cp, ['--since', sinceArg])).code).toBe(0);
      const before = truth(sim, SINCE);
      // The oldest live one: far from the newest, the walk does not pass it again, so it is read by itself.
      const oldestLive = [...before.values()].filter((x) => x.event === 'session.started' && !x.session.end_time && x.session.result !== 'denied').at(-1)?.session as Session;
      const killedOld = await kill(sim, oldestLive);
      const arrived = sim.addSessions(3);
      const second = await exportRun(env, cp, ['--page-size', '3', '--concurrency', '1']);
      expect(second.code).toBe(0);
      const events = exportEvents(second.stdout);
      const now = truth(sim, SINCE);
      const fresh = [...now.keys()].filter((id) => !before.has(id));
      expect(sortedIds(idsOf(events))).toEqual(sortedIds(fresh));
      expect(events.filter((e) => e.session.session_id === killedOld.session_id).map((e) => e.event)).toEqual(['session.killed', 'session.ended']);
      // Read from GET /session/{socket}/{session}, which has no socket_name: the envelope carries it.
      const fromGet = events.find((e) => e.event === 'session.killed');
      expect(fromGet?.session).not.toHaveProperty('socket_name');
      expect(fromGet?.socket_name).toBe(oldestLive.socket_name);
      expect(events.filter((e) => e.event === 'session.started').map((e) => e.session.session_id).sort()).toEqual(arrived.map((s) => s.session_id).sort());

      const liveArrival = arrived.find((s) => s.result !== 'denied') as Session;
      await kill(sim, liveArrival);
      const third = exportEvents((await exportRun(env, cp)).stdout);
      expect(third.map((e) => [e.session.session_id, e.event])).toEqual([
        [liveArrival.session_id, 'session.killed'],
        [liveArrival.session_id, 'session.ended'],
      ]);
      expect((await exportRun(env, cp)).stdout).toBe('');
    });
  });

  it('a live session that disappears (404) is said once on stderr and no longer followed', async () => {
    await withSim({}, async (sim, env) => {
      const cp = path.join(tmp('cp'), 'cp.json');
      expect((await exportRun(env, cp, ['--since', sinceArg])).code).toBe(0);
      const saved = checkpointOf(cp);
      const ghost = { socket_id: sim.sessionAt(0).socket_id, session_id: '00000000-0000-4000-8000-000000000000', start_time: saved.high_water, started: true, killed: false };
      writeFileSync(cp, JSON.stringify({ ...saved, live: [...saved.live, ghost] }));
      const r = await exportRun(env, cp);
      expect([r.code, r.stdout]).toEqual([0, '']);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^warning: session .*\/00000000-0000-4000-8000-000000000000, live when last read, is gone from the API \(404\)/)]);
      expect(checkpointOf(cp).live.map((l) => l.session_id)).not.toContain(ghost.session_id);
      expect((await exportRun(env, cp)).stderr).toBe('');
    });
  });

  it('--out appends whole lines and never truncates; a file cut mid-line gets its events on a new line', async () => {
    await withSim({}, async (sim, env) => {
      const dir = tmp('out');
      const cp = path.join(dir, 'cp.json');
      const out = path.join(dir, 'events.ndjson');
      writeFileSync(out, '{"earlier":"line"}\n{"cut":');
      const r = await exportRun(env, cp, ['--since', sinceArg, '--out', out]);
      expect([r.code, r.stdout]).toEqual([0, '']);
      expect(r.stderr).toMatch(/did not end with a newline/);
      const lines = readFileSync(out, 'utf8').split('\n');
      expect(lines.slice(0, 2)).toEqual(['{"earlier":"line"}', '{"cut":']);
      expect(lines.at(-1)).toBe('');
      const written = lines.slice(2, -1).map((l) => JSON.parse(l) as { event_id: string });
      expect(written.map((e) => e.event_id).sort()).toEqual(sortedIds(truth(sim, SINCE).keys()));
      sim.addSessions(1);
      expect((await exportRun(env, cp, ['--out', out])).stderr).toBe('');
      expect(readFileSync(out, 'utf8').split('\n').length).toBe(lines.length + 1);

      const missing = await exportRun(env, path.join(dir, 'cp2.json'), ['--out', path.join(dir, 'nope', 'x.ndjson')]);
      expect([missing.code, missing.stderr]).toEqual([1, `b0s: cannot open ${path.join(dir, 'nope', 'x.ndjson')}: its folder does not exist\n`]);
    });
  });

  it('keeps its checkpoint in the state folder by default, creating the folder when first needed', async () => {
    await withSim({ sessions: 30 }, async (_sim, env) => {
      const state = path.join(tmp('state'), 'not', 'yet');
      const r = await b0s(['export', '--since', sinceArg], { env, now: SIM_NOW, stateDir: state });
      expect(r.code).toBe(0);
      expect(checkpointOf(path.join(state, 'export-checkpoint.json')).high_water).toMatch(/Z$/);
      expect(existsSync(path.join(state, 'export-checkpoint.json.lock'))).toBe(false);
      expect((await b0s(['export'], { env, now: SIM_NOW, stateDir: state })).stdout).toBe('');
    });
  });
});

describe('b0s export: the walk under it', () => {
  it('keeps the walker\'s guarantees: sessions arriving and ageing out during runs, shared start times in shuffled order, faults', async () => {
    await withSim({ arrivalsPerListRequest: 2, ageOutPerListRequest: 1, tieGroup: 3, shuffleTies: true, faults: '503:0.1,reset:0.05' }, async (sim, env) => {
      const cp = path.join(tmp('cp'), 'cp.json');
      const all: string[] = [];
      for (let run = 0; run < 3; run++) {
        const r = await exportRun(env, cp, ['--since', sinceArg, '--page-size', '7', '--retries', '10']);
        expect([r.code, r.stderr]).toEqual([0, '']);
        all.push(...idsOf(exportEvents(r.stdout)));
        // Between runs a live session is killed: its kill and end must come once.
        if (run === 0) {
          sim.setFaults('');
          await kill(sim, newestLive(sim));
          sim.setFaults('503:0.1,reset:0.05');
        }
      }
      // Once nothing arrives any more, one more run catches up with the last arrivals.
      sim.setOptions({ arrivalsPerListRequest: 0, ageOutPerListRequest: 0 });
      sim.setFaults('');
      all.push(...idsOf(exportEvents((await exportRun(env, cp)).stdout)));
      expect(all.length).toBe(new Set(all).size);
      expect(sortedIds(all)).toEqual(sortedIds(truth(sim, SINCE).keys()));
      expect(sim.removedCount()).toBeGreaterThan(0);
    });
  });
});

describe('b0s export: filters', () => {
  it('honours --socket, --user, --result and --type, asks the API for what it can, and checks every session itself', async () => {
    await withSim({ sessions: 400 }, async (sim, env) => {
      const cp = path.join(tmp('cp'), 'cp.json');
      const args = ['--socket', 'prod-ssh,orders-db', '--user', 'ALICE@example.com,bob@example.com', '--type', 'ssh', '--result', 'success', '--since', new Date(SIM_NOW - 48 * 3_600_000).toISOString()];
      const r = await exportRun(env, cp, args);
      expect(r.code).toBe(0);
      const keep = (s: Session) =>
        ['prod-ssh', 'orders-db'].includes(s.socket_name ?? '') && ['alice@example.com', 'bob@example.com'].includes(s.user_email ?? '') && s.session_type === 'ssh' && s.result === 'success';
      const expected = truth(sim, SIM_NOW - 48 * 3_600_000, keep);
      expect(expected.size).toBeGreaterThan(0);
      expect(sortedIds(idsOf(exportEvents(r.stdout)))).toEqual(sortedIds(expected.keys()));
      const list = sim.requests.find((q) => q.path.endsWith('/sessions'));
      expect(list?.query).toMatchObject({ socket_names: 'prod-ssh,orders-db', user_emails: 'alice@example.com,bob@example.com', auth_result: 'success' });

      // The same checkpoint with other filters would skip or repeat sessions: refused.
      const other = await exportRun(env, cp, ['--socket', 'prod-ssh']);
      expect(other.code).toBe(2);
      expect(other.stderr).toBe(
        `b0s: ${cp} is the checkpoint of an export with --socket orders-db,prod-ssh --user alice@example.com,bob@example.com --result success --type ssh, not --socket prod-ssh: give this export its own --checkpoint FILE (or start over with --reset)\n`,
      );
      // The same filters in another order and case are the same export.
      expect((await exportRun(env, cp, ['--type', 'ssh', '--result', 'success', '--user', 'bob@example.com', '--user', 'alice@example.com', '--socket', 'orders-db,prod-ssh'])).code).toBe(0);
    });
  });

  it('a checkpoint belongs to one format: another format is refused until it has its own checkpoint; another file (a dated name) is the same export', async () => {
    await withSim({ sessions: 50 }, async (_sim, env) => {
      const dir = tmp('dest');
      const cp = path.join(dir, 'cp.json');
      expect((await exportRun(env, cp, ['--since', sinceArg, '--out', path.join(dir, 'day1.ndjson')])).code).toBe(0);
      const ecs = await exportRun(env, cp, ['--format', 'ecs']);
      expect([ecs.code, ecs.stdout]).toEqual([2, '']);
      expect(ecs.stderr).toBe(`b0s: ${cp} is the checkpoint of an export in native format, not ecs: give this export its own --checkpoint FILE (or start over with --reset)\n`);
      expect((await exportRun(env, cp, ['--out', path.join(dir, 'day2.ndjson')])).code).toBe(0);
      const own = await exportRun(env, path.join(dir, 'ecs.json'), ['--format', 'ecs', '--since', sinceArg]);
      expect(own.code).toBe(0);
      expect(own.stdout.length).toBeGreaterThan(0);
    });
  });

  it('--status ended,killed exports a session once it is over, following it while live; --status denied only denials', async () => {
    await withSim({}, async (sim, env) => {
      const cp = path.join(tmp('cp'), 'cp.json');
      const r = await exportRun(env, cp, ['--status', 'ended,killed', '--since', sinceArg]);
      const events = exportEvents(r.stdout);
      const over = (s: Session) => Boolean(s.end_time) && s.result !== 'denied';
      expect(sortedIds(idsOf(events))).toEqual(sortedIds(truth(sim, SINCE, over).keys()));
      const followed = checkpointOf(cp).live;
      expect(followed.length).toBeGreaterThan(0);
      expect(followed.every((l) => !l.started)).toBe(true);
      const target = newestLive(sim);
      await kill(sim, target);
      const next = exportEvents((await exportRun(env, cp, ['--status', 'killed,ended'])).stdout);
      expect(next.map((e) => [e.session.session_id, e.event])).toEqual([
        [target.session_id, 'session.started'],
        [target.session_id, 'session.killed'],
        [target.session_id, 'session.ended'],
      ]);

      const denied = exportEvents((await exportRun(env, path.join(tmp('cp'), 'd.json'), ['--status', 'denied', '--since', sinceArg])).stdout);
      expect(sortedIds(idsOf(denied))).toEqual(sortedIds(truth(sim, SINCE, (s) => s.result === 'denied').keys()));
    });
  });
});

describe('b0s export: checkpoints it cannot vouch for, and locks', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['not JSON', '{"b0s_export_checkpoint": 1, "api": ', /is not a b0s export checkpoint, or is damaged \(not JSON\); it was left as it is: fix or move it, give another --checkpoint, or start over with --reset$/],
    ['another program\'s JSON', '{"cursor": "2026-11-25T00:00:00Z"}', /is not a b0s export checkpoint, or is damaged \(no b0s_export_checkpoint version\)/],
    ['a newer version', '{"b0s_export_checkpoint": 2, "whatever": true}', /is a checkpoint of version 2, which this b0s does not read \(it reads version 1\); it was left as it is/],
    ['a damaged field', '{"b0s_export_checkpoint": 1, "api": "x", "filters": "", "high_water": "yesterday", "at_high_water": [], "live": []}', /damaged \(high_water is not a time\)/],
  ];
  for (const [what, content, message] of cases) {
    it(`refuses ${what} and leaves it untouched; --reset starts over`, async () => {
      await withSim({ sessions: 30 }, async (sim, env) => {
        const dir = tmp('bad');
        const cp = path.join(dir, 'cp.json');
        const out = path.join(dir, 'out.ndjson');
        writeFileSync(cp, content);
        const r = await exportRun(env, cp, ['--out', out]);
        expect(r.code).toBe(1);
        expect(r.stderr.split('\n')).toEqual([expect.stringMatching(message), '']);
        expect(readFileSync(cp, 'utf8')).toBe(content);
        expect(existsSync(out)).toBe(false);
        const reset = await exportRun(env, cp, ['--reset', '--since', sinceArg]);
        expect(reset.code).toBe(0);
        expect(sortedIds(idsOf(exportEvents(reset.stdout)))).toEqual(sortedIds(truth(sim, SINCE).keys()));
        expect(checkpointOf(cp).high_water).toMatch(/Z$/);
      });
    });
  }

  it('refuses a checkpoint of another API', async () => {
    await withSim({ sessions: 10 }, async (_sim, env) => {
      const cp = path.join(tmp('cp'), 'cp.json');
      writeFileSync(cp, JSON.stringify({ b0s_export_checkpoint: 1, api: 'https://api.border0.com/api/v1', filters: '', high_water: new Date(SINCE).toISOString(), at_high_water: [], live: [] }));
      const r = await exportRun(env, cp);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is the checkpoint of an export from https:\/\/api\.border0\.com\/api\/v1, not http:\/\/127\.0\.0\.1:\d+\/api\/v1: give this export its own --checkpoint FILE/);
    });
  });

  it('a run that overlaps another refuses at once, writes nothing, and leaves the other to finish', async () => {
    await withSim({ latencyMs: 40 }, async (sim, env) => {
      const dir = tmp('overlap');
      const cp = path.join(dir, 'cp.json');
      const first = exportRun(env, cp, ['--since', sinceArg, '--out', path.join(dir, 'a.ndjson')]);
      while (!existsSync(`${cp}.lock`)) await new Promise((r) => setTimeout(r, 5));
      const requests = sim.requests.length;
      const second = await exportRun(env, cp, ['--out', path.join(dir, 'b.ndjson')]);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`^b0s: another b0s export \\(pid ${process.pid} on [^,]+, since [^)]+\\) is using this checkpoint; not starting \\(if pid ${process.pid} is not a b0s export, delete ${cp.replace(/[.]/g, '\\.')}\\.lock\\)\n$`));
      expect(existsSync(path.join(dir, 'b.ndjson'))).toBe(false);
      const done = await first;
      expect(done.code).toBe(0);
      // The refused run asked the API nothing: every request since came from the first.
      expect(sim.requests.length).toBeGreaterThan(requests);
      expect(sortedIds(idsOf(exportEvents(readFileSync(path.join(dir, 'a.ndjson'), 'utf8'))))).toEqual(sortedIds(truth(sim, SINCE).keys()));
      expect(existsSync(`${cp}.lock`)).toBe(false);
    });
  });

  it('a lock left by a process that no longer runs is removed with a warning; one from another machine or unreadable is not', async () => {
    await withSim({ sessions: 20 }, async (_sim, env) => {
      const dir = tmp('lock');
      const cp = path.join(dir, 'cp.json');
      const dead = 2 ** 22 + 1; // above Linux's largest PID
      writeFileSync(`${cp}.lock`, JSON.stringify({ pid: dead, hostname: os.hostname(), started: '2026-11-26T03:00:00.000Z' }));
      const r = await exportRun(env, cp, ['--since', sinceArg]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe(`warning: removed ${cp}.lock, left by pid ${dead} (no longer running) since 2026-11-26T03:00:00.000Z; its run's events will be exported again\n`);
      expect(existsSync(`${cp}.lock`)).toBe(false);
      expect(existsSync(`${cp}.lock.break`)).toBe(false);

      const elsewhere = JSON.stringify({ pid: dead, hostname: 'other-host', started: '2026-11-26T03:00:00.000Z' });
      writeFileSync(`${cp}.lock`, elsewhere);
      const remote = await exportRun(env, cp);
      expect(remote.code).toBe(1);
      expect(remote.stderr).toMatch(/another b0s export \(pid 4194305 on other-host, since 2026-11-26T03:00:00.000Z\) holds .*cp\.json\.lock; b0s cannot tell from here whether it still runs: if it does not, delete/);
      expect(readFileSync(`${cp}.lock`, 'utf8')).toBe(elsewhere);

      writeFileSync(`${cp}.lock`, '');
      const unreadable = await exportRun(env, cp);
      expect([unreadable.code, unreadable.stderr]).toEqual([1, `b0s: ${cp}.lock exists but is not a lock b0s can read: if no b0s export is running with this checkpoint, delete it\n`]);
    });
  });
});

describe('b0s export: bad input is refused before any request', () => {
  const cases: Array<[string[], string]> = [
    [['--until', '1h'], 'export has no --until: each run exports up to now (use list --until for a past window)'],
    [['--out', 'x', '--syslog', 'tcp://127.0.0.1:514'], '--out and --syslog contradict each other: an export has one destination'],
    [['--interval', '5'], '--interval only applies with --follow'],
    [['--syslog', 'http://127.0.0.1:514'], '--syslog must be tcp://HOST:PORT, tls://HOST:PORT or udp://HOST:PORT (unknown scheme http:), got "http://127.0.0.1:514"'],
    [['--syslog', 'tcp://127.0.0.1:514/path'], '--syslog must be tcp://HOST:PORT, tls://HOST:PORT or udp://HOST:PORT (only a host and a port), got "tcp://127.0.0.1:514/path"'],
    [['--syslog', 'tcp://:514'], '--syslog must be tcp://HOST:PORT, tls://HOST:PORT or udp://HOST:PORT (not a URL), got "tcp://:514"'],
    [['--format', 'cef'], '--format must be one of native, ecs, ocsf, got "cef"'],
    [['--result', 'denied', '--status', 'live'], '--result denied contradicts --status live: no session can be both'],
  ];
  for (const [args, message] of cases) {
    it(`export ${args.join(' ')}`, async () => {
      await withSim({ sessions: 5 }, async (sim, env) => {
        const r = await exportRun(env, path.join(tmp('cp'), 'cp.json'), args);
        expect([r.code, r.stdout]).toEqual([2, '']);
        expect(r.stderr).toMatch(new RegExp(`^b0s: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
        expect(sim.requests).toEqual([]);
      });
    });
  }
});
