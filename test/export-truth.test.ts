// The check, with the real bin in real processes: sessions arrive and end (and
// some are killed) while `b0s export` runs again and again, once killed with SIGKILL in
// the middle of a run and once overlapping another run. The union of everything it wrote
// must be the simulator's truth: every start, end and kill, and repeats only of events
// the killed run had written.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { kill, sortedIds, truth, withSim } from './helpers/export';
import { SIM_NOW } from './helpers/sim';
import { useTempDir } from './helpers/tmp';
import { recordOutput } from './helpers/world';

const BIN = path.join(__dirname, '..', 'bin', 'b0s');
const tmp = useTempDir();
const SINCE = SIM_NOW - 24 * 3_600_000;

interface Run {
  proc: ReturnType<typeof spawn>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function start(args: string[], env: Record<string, string>): Run {
  if (!existsSync(path.join(__dirname, '..', 'dist', 'b0s.cjs'))) throw new Error('dist/b0s.cjs is missing: run `npm run build` (npm test does)');
  const proc = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: tmp('home'), TMPDIR: os.tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const err: Buffer[] = [];
  const out: Buffer[] = [];
  proc.stderr?.on('data', (d: Buffer) => err.push(d));
  proc.stdout?.on('data', (d: Buffer) => out.push(d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    proc.on('close', (code, signal) => {
      recordOutput(Buffer.concat(out), Buffer.concat(err));
      resolve({ code, signal, stderr: Buffer.concat(err).toString() });
    }),
  );
  return { proc, done };
}

const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);

it('repeated runs, one SIGKILLed mid-run and one overlapping another: every start, end and kill, repeats only from the killed run', async () => {
  await withSim({ sessions: 300, liveForSeconds: 2 }, async (sim, env) => {
    const dir = tmp('truth');
    const out = path.join(dir, 'events.ndjson');
    const cp = path.join(dir, 'checkpoint.json');
    const args = ['export', '--out', out, '--checkpoint', cp, '--since', new Date(SINCE).toISOString(), '--concurrency', '4'];
    const arrivals: Session[] = [];
    const runOnce = async () => {
      const r = await start(args, env).done;
      expect(r.code, r.stderr).toBe(0);
      return r.stderr;
    };

    expect(await runOnce()).toBe('');
    let killedRange: [number, number] | undefined;
    for (let round = 0; round < 6; round++) {
      arrivals.push(...sim.addSessions(1 + (round % 3)));
      // Some sessions are killed while live; the rest end by themselves (--live-for).
      if (round % 2 === 1) {
        const target = arrivals.find((s) => s.result !== 'denied' && !isOver(sim, s));
        if (target) await kill(sim, target);
      }
      if (round === 2) {
        // SIGKILL once it has written events, while it reads live sessions one by one.
        sim.setOptions({ latencyMs: 30 });
        const before = size(out);
        const run = start(args, env);
        while (size(out) === before) await delay(2);
        run.proc.kill('SIGKILL');
        const r = await run.done;
        expect(r.signal).toBe('SIGKILL');
        killedRange = [before, size(out)];
        sim.setOptions({ latencyMs: 0 });
        // The next run finds the lock of a process that is gone.
        expect(await runOnce()).toMatch(/^warning: removed .*checkpoint\.json\.lock, left by pid \d+ \(no longer running\)/);
      } else if (round === 4) {
        // The first run's first request takes 3 s: the second starts well inside it.
        sim.setOptions({ latencyMs: 3000 });
        const asked = sim.requests.length;
        const first = start(args, env);
        while (sim.requests.length === asked) await delay(2);
        sim.setOptions({ latencyMs: 0 });
        expect(existsSync(`${cp}.lock`)).toBe(true);
        const second = await start(args, env).done;
        expect(second.code).toBe(1);
        expect(second.stderr).toMatch(/^b0s: another b0s export \(pid \d+ on .*\) is using this checkpoint; not starting/);
        expect((await first.done).code).toBe(0);
      } else {
        expect(await runOnce()).toBe('');
      }
    }
    // Everything that arrived has ended (or was killed) by itself by now: one last run.
    while (!arrivals.every((s) => isOver(sim, s))) await delay(50);
    expect(await runOnce()).toBe('');
    const final = size(out);
    expect(await runOnce()).toBe('');
    expect(size(out)).toBe(final);

    const text = readFileSync(out, 'utf8');
    const idsIn = (part: string) =>
      part
        .split('\n')
        .filter((l) => l.startsWith('{') && l.endsWith('}'))
        .map((l) => (JSON.parse(l) as { event_id: string }).event_id);
    const ids = idsIn(text);
    // Whole lines only, but for at most one the SIGKILL cut short.
    expect(text.split('\n').slice(0, -1).length - ids.length).toBeLessThanOrEqual(1);
    const expected = truth(sim, SINCE);
    expect(sortedIds(new Set(ids))).toEqual(sortedIds(expected.keys()));
    // Every arrival's end (and the kills) are in there.
    const ended = new Set([...expected.values()].filter((e) => e.event !== 'session.started').map((e) => e.session.session_id));
    for (const s of arrivals) expect(ended.has(s.session_id)).toBe(true);
    expect([...expected.values()].some((e) => e.event === 'session.killed' && arrivals.some((a) => a.session_id === e.session.session_id))).toBe(true);

    // Repeats: only of events the killed run had written, each at most once more.
    const [from, to] = killedRange as [number, number];
    // Offsets are in bytes (the events hold emoji and other non-ASCII text).
    const killedRun = new Set(idsIn(readFileSync(out).subarray(from, to).toString('utf8')));
    expect(killedRun.size).toBeGreaterThan(0);
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const [id, n] of counts) {
      if (n > 1) {
        expect(killedRun.has(id)).toBe(true);
        expect(n).toBe(2);
      }
    }
  });
  // About a dozen runs of the real bin (each a Node start-up) and arrivals that end after 2 s.
}, 90_000);

function isOver(sim: { sessionAt(i: number): Session; sessionCount(): number }, s: Session): boolean {
  for (let i = 0; i < sim.sessionCount(); i++) {
    const now = sim.sessionAt(i);
    if (now.session_id === s.session_id) return Boolean(now.end_time);
  }
  return true;
}

it('export --follow as a service: SIGTERM stops it with exit 143, the lock released and the checkpoint consistent', async () => {
  await withSim({ sessions: 100 }, async (sim, env) => {
    const dir = tmp('service');
    const out = path.join(dir, 'events.ndjson');
    const cp = path.join(dir, 'checkpoint.json');
    const args = ['export', '--follow', '--interval', '1', '--out', out, '--checkpoint', cp, '--since', new Date(SINCE).toISOString()];
    const run = start(args, env);
    while (!existsSync(cp)) await delay(10);
    const [arrival] = sim.addSessions(1);
    // Stopped between two passes: after the one that exported the arrival moved the checkpoint on.
    while (!readFileSync(cp, 'utf8').includes(arrival?.session_id ?? '?')) await delay(10);
    run.proc.kill('SIGTERM');
    const r = await run.done;
    expect([r.code, r.stderr]).toEqual([143, 'b0s: stopped by SIGTERM\n']);
    expect(existsSync(`${cp}.lock`)).toBe(false);
    const before = size(out);
    const next = await start(args.filter((a) => a !== '--follow' && a !== '--interval' && a !== '1'), env).done;
    expect([next.code, next.stderr]).toEqual([0, '']);
    expect(size(out)).toBe(before);
  });
});
