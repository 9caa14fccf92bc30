// Killing many sessions at once: by list filters or from stdin, with a plan (--dry-run),
// --yes when nobody can be asked, a --max that stops before anything dies, and exit 5
// when only some could be killed.
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { killOptions, parseStdinTargets } from '../src/commands/kill';
import { forEachLimited } from '../src/pool';
import { b0s } from './helpers/world';
import { useSimulator } from './helpers/sim';
import { parseNdjson, tsvRows } from './helpers/parse';

const { sim, env } = useSimulator({ sessions: 300 });

const isLive = (s: Session) => !s.end_time && !s.killed && s.result !== 'denied';
const ids = (list: readonly Session[]) => list.map((s) => `${s.socket_id}/${s.session_id}`).sort();
const puts = () => sim().requests.filter((q) => q.method === 'PUT');

/** The sessions live right now that match, from the simulator's own state. */
function liveWhere(pred: (s: Session) => boolean): Session[] {
  const out: Session[] = [];
  for (let i = 0; i < sim().sessionCount(); i++) {
    const s = sim().sessionAt(i);
    if (isLive(s) && pred(s)) out.push(s);
  }
  return out;
}

/** A user with at least `n` live sessions, made by adding sessions that start now (they are live). */
function userWithLive(n: number, taken: Set<string>): { user: string; live: Session[] } {
  for (;;) {
    sim().addSessions(20);
    const counts = new Map<string, number>();
    for (const s of liveWhere(() => true)) counts.set(String(s.user_email), (counts.get(String(s.user_email)) ?? 0) + 1);
    const found = [...counts].find(([u, c]) => c >= n && !taken.has(u) && /^[a-z]+@example\.(com|net)$/.test(u));
    if (found) {
      taken.add(found[0]);
      return { user: found[0], live: liveWhere((s) => s.user_email === found[0]) };
    }
  }
}

const taken = new Set<string>();

describe('b0s kill by filter', () => {
  it('--dry-run prints exactly the live sessions that match, as b0s list does, and kills nothing', async () => {
    const { user, live } = userWithLive(3, taken);
    sim().resetRequests();
    const r = await b0s(['kill', '--user', user, '--dry-run', '--max', '500'], { env: env() });
    expect(r.code).toBe(0);
    expect(tsvRows(r.stdout).map((row) => row[8]).sort()).toEqual(ids(live));
    expect(r.stderr).toContain(`dry run: ${live.length} live sessions would be killed; nothing was killed`);
    expect(puts()).toHaveLength(0);
    // The walk asked the API for live sessions of that user only.
    const list = sim().requests.find((q) => q.path.endsWith('/sessions'));
    expect(list?.query).toMatchObject({ finished: 'false', user_emails: user });
  });

  it('without --yes and without a terminal: refused (exit 2), nothing killed', async () => {
    const { user, live } = userWithLive(2, taken);
    sim().resetRequests();
    const r = await b0s(['kill', '--user', user, '--max', '500'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`killing by filter needs --yes when there is no terminal to ask on (${live.length} live sessions would be killed`);
    expect(puts()).toHaveLength(0);
  });

  it('on a terminal it asks, listing each session; "no" kills nothing (exit 130)', async () => {
    const { user, live } = userWithLive(2, taken);
    sim().resetRequests();
    const r = await b0s(['kill', '--user', user, '--max', '500'], { env: env(), tty: { stdin: true, stderr: true }, input: 'n\n' });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain(`Kill ${live.length} live sessions?`);
    for (const s of live) expect(r.stderr).toContain(s.session_id.slice(0, 8));
    expect(puts()).toHaveLength(0);
  });

  it('with --yes: kills every live session that matches, one line each, and no other', async () => {
    const { user, live } = userWithLive(3, taken);
    const others = liveWhere((s) => s.user_email !== user).length;
    sim().resetRequests();
    const r = await b0s(['kill', '--user', user.toUpperCase(), '--yes', '--max', '500', '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    expect(ids(JSON.parse(r.stdout) as Session[])).toEqual(ids(live));
    expect((JSON.parse(r.stdout) as Session[]).every((s) => s.killed)).toBe(true);
    expect(r.stderr.match(/Killed session/g)).toHaveLength(live.length);
    expect(puts()).toHaveLength(live.length);
    expect(liveWhere((s) => s.user_email === user)).toEqual([]);
    expect(liveWhere((s) => s.user_email !== user)).toHaveLength(others);
  });

  it('more than --max match: stops before killing anything, saying the limit (exit 2)', async () => {
    const { user } = userWithLive(3, taken);
    sim().resetRequests();
    const r = await b0s(['kill', '--user', user, '--yes', '--max', '2'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('more than 2 live sessions match, more than --max 2: nothing was killed');
    expect(puts()).toHaveLength(0);
  });

  it('--dry-run is not stopped by --max: it lists every match and says a real run would stop', async () => {
    const { user, live } = userWithLive(3, taken);
    sim().resetRequests();
    const r = await b0s(['kill', '--user', user, '--dry-run', '--max', '2'], { env: env() });
    expect(r.code).toBe(0);
    expect(tsvRows(r.stdout).map((row) => row[8]).sort()).toEqual(ids(live));
    expect(r.stderr).toContain(`That is more than --max 2: without --dry-run, b0s would stop before killing any.`);
    expect(puts()).toHaveLength(0);
  });

  it('the default --max is said in the message', async () => {
    sim().addSessions(25);
    sim().resetRequests();
    const r = await b0s(['kill', '--since', '7d', '--yes'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('more than 20 live sessions match, more than --max 20, the default: nothing was killed');
    expect(puts()).toHaveLength(0);
  });

  it('no live session matches: says so, exit 0', async () => {
    const r = await b0s(['kill', '--user', 'nobody@example.org', '--yes'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('No live session matches; nothing to do.');
  });
});

describe('b0s kill --stdin', () => {
  it('kills the sessions of `b0s list -o ndjson`, read again from the API', async () => {
    const { user, live } = userWithLive(2, taken);
    const listed = await b0s(['list', '--user', user, '--status', 'live', '--all', '-o', 'ndjson'], { env: env() });
    expect(ids(parseNdjson(listed.stdout) as Session[])).toEqual(ids(live));
    sim().resetRequests();
    const r = await b0s(['kill', '--stdin', '--yes', '--max', '500', '-o', 'json'], { env: env(), input: listed.stdout });
    expect(r.code).toBe(0);
    expect(ids(JSON.parse(r.stdout) as Session[])).toEqual(ids(live));
    expect(puts()).toHaveLength(live.length);
    expect(sim().requests.filter((q) => q.path.endsWith('/sessions'))).toHaveLength(0);
  });

  it("--dry-run and the lines said name each session's socket as the input did (the API's session lacks the name)", async () => {
    const { user, live } = userWithLive(2, taken);
    const listed = await b0s(['list', '--user', user, '--status', 'live', '--all', '-o', 'ndjson'], { env: env() });
    const names = new Map((parseNdjson(listed.stdout) as Session[]).map((s) => [`${s.socket_id}/${s.session_id}`, s.socket_name]));
    const plan = await b0s(['kill', '--stdin', '--dry-run'], { env: env(), input: listed.stdout });
    expect(plan.code).toBe(0);
    const rows = tsvRows(plan.stdout);
    expect(rows).toHaveLength(live.length);
    for (const row of rows) expect(row[2]).toBe(names.get(row[8] as string));
    const killed = await b0s(['kill', '--stdin', '--yes'], { env: env(), input: listed.stdout });
    expect(killed.code).toBe(0);
    for (const s of live) expect(killed.stderr).toContain(`on ${names.get(`${s.socket_id}/${s.session_id}`)}`);
  });

  it('takes "socket session", "socket/session" and the piped table; an ended session is reported, not killed', async () => {
    const { live } = userWithLive(2, taken);
    const [a, b] = live as [Session, Session];
    const ended = sim().sessionAt(sim().sessionCount() - 1);
    const table = await b0s(['list', '--page-size', '1', '--page', String(sim().sessionCount())], { env: env() });
    const input = `${a.socket_id} ${a.session_id}\n\n${b.socket_id}/${b.session_id}\r\n${table.stdout}`;
    sim().resetRequests();
    const r = await b0s(['kill', '--stdin', '--yes'], { env: env(), input });
    expect(r.code).toBe(0);
    expect(puts().map((q) => q.path).sort()).toEqual([`/api/v1/session/${a.socket_id}/${a.session_id}`, `/api/v1/session/${b.socket_id}/${b.session_id}`].sort());
    expect(r.stderr).toMatch(new RegExp(`Session ${ended.session_id.slice(0, 8)} .*(already ended|already killed|denied)`));
  });

  it('a line that names no session is a usage error naming the line, before any request', async () => {
    sim().resetRequests();
    const r = await b0s(['kill', '--stdin', '--yes'], { env: env(), input: `${sim().sessionAt(0).socket_id}/${sim().sessionAt(0).session_id}\nhello world again\n` });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^b0s: stdin line 2: "hello world again" names no session; each line must be/);
    expect(sim().requests).toHaveLength(0);
  });

  it('needs --yes: stdin holds the sessions, so nobody can be asked (exit 2)', async () => {
    const { live } = userWithLive(1, taken);
    const s = live[0] as Session;
    const r = await b0s(['kill', '--stdin'], { env: env(), input: `${s.socket_id}/${s.session_id}\n`, tty: { stderr: true } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--stdin needs --yes');
  });

  it('when some cannot be killed: one line per session, the others killed, exit 5', async () => {
    const { live } = userWithLive(2, taken);
    const [a, b] = live as [Session, Session];
    const missing = `${a.socket_id}/00000000-0000-4000-8000-00000000000a`;
    const r = await b0s(['kill', '--stdin', '--yes'], { env: env(), input: `${a.socket_id}/${a.session_id}\n${missing}\n${b.socket_id}/${b.session_id}\n` });
    expect(r.code).toBe(5);
    expect(r.stderr.match(/Killed session/g)).toHaveLength(2);
    expect(r.stderr).toContain(`${missing}: not found`);
    expect(r.stderr).toContain('1 of 3 sessions could not be killed');
  });
});

describe('kill options', () => {
  const refused: Array<[string[], Record<string, unknown>, RegExp]> = [
    [['a/b'], { user: ['x@example.com'] }, /kill takes sessions from one place: session arguments or --user, not both/],
    [[], { stdin: true, socket: ['prod'] }, /--stdin or --socket, not both/],
    [[], { status: ['ended'] }, /kill ends live sessions only: --status ended cannot be killed/],
    [[], { result: 'denied' }, /a denied session never started/],
    [[], {}, /kill needs sessions: .*--stdin, or filters such as --user EMAIL/],
  ];
  for (const [args, raw, message] of refused) {
    it(`refuses ${JSON.stringify(raw)} ${args.join(' ')}`, () => {
      expect(() => killOptions(args, raw)).toThrow(message);
    });
  }

  it('filters are the list filters with --status live implied, and --max defaults to 20', () => {
    const opts = killOptions([], { user: ['Eve@Example.net'], type: ['SSH'] });
    expect(opts.source).toMatchObject({ kind: 'filter', filter: { users: ['Eve@Example.net'], types: ['ssh'], statuses: ['live'] }, hints: { finished: false } });
    expect(opts.max).toBe(20);
  });

  it('stdin lines: NDJSON objects, pairs, and duplicates once', () => {
    const s = '11111111-1111-4111-8111-111111111111';
    const t = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
    expect(parseStdinTargets(`{"socket_id":"${s}","session_id":"${t}","x":1}\n${s} ${t}\n${s}/${t}\n`)).toEqual([{ socketId: s, sessionId: t }]);
    expect(parseStdinTargets(`{"socket_id":"${s}","session_id":"${t}","socket_name":"prod-ssh"}\n`)).toEqual([{ socketId: s, sessionId: t, socketName: 'prod-ssh' }]);
    expect(() => parseStdinTargets(`${t}\n`)).toThrow(/stdin line 1: .*names no session/);
    expect(() => parseStdinTargets(`{"socket_id": 1}\n`)).toThrow(/stdin line 1: a JSON object without string socket_id and session_id/);
    expect(() => parseStdinTargets(`{oops\n`)).toThrow(/stdin line 1: not valid JSON/);
    expect(() => parseStdinTargets(`${s} nope\n`)).toThrow(/stdin line 1: the session ID must be a UUID/);
  });
});

describe('forEachLimited', () => {
  it('never runs more tasks at once than asked, and runs each once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await forEachLimited(Array.from({ length: 40 }, (_, i) => i), 3, async (i) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setImmediate(r));
      done.push(i);
      running--;
    });
    expect(most).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });
});
