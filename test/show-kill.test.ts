import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { b0s } from './helpers/world';
import { findSession, useSimulator } from './helpers/sim';
import { ANSI, stripAnsi } from './helpers/parse';
import { useTempDir } from './helpers/tmp';

// 1,000 sessions (the lookup depth): enough for two IDs to share a 4-character prefix.
const { sim, env } = useSimulator({ sessions: 1000 });
const tmp = useTempDir();

const find = (pred: (s: Session) => boolean): Session => findSession(sim(), pred);
const isLive = (s: Session) => !s.end_time && !s.killed && s.result !== 'denied';

/** A session that starts now: each kill test gets its own live one. */
function liveSession(): Session {
  for (;;) {
    const [s] = sim().addSessions(1);
    if (s && isLive(s)) return s;
  }
}

describe('b0s show', () => {
  it('-o json is the object exactly as the API sent it', async () => {
    const s = find((x) => Array.isArray(x.recordings) && x.recordings.length > 0);
    const r = await b0s(['show', s.socket_id, s.session_id, '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    const res = await fetch(`${sim().url}/session/${s.socket_id}/${s.session_id}`, { headers: { 'x-access-token': sim().token } });
    expect(JSON.parse(r.stdout)).toEqual(await res.json());
  });

  it('prints every field as label and value, one per line when piped', async () => {
    const s = find((x) => Array.isArray(x.recordings) && x.recordings.length > 0 && Boolean(x.end_time));
    const r = await b0s(['show', `${s.socket_id}/${s.session_id}`], { env: env() });
    expect(r.code).toBe(0);
    const fields = new Map(r.stdout.trimEnd().split('\n').map((l) => l.split('\t') as [string, string]));
    expect(fields.get('Session')).toBe(s.session_id);
    expect(fields.get('Started')).toBe(s.start_time);
    expect(fields.get('Ended')).toBe(s.end_time);
    expect(fields.get('Client')).toBe(`${s.client_ip}:${s.client_port}`);
    expect(fields.get('ISP')).toBe(s.metadata?.ip_metadata?.isp);
    expect(fields.get('Recordings')).toBe(String(s.recordings?.length));
    expect(fields.get('Recording 1')).toContain(s.recordings?.[0]?.recording_id);
    expect(r.stdout).not.toMatch(ANSI);
  });

  it('finds a session by the short ID the table shows', async () => {
    const s = sim().sessionAt(3);
    const r = await b0s(['show', s.session_id.slice(0, 8), '--json'], { env: env() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).session_id).toBe(s.session_id);
  });

  it('finds a session by its full ID alone', async () => {
    const s = sim().sessionAt(150);
    const r = await b0s(['show', s.session_id, '--json'], { env: env() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).socket_id).toBe(s.socket_id);
  });

  it('an ID prefix that matches several sessions is a usage error listing them', async () => {
    // Among 1,000 sessions some 4-character prefixes collide; find one that does.
    const counts = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const p = sim().sessionAt(i).session_id.slice(0, 4);
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    const shared = [...counts].find(([, n]) => n > 1)?.[0];
    if (!shared) throw new Error('no shared 4-character prefix in the data');
    const r = await b0s(['show', shared], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${shared} matches \\d+ sessions`));
  });

  it('an unknown session is exit 4 with one line', async () => {
    const s = sim().sessionAt(0);
    const r = await b0s(['show', s.socket_id, '00000000-0000-4000-8000-000000000000'], { env: env() });
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('not found');
    const short = await b0s(['show', 'ffffffff'], { env: env() });
    expect(short.code).toBe(4);
    expect(short.stderr).toContain('no session whose ID starts with ffffffff');
  });

  it('on a terminal, times say how long ago they were', async () => {
    const s = find((x) => Boolean(x.end_time));
    const r = await b0s(['show', s.socket_id, s.session_id], { env: env(), tty: { stdout: true, stderr: true }, columns: 100 });
    expect(r.code).toBe(0);
    expect(stripAnsi(r.stdout)).toMatch(new RegExp(`Started\\s+${s.start_time} \\(.+ ago\\)`));
  });
});

describe('b0s kill', () => {
  it('kills a live session from a script without asking, and says so on stderr', async () => {
    const s = liveSession();
    sim().resetRequests();
    const r = await b0s(['kill', s.socket_id, s.session_id], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Killed session');
    const put = sim().requests.find((q) => q.method === 'PUT');
    expect(put?.body && JSON.parse(put.body)).toEqual({ killed: true });
    const after = await b0s(['show', s.socket_id, s.session_id, '--json'], { env: env() });
    expect(JSON.parse(after.stdout).killed).toBe(true);
  });

  it('-o json prints the object the API returned', async () => {
    const s = liveSession();
    const r = await b0s(['kill', `${s.socket_id}/${s.session_id}`, '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    const killed = JSON.parse(r.stdout) as Session;
    expect(killed.session_id).toBe(s.session_id);
    expect(killed.killed).toBe(true);
  });

  it('an already killed or ended session is reported, exit 0, and no PUT is sent', async () => {
    const killed = find((x) => x.killed === true);
    const ended = find((x) => Boolean(x.end_time) && !x.killed && x.result === 'success');
    sim().resetRequests();
    const a = await b0s(['kill', killed.socket_id, killed.session_id], { env: env() });
    expect(a.code).toBe(0);
    expect(a.stderr).toContain('was already killed');
    const b = await b0s(['kill', ended.socket_id, ended.session_id], { env: env() });
    expect(b.code).toBe(0);
    expect(b.stderr).toContain('already ended');
    expect(sim().requests.filter((q) => q.method === 'PUT')).toHaveLength(0);
  });

  it('asks on a terminal, and a "no" kills nothing (exit 130)', async () => {
    const s = liveSession();
    sim().resetRequests();
    const tty = { stdin: true, stderr: true, stdout: true };
    const no = await b0s(['kill', s.socket_id, s.session_id], { env: env(), tty, input: 'n\n' });
    expect(no.code).toBe(130);
    expect(no.stderr).toMatch(/Kill live session .*\[y\/N\]/);
    expect(sim().requests.filter((q) => q.method === 'PUT')).toHaveLength(0);
    const yes = await b0s(['kill', s.socket_id, s.session_id], { env: env(), tty, input: 'y\n' });
    expect(yes.code).toBe(0);
    expect(sim().requests.filter((q) => q.method === 'PUT')).toHaveLength(1);
  });

  it('--yes skips the question on a terminal', async () => {
    const s = liveSession();
    const r = await b0s(['kill', s.socket_id, s.session_id, '--yes'], { env: env(), tty: { stdin: true, stderr: true } });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('[y/N]');
  });

  it('an unknown session is exit 4', async () => {
    const s = sim().sessionAt(0);
    const r = await b0s(['kill', s.socket_id, '00000000-0000-4000-8000-000000000000', '--yes'], { env: env() });
    expect(r.code).toBe(4);
  });
});

describe('short IDs from the last terminal table', () => {
  const sessionRequests = () => sim().requests.filter((q) => q.path.endsWith('/sessions'));

  it('resolve without reading the session list again', async () => {
    const configDir = tmp('recent');
    const listed = await b0s(['list', '--page-size', '20'], { env: env(), tty: { stdout: true, stderr: true }, configDir });
    expect(listed.code).toBe(0);
    const s = sim().sessionAt(7);
    sim().resetRequests();
    const r = await b0s(['show', s.session_id.slice(0, 8)], { env: env(), configDir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(s.session_id);
    // The socket name the table showed, though the detail endpoint leaves it out.
    expect(r.stdout).toContain(`Socket\t${s.socket_name} (${s.socket_id})`);
    expect(sessionRequests()).toHaveLength(0);
    // Given in full, the session's socket is named too.
    const full = await b0s(['show', s.socket_id, s.session_id], { env: env(), configDir });
    expect(full.stdout).toContain(`Socket\t${s.socket_name} (${s.socket_id})`);
  });

  it('a remembered session that is gone falls back to the lookup', async () => {
    const configDir = tmp('recent');
    const s = sim().sessionAt(9);
    // A terminal list stores the API's URL as b0s normalises it; then point its one entry at a socket that has no such session.
    const r0 = await b0s(['list', '--page-size', '1'], { env: env(), tty: { stdout: true }, configDir });
    expect(r0.code).toBe(0);
    const stored = JSON.parse(readFileSync(path.join(configDir, 'recent.json'), 'utf8'));
    stored.recent.sessions = [[s.session_id, '00000000-0000-4000-8000-000000000000', 'gone']];
    writeFileSync(path.join(configDir, 'recent.json'), JSON.stringify(stored));
    sim().resetRequests();
    const r = await b0s(['show', s.session_id.slice(0, 8), '--json'], { env: env(), configDir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).socket_id).toBe(s.socket_id);
    expect(sessionRequests().length).toBeGreaterThan(0);
  });

  it('a config folder that cannot be written changes nothing for the user', async () => {
    // A folder under a regular file cannot be created, even by root.
    const file = path.join(tmp('recent'), 'a-file');
    writeFileSync(file, '');
    const r = await b0s(['list', '--page-size', '5'], { env: env(), tty: { stdout: true, stderr: true }, configDir: path.join(file, 'b0s') });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/error|EACCES|ENOENT/i);
  });
});

describe('b0s kill, several sessions', () => {
  it('kills each one; -o json prints an array of what the API returned', async () => {
    const a = liveSession();
    const b = liveSession();
    const r = await b0s(['kill', `${a.socket_id}/${a.session_id}`, `${b.socket_id}/${b.session_id}`, '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    const killed = JSON.parse(r.stdout) as Session[];
    expect(killed.map((s) => s.session_id)).toEqual([a.session_id, b.session_id]);
    expect(killed.every((s) => s.killed)).toBe(true);
  });

  it('asks once on a terminal, listing every session that would die', async () => {
    const a = liveSession();
    const b = liveSession();
    const r = await b0s(['kill', `${a.socket_id}/${a.session_id}`, `${b.socket_id}/${b.session_id}`], { env: env(), tty: { stdin: true, stderr: true }, input: 'no\n' });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Kill 2 live sessions?');
    expect(r.stderr).toContain(a.session_id.slice(0, 8));
    expect(r.stderr).toContain(b.session_id.slice(0, 8));
  });

  it('when only some can be killed: each failure on its own line, the rest done, exit 5', async () => {
    const a = liveSession();
    const missing = `${a.socket_id}/00000000-0000-4000-8000-000000000000`;
    sim().resetRequests();
    const r = await b0s(['kill', `${a.socket_id}/${a.session_id}`, missing], { env: env() });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('Killed session');
    expect(r.stderr).toMatch(new RegExp(`${missing}: not found`));
    expect(r.stderr).toContain('1 of 2 sessions could not be killed');
    expect(sim().requests.filter((q) => q.method === 'PUT')).toHaveLength(1);
  });

  it('two bare session IDs (as `xargs b0s kill` gives them) are two sessions, not a socket and a session', async () => {
    const a = liveSession();
    const b = liveSession();
    sim().resetRequests();
    const r = await b0s(['kill', a.session_id, b.session_id, '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Session[]).map((s) => s.session_id)).toEqual([a.session_id, b.session_id]);
    expect(sim().requests.filter((q) => q.method === 'PUT').map((q) => q.path)).toEqual([`/api/v1/session/${a.socket_id}/${a.session_id}`, `/api/v1/session/${b.socket_id}/${b.session_id}`]);
  });

  it('a socket ID and a session ID are still that one session (-o json: the object)', async () => {
    const s = liveSession();
    const r = await b0s(['kill', s.socket_id, s.session_id, '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Session).killed).toBe(true);
  });

  it('two bare UUIDs of which only one is a session: that one is killed, the other is not found (exit 5)', async () => {
    const s = liveSession();
    const missing = '00000000-0000-4000-8000-000000000003';
    const r = await b0s(['kill', s.session_id, missing], { env: env() });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('Killed session');
    expect(r.stderr).toContain(`${missing}: no session with ID ${missing}`);
  });

  it('two bare UUIDs that are neither a session pair nor sessions: exit 4, one line', async () => {
    const r = await b0s(['kill', '00000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000005'], { env: env() });
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('neither ID is a session among the 1,000 most recent');
  });

  it('the same session named several ways is killed once', async () => {
    const s = liveSession();
    sim().resetRequests();
    const r = await b0s(['kill', `${s.socket_id}/${s.session_id}`, s.session_id, s.session_id.slice(0, 8), `${s.socket_id}/${s.session_id}`.toUpperCase(), '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Session[]).map((x) => x.session_id)).toEqual([s.session_id]);
    expect(sim().requests.filter((q) => q.method === 'PUT')).toHaveLength(1);
    expect(r.stderr.match(/Killed session/g)).toHaveLength(1);
  });

  it('when none can be killed, the exit code is theirs (4: not found)', async () => {
    const s = sim().sessionAt(0);
    const r = await b0s(['kill', `${s.socket_id}/00000000-0000-4000-8000-000000000001`, `${s.socket_id}/00000000-0000-4000-8000-000000000002`], { env: env() });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('none of the 2 sessions could be killed');
  });
});

describe('the kill prompt', () => {
  it('input that ends before an answer is a "no", not a hang', async () => {
    const s = liveSession();
    const r = await b0s(['kill', `${s.socket_id}/${s.session_id}`], { env: env(), tty: { stdin: true, stderr: true }, input: '' });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('no session was killed');
  });

  it('Ctrl-C at the prompt is exit 130 and kills nothing', async () => {
    const s = liveSession();
    const ctl = new AbortController();
    sim().resetRequests();
    const pending = b0s(['kill', `${s.socket_id}/${s.session_id}`], { env: env(), tty: { stdin: true, stderr: true }, signal: ctl.signal });
    setTimeout(() => ctl.abort(), 100);
    const r = await pending;
    expect(r.code).toBe(130);
    expect(sim().requests.filter((q) => q.method === 'PUT')).toHaveLength(0);
  });
});
