// `npm run build && npx tsx bench/siem-compare.ts`: `b0s export` next to the approach of
// Border0's example Python "session logger" (page 1 of 100 sessions per run, every
// exported ID remembered, a session recorded once, when first seen; its state file
// rewritten in place), on the same simulator, where sessions keep arriving (sometimes
// more than a page between two runs), ending and being killed. Prints per run how many
// sessions each got, then what a crash in the middle of writing does to each.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Session } from '../src/api/types';
import { eventId } from '../src/export/events';
import { startSimulator, type Simulator } from '../src/simulator';

const root = path.join(__dirname, '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'b0s-siem-compare-'));
const NOW = Date.parse('2026-11-26T12:00:00Z');

/** The example's approach, reduced to what decides what it exports. */
async function loggerRun(sim: Simulator, state: string, out: string): Promise<{ sessions: number; ends: number }> {
  // json.load of the state file: a damaged one stops the script.
  const seen = new Set<string>(JSON.parse(readFileSync(state, 'utf8') || '[]') as string[]);
  const res = await fetch(`${sim.url}/sessions?page=1&page_size=100`, { headers: { 'x-access-token': sim.token } });
  const page = ((await res.json()) as { session_logs: Session[] }).session_logs;
  const fresh = page.filter((s) => !seen.has(s.session_id));
  const records = JSON.parse(readFileSync(out, 'utf8') || '[]') as Session[];
  records.push(...fresh);
  for (const s of fresh) seen.add(s.session_id);
  writeFileSync(out, JSON.stringify(records));
  writeFileSync(state, JSON.stringify([...seen]));
  // It records a session once, when first seen: an end that comes later is never recorded.
  return { sessions: fresh.length, ends: fresh.filter((s) => s.end_time).length };
}

function b0sExport(sim: Simulator, args: string[], killWhen?: () => boolean): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'b0s'), 'export', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, BORDER0_API: sim.url, BORDER0_ADMIN_TOKEN: sim.token },
      stdio: ['ignore', 'inherit', 'ignore'],
    });
    const poll = killWhen && setInterval(() => killWhen() && child.kill('SIGKILL'), 2);
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      resolve(code);
    });
  });
}

/** The event IDs of every start, end and kill the simulator holds now. */
function truthIds(sim: Simulator): Set<string> {
  const ids = new Set<string>();
  for (let i = 0; i < sim.sessionCount(); i++) {
    const s = sim.sessionAt(i);
    ids.add(eventId(s, 'session.started'));
    if (s.killed) ids.add(eventId(s, 'session.killed'));
    if (s.end_time) ids.add(eventId(s, 'session.ended'));
  }
  return ids;
}

function events(file: string): Array<{ event: string; event_id: string; session: Session }> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{') && l.endsWith('}'))
    .map((l) => JSON.parse(l));
}

async function killSome(sim: Simulator, n: number): Promise<void> {
  for (let i = 0, done = 0; i < sim.sessionCount() && done < n; i++) {
    const s = sim.sessionAt(i);
    if (s.end_time || s.result === 'denied') continue;
    await fetch(`${sim.url}/session/${s.socket_id}/${s.session_id}`, { method: 'PUT', headers: { 'x-access-token': sim.token }, body: '{"killed":true}' });
    done++;
  }
}

async function main(): Promise<void> {
  const sim = await startSimulator({ now: NOW, sessions: 1509, liveForSeconds: 3, quiet: true });
  const state = path.join(dir, 'logger-state.json');
  const loggerOut = path.join(dir, 'logger-sessions.json');
  const out = path.join(dir, 'b0s-events.ndjson');
  const args = ['--out', out, '--checkpoint', path.join(dir, 'checkpoint.json'), '--since', '2026-11-01'];
  writeFileSync(state, '');
  writeFileSync(loggerOut, '');
  const arrivalsPerRound = [0, 20, 120, 5, 0, 0];
  console.log('| run | sessions that started since the run before | example script: sessions recorded (of them already over) | b0s export: sessions started / ended / killed |');
  console.log('| --- | --- | --- | --- |');
  let b0sSeen = 0;
  let expected = new Set<string>();
  for (const [round, arrivals] of arrivalsPerRound.entries()) {
    sim.addSessions(arrivals);
    if (round > 0) await killSome(sim, 2);
    // Arrivals end by themselves 3 s after they start.
    if (round >= 3) await new Promise((r) => setTimeout(r, 4000));
    const logger = await loggerRun(sim, state, loggerOut);
    // Every start, end and kill there is before b0s runs.
    expected = truthIds(sim);
    await b0sExport(sim, args);
    const all = events(out);
    const mine = all.slice(b0sSeen);
    b0sSeen = all.length;
    const count = (kind: string) => mine.filter((e) => e.event === kind).length;
    console.log(`| ${round + 1} | ${round === 0 ? sim.sessionCount() : arrivals} | ${logger.sessions} (${logger.ends}) | ${count('session.started')} / ${count('session.ended')} / ${count('session.killed')} |`);
  }

  const exported = new Set(events(out).map((e) => e.event_id));
  const missing = [...expected].filter((id) => !exported.has(id)).length;
  const loggerSessions = (JSON.parse(readFileSync(loggerOut, 'utf8')) as Session[]).length;
  let over = 0;
  for (let i = 0; i < sim.sessionCount(); i++) if (sim.sessionAt(i).end_time) over++;
  console.log(`\nBefore the last run the API held ${sim.sessionCount()} sessions (${over} over by the end): b0s export has every start, end and kill of them (${missing} missing, ${events(out).length - exported.size} repeated); the example script has ${loggerSessions} sessions and none of the ends it did not see at first sight.`);

  // A crash while writing: the script's state file half written; b0s killed mid-run.
  const stateText = readFileSync(state, 'utf8');
  writeFileSync(state, stateText.slice(0, Math.floor(stateText.length / 2)));
  let loggerAfterCrash: string;
  try {
    await loggerRun(sim, state, loggerOut);
    loggerAfterCrash = 'ran';
  } catch (err) {
    loggerAfterCrash = `fails on every run from then on: ${(err as Error).message.split('\n')[0]}`;
  }
  console.log(`\nState file half written by a crash: the example script ${loggerAfterCrash}`);
  sim.addSessions(30);
  // Killed with SIGKILL once it has written events, before its checkpoint.
  sim.setOptions({ latencyMs: 300 });
  const before = events(out).length;
  await b0sExport(sim, args, () => events(out).length > before);
  sim.setOptions({ latencyMs: 0 });
  const written = events(out).length - before;
  await b0sExport(sim, args);
  const after = events(out);
  const distinct = new Set(after.map((e) => e.event_id)).size;
  const lost = [...truthIds(sim)].filter((id) => !after.some((e) => e.event_id === id)).length;
  console.log(`b0s export killed with SIGKILL mid-run, after writing ${written} events: the next run wrote ${after.length - before - written}; ${after.length - distinct} repeated, ${lost} lost.`);
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}

void main();
