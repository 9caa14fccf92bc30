// kill against a small stand-in API whose answers the simulator never gives: a socket ID
// that is also a session ID, and PUT answers that do not show the kill.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { b0s } from './helpers/world';
import { SIM_TOKEN } from './helpers/secrets';

const SOCKET = '11111111-1111-4111-8111-111111111111';
const OTHER_SOCKET = '22222222-2222-4222-8222-222222222222';
const LIVE = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const LIVE_2 = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

type PutEffect = 'kill' | 'end' | 'nothing';
let sessions: Session[] = [];
/** What the PUT does to the session, and what it answers. */
let put: { effect: PutEffect; answer: (s: Session) => unknown } = { effect: 'kill', answer: (s) => s };
let requests: string[] = [];
let unknown: string[] = [];
let server: http.Server;
let api: string;

function session(id: string, socket: string): Session {
  return { session_id: id, socket_id: socket, socket_name: 'prod-ssh', start_time: '2026-11-26T11:00:00Z', end_time: '', killed: false, result: 'success', user_email: 'alice@example.com' };
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}`);
    const parts = url.pathname.split('/').slice(3);
    if (req.method === 'GET' && parts.length === 1 && parts[0] === 'sessions') {
      const page = Number(url.searchParams.get('page') ?? 1);
      const logs = page === 1 ? sessions : [];
      return reply(res, 200, { session_logs: logs, pagination: { current_page: page, total_pages: 1, total_records: sessions.length, records_per_page: 100, next_page: 0 } });
    }
    if (parts.length === 3 && parts[0] === 'session') {
      const s = sessions.find((x) => x.socket_id === parts[1] && x.session_id === parts[2]);
      if (!s) return reply(res, 404, { error_message: 'session not found', status_code: 404 });
      if (req.method === 'GET') return reply(res, 200, s);
      if (req.method === 'PUT') {
        req.resume();
        return req.on('end', () => {
          if (put.effect === 'kill') Object.assign(s, { killed: true, end_time: '2026-11-26T12:00:00Z' });
          if (put.effect === 'end') Object.assign(s, { end_time: '2026-11-26T12:00:00Z' });
          reply(res, 200, put.answer(s));
        });
      }
    }
    unknown.push(`${req.method} ${url.pathname}`);
    reply(res, 404, { error_message: 'no such route' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  sessions = [session(LIVE, SOCKET), session(LIVE_2, OTHER_SOCKET)];
  put = { effect: 'kill', answer: (s) => s };
  requests = [];
  unknown = [];
});
afterEach(() => {
  expect(unknown, 'routes the stand-in API does not know').toEqual([]);
});

const env = () => ({ BORDER0_API: api, BORDER0_ADMIN_TOKEN: SIM_TOKEN });
const puts = () => requests.filter((r) => r.startsWith('PUT'));

describe('two bare UUIDs that the API knows as a socket and its session', () => {
  it('are that one session, found with one request: no lookup through the list', async () => {
    // Even were the socket ID also a session's ID (random UUIDs never collide), the pair is not read twice.
    sessions.push(session(SOCKET, OTHER_SOCKET));
    const r = await b0s(['kill', SOCKET, LIVE, '--yes', '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Session).session_id).toBe(LIVE);
    expect(requests).toEqual([`GET /api/v1/session/${SOCKET}/${LIVE}`, `PUT /api/v1/session/${SOCKET}/${LIVE}`]);
  });
});

describe('a kill counts only when the API shows it', () => {
  it('an answer of {} is checked by reading the session again: killed', async () => {
    put = { effect: 'kill', answer: () => ({}) };
    const r = await b0s(['kill', `${SOCKET}/${LIVE}`, '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Killed session aaaaaaaa');
    expect(requests.slice(-2)).toEqual([`PUT /api/v1/session/${SOCKET}/${LIVE}`, `GET /api/v1/session/${SOCKET}/${LIVE}`]);
    // The session as read again, not the empty answer.
    expect((JSON.parse(r.stdout) as Session).killed).toBe(true);
  });

  it('{"killed": false} with the session still live: exit 1, "the API did not confirm the kill"', async () => {
    put = { effect: 'nothing', answer: () => ({ killed: false }) };
    const r = await b0s(['kill', `${SOCKET}/${LIVE}`], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('b0s: the API did not confirm the kill: it answered {"killed":false}, and the session is still live\n');
    expect(r.stderr).not.toContain('Killed');
  });

  it('{} with the session ended but not killed: it ended by itself, exit 0', async () => {
    put = { effect: 'end', answer: () => ({}) };
    const r = await b0s(['kill', `${SOCKET}/${LIVE}`], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('had already ended by itself');
    expect(r.stderr).not.toContain('Killed');
  });

  it('with several, an unconfirmed kill is a failure among them: exit 5', async () => {
    let n = 0;
    put = { effect: 'nothing', answer: (s) => (++n === 1 ? { killed: false } : { ...s, killed: true }) };
    const r = await b0s(['kill', `${SOCKET}/${LIVE}`, `${OTHER_SOCKET}/${LIVE_2}`], { env: env() });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`${SOCKET}/${LIVE}: the API did not confirm the kill`);
    expect(r.stderr).toContain('Killed session bbbbbbbb');
    expect(r.stderr).toContain('1 of 2 sessions could not be killed');
  });
});
