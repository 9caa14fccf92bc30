import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pagination, Session } from '../src/api/types';
import { SIM_FORBIDDEN_TOKEN, SIM_TOKEN, parseFaults, startSimulator, type SimOptions, type Simulator } from '../src/simulator';

const NOW = Date.parse('2026-11-26T10:00:00Z');
const ESC = '\u001b';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ now: NOW, quiet: true });
});
afterAll(() => sim.close());

function call(s: Simulator, path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const { token = s.token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token !== null) headers.set('x-access-token', token);
  return fetch(`${s.url}${path}`, { ...rest, headers });
}

interface Page {
  pagination: Pagination;
  session_logs: Session[];
}

async function page(s: Simulator, query: string): Promise<Page & { raw: Record<string, unknown> }> {
  const res = await call(s, `/sessions?${query}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as Page;
  return { ...body, raw: body.pagination as unknown as Record<string, unknown> };
}

/** A throwaway simulator for tests that mutate state or change options. */
async function withSim<T>(opts: SimOptions, fn: (s: Simulator) => Promise<T>): Promise<T> {
  const s = await startSimulator({ now: NOW, sessions: 60, quiet: true, ...opts });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

const sessionPath = (s: Session): string => `/session/${s.socket_id}/${s.session_id}`;

describe('GET /sessions', () => {
  it('answers the documented shape, newest first, with socket_name', async () => {
    const res = await call(sim, '/sessions');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('connection')).toBe('keep-alive');
    const body = (await res.json()) as Page;
    expect(Object.keys(body)).toEqual(['pagination', 'session_logs']);
    expect(body.pagination).toEqual({
      actual_page_size: 10,
      current_page: 1,
      next_page: 2,
      records_per_page: 10,
      total_pages: 250,
      total_records: 2500,
    });
    const starts = body.session_logs.map((s) => Date.parse(s.start_time ?? ''));
    for (let i = 1; i < starts.length; i++) expect(starts[i]).toBeLessThan(starts[i - 1] as number);
    for (const s of body.session_logs) {
      expect(s.session_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(s.start_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(typeof s.socket_name).toBe('string');
      expect(typeof s.server_port).toBe('string');
      expect(s.metadata?.ip_metadata?.country_code).toBe(s.country_code);
      expect(s.sshuser === null).toBe(s.session_type !== 'ssh');
    }
    expect(body.session_logs.some((s) => s.end_time === '')).toBe(true);
    expect(body.session_logs).toEqual(Array.from({ length: 10 }, (_, i) => sim.sessionAt(i)));
  });

  it('does the pagination maths and clamps page_size', async () => {
    const last = await page(sim, 'page=358&page_size=7');
    expect(last.pagination).toMatchObject({ current_page: 358, total_pages: 358, actual_page_size: 1, records_per_page: 7, next_page: 0 });
    expect(last.session_logs[0]).toEqual(sim.sessionAt(2499));
    const past = await page(sim, 'page=359&page_size=7');
    expect(past.session_logs).toEqual([]);
    expect(past.pagination).toMatchObject({ current_page: 359, actual_page_size: 0, total_records: 2500 });
    const big = await page(sim, 'page=2&page_size=5000');
    expect(big.pagination).toMatchObject({ records_per_page: 1000, actual_page_size: 1000, total_pages: 3, next_page: 3 });
    expect(big.session_logs[0]).toEqual(sim.sessionAt(1000));
  });

  it('says next_page on the last page in each variant', async () => {
    await withSim({ sessions: 5, lastNextPage: 'null' }, async (s) => {
      expect((await page(s, 'page_size=5')).raw.next_page).toBeNull();
      s.setOptions({ lastNextPage: 'missing' });
      expect('next_page' in (await page(s, 'page_size=5')).raw).toBe(false);
      expect((await page(s, 'page_size=4')).raw.next_page).toBe(2);
      s.setOptions({ lastNextPage: 'zero', maxPageSize: 2 });
      expect((await page(s, 'page=3&page_size=4')).pagination).toMatchObject({ next_page: 0, records_per_page: 2, total_pages: 3 });
    });
  });

  it('refuses a page or page_size that is not a positive integer', async () => {
    for (const q of ['page=0', 'page=abc', 'page=-1', 'page_size=0', 'page_size=1.5', 'page_size=%2B3']) {
      const res = await call(sim, `/sessions?${q}`);
      expect(res.status, q).toBe(400);
      expect(await res.json()).toEqual({ error_message: expect.stringMatching(/page/), status_code: 400 });
    }
  });

  it('filters by socket, user and result, and refuses a bad auth_result', async () => {
    const bySocket = await page(sim, 'socket_names=prod-ssh,orders-db&page_size=200');
    expect(bySocket.pagination.total_records).toBeGreaterThan(300);
    expect(bySocket.pagination.total_records).toBeLessThan(1000);
    expect(new Set(bySocket.session_logs.map((s) => s.socket_name))).toEqual(new Set(['prod-ssh', 'orders-db']));
    const byUser = await page(sim, 'user_emails=alice@example.com&auth_result=denied&page_size=50');
    expect(byUser.session_logs.length).toBeGreaterThan(0);
    for (const s of byUser.session_logs) expect([s.user_email, s.result, s.recordings ?? []]).toEqual(['alice@example.com', 'denied', []]);
    expect((await page(sim, 'socket_names=prod')).pagination.total_records).toBe(0);
    const bad = await call(sim, '/sessions?auth_result=failed');
    expect(bad.status).toBe(400);
  });

  it('ignores time filters unless told to honour them', async () => {
    const q = 'start_date_after=2026-11-25T00:00:00Z&finished=false';
    expect((await page(sim, q)).pagination.total_records).toBe(2500);
    await withSim({ sessions: 2500, honourTimeFilters: true }, async (s) => {
      const live = await page(s, `${q}&page_size=1000`);
      expect(live.pagination.total_records).toBeGreaterThanOrEqual(3);
      for (const x of live.session_logs) {
        expect(x.end_time).toBe('');
        expect(Date.parse(x.start_time ?? '')).toBeGreaterThanOrEqual(Date.parse('2026-11-25T00:00:00Z'));
      }
      const window = await page(s, 'start_date_after=2026-11-20T00:00:00Z&start_date_before=2026-11-21T00:00:00Z');
      expect(window.pagination.total_records).toBeGreaterThan(100);
      expect((await call(s, '/sessions?start_date_before=yesterday')).status).toBe(400);
    });
  });

  it('shifts later pages down as sessions arrive', async () => {
    await withSim({ arrivalsPerListRequest: 3 }, async (s) => {
      const first = await page(s, 'page=1&page_size=10');
      expect(first.pagination.total_records).toBe(63);
      const second = await page(s, 'page=2&page_size=10');
      expect(second.pagination.total_records).toBe(66);
      expect(second.session_logs[0]).toEqual(first.session_logs[7]);
      s.setOptions({ arrivalsPerListRequest: 0 });
      const added = s.addSessions(2);
      expect(s.sessionCount()).toBe(68);
      expect(added).toEqual([s.sessionAt(0), s.sessionAt(1)]);
      expect(Date.parse(added[1]?.start_time ?? '')).toBeGreaterThan(Date.parse(first.session_logs[0]?.start_time ?? ''));
      const detail = await call(s, sessionPath(added[0] as Session));
      expect(detail.status).toBe(200);
    });
  });
});

describe('sessions of a socket, one session, stats', () => {
  it('answers the detail form: the list object without socket_name', async () => {
    const listed = sim.sessionAt(1234);
    const res = await call(sim, sessionPath(listed));
    const { socket_name, ...detail } = listed;
    expect(socket_name).toBeTruthy();
    expect(await res.json()).toEqual(detail);
    // Path segments are URL-decoded.
    const encoded = await call(sim, `/session/${listed.socket_id.replace(/-/g, '%2D')}/${listed.session_id}`);
    expect(encoded.status).toBe(200);
  });

  it('404s an unknown session or one of another socket', async () => {
    const a = sim.sessionAt(3);
    const other = sim.sessionAt(Array.from({ length: 20 }, (_, i) => i).find((i) => sim.sessionAt(i).socket_id !== a.socket_id) ?? 0);
    for (const path of [
      `/session/${a.socket_id}/${other.session_id}`,
      `/session/${a.socket_id}/00000000-0000-4000-8000-000000000000`,
      `/session/${a.socket_id}/not-a-uuid`,
      `/session/00000000-0000-4000-8000-000000000000/${a.session_id}`,
    ]) {
      const res = await call(sim, path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toEqual({ error_message: 'session not found', status_code: 404 });
    }
  });

  it('lists one socket as a plain array, and counts by socket, user and location', async () => {
    const sockets = (await (await call(sim, '/sessions/stats/sockets')).json()) as Array<{ socket_name: string; socket_id: string; count: number }>;
    expect(sockets).toHaveLength(11);
    expect(sockets.reduce((n, s) => n + s.count, 0)).toBe(2500);
    expect(sockets.map((s) => s.count)).toEqual([...sockets.map((s) => s.count)].sort((x, y) => y - x));
    const k8s = sockets.find((s) => s.socket_name === 'prod-k8s');
    const all = (await (await call(sim, `/session/${k8s?.socket_id}`)).json()) as Session[];
    expect(all).toHaveLength(k8s?.count ?? -1);
    expect(all.every((s) => s.socket_id === k8s?.socket_id && s.session_type === 'kubernetes' && !('socket_name' in s))).toBe(true);
    expect((await call(sim, '/session/00000000-0000-4000-8000-000000000000')).status).toBe(404);

    const users = (await (await call(sim, '/sessions/stats/users?auth_result=denied')).json()) as Array<{ user_email: string; count: number }>;
    expect(Object.keys(users[0] ?? {})).toEqual(['user_email', 'count']);
    const denied = (await page(sim, "auth_result=denied")).pagination.total_records ?? 0;
    expect(denied / 2500).toBeGreaterThan(0.05);
    expect(denied / 2500).toBeLessThan(0.12);
    expect(users.reduce((n, u) => n + u.count, 0)).toBe(denied);
    const places = (await (await call(sim, '/sessions/stats/locations')).json()) as Array<Record<string, unknown>>;
    expect(places[0]).toEqual({ country_code: expect.stringMatching(/^[A-Z]{2}$/), country_name: expect.any(String), count: expect.any(Number) });
  });

  it('has a realistic mix: denials without recordings, kills, live sessions near the head', async () => {
    const all = (await page(sim, 'page_size=1000')).session_logs;
    const killed = all.filter((s) => s.killed);
    expect(killed.length / all.length).toBeGreaterThan(0.02);
    expect(killed.every((s) => s.end_time !== '')).toBe(true);
    expect(all.filter((s) => s.result === 'denied').every((s) => s.end_time === s.start_time && (s.recordings ?? []).length === 0)).toBe(true);
    const live = all.filter((s) => s.end_time === '');
    expect(live.length).toBeGreaterThanOrEqual(3);
    expect(live.every((s) => NOW - Date.parse(s.start_time ?? '') < 2 * 3600e3)).toBe(true);
    expect(all.some((s) => !('recordings' in s))).toBe(true);
    const types = new Set(all.flatMap((s) => (s.recordings ?? []).map((r) => r.recording_type)));
    expect(types).toEqual(
      new Set(['asciinema', 'database_query_log', 'http_access_log', 'kubernetes_api_request_log', 'aws_s3_api_request_log', 'snowflake_query_log', 'browser_session_stream']),
    );
    expect(all.some((s) => (s.recordings ?? []).length === 2)).toBe(true);
  });
});

describe('authentication', () => {
  it('answers 401 without or with a wrong token and 403 for a non-admin one, on every endpoint', async () => {
    const s = sim.sessionAt(0);
    const calls: Array<[string, string]> = [
      ['GET', '/sessions'],
      ['GET', '/sessions/stats/users'],
      ['GET', `/session/${s.socket_id}`],
      ['GET', sessionPath(s)],
      ['PUT', sessionPath(s)],
      ['GET', `${sessionPath(s)}/session_log`],
    ];
    sim.resetRequests();
    for (const [method, path] of calls) {
      const body = method === 'PUT' ? '{"killed": true}' : undefined;
      for (const [token, status, message] of [
        [null, 401, 'missing access token'],
        ['not-a-token', 401, 'invalid or expired token'],
        [SIM_FORBIDDEN_TOKEN, 403, 'token lacks admin permission'],
      ] as const) {
        const res = await call(sim, path, { method, token, body });
        expect(res.status, `${method} ${path}`).toBe(status);
        expect(await res.json()).toEqual({ error_message: message, status_code: status });
      }
    }
    expect(sim.requests.map((r) => r.auth)).toEqual(calls.flatMap(() => ['missing', 'invalid', 'forbidden']));
    // The token in the Authorization header is not the API's way.
    expect((await call(sim, '/sessions', { token: null, headers: { authorization: `Bearer ${SIM_TOKEN}` } })).status).toBe(401);
    expect(JSON.stringify(sim.requests)).not.toContain(SIM_TOKEN.split('.')[2]);
    expect(sim.sessionAt(0).killed).toBe(false);
  });

  it('issues a JWT-shaped admin token with no exp', () => {
    const [, payload] = SIM_TOKEN.split('.');
    expect(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString())).toEqual({
      org_id: 'sim-org',
      user_email: 'admin@example.com',
      type: 'admin',
      iat: expect.any(Number),
    });
  });
});

describe('arrivals that end by themselves (liveForSeconds, b0s-sim --live-for)', () => {
  it('an arrival is live, then ended liveForSeconds after its start; a kill before that wins', async () => {
    await withSim({ liveForSeconds: 1, honourTimeFilters: true }, async (s) => {
      const [first, second] = s.addSessions(2) as [Session, Session];
      expect([first.end_time, first.killed]).toEqual(['', false]);
      const killed = (await (await call(s, sessionPath(second), { method: 'PUT', body: '{"killed":true}' })).json()) as Session;
      expect(killed.killed).toBe(true);
      const openNow = (await page(s, 'page=1&page_size=5&finished=false')).session_logs.map((x) => x.session_id);
      expect(openNow).toContain(first.session_id);
      // The simulator's clock runs at wall speed: wait (bounded by the test timeout) for the end.
      let detail: Session;
      for (;;) {
        detail = (await (await call(s, sessionPath(first))).json()) as Session;
        if (detail.end_time) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(Date.parse(detail.end_time ?? '')).toBe(Date.parse(first.start_time ?? '') + 1000);
      expect([detail.killed, detail.last_seen, detail.result]).toEqual([false, detail.end_time, 'success']);
      // addSessions answers newest first, as the list does.
      expect(s.sessionAt(0)).toMatchObject({ session_id: first.session_id, killed: false, end_time: detail.end_time });
      // The kill stays a kill, at the time it happened.
      expect(s.sessionAt(1)).toMatchObject({ session_id: second.session_id, killed: true, end_time: killed.end_time });
      // Listed as finished now, and no longer killable.
      const finished = (await page(s, 'page=1&page_size=5&finished=true')).session_logs.map((x) => x.session_id);
      expect(finished).toEqual(expect.arrayContaining([first.session_id, second.session_id]));
      expect(((await (await call(s, sessionPath(first), { method: 'PUT', body: '{"killed":true}' })).json()) as Session).killed).toBe(false);
    });
  });

  it('without it, arrivals run until killed; generated sessions are untouched either way', async () => {
    await withSim({}, async (s) => {
      const [arrival] = s.addSessions(1) as [Session];
      expect(arrival.end_time).toBe('');
    });
    const [a, b] = await Promise.all([startSimulator({ now: NOW, sessions: 60, quiet: true }), startSimulator({ now: NOW, sessions: 60, quiet: true, liveForSeconds: 1 })]);
    try {
      for (let i = 0; i < 60; i++) expect(b.sessionAt(i)).toEqual(a.sessionAt(i));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    await expect(startSimulator({ liveForSeconds: 0 })).rejects.toThrow(/liveForSeconds/);
  });
});

describe('PUT /session/{socket}/{session}', () => {
  it('kills a live session and leaves an ended one alone', async () => {
    await withSim({}, async (s) => {
      const live = s.sessionAt(0);
      expect([live.end_time, live.killed]).toEqual(['', false]);
      const res = await call(s, sessionPath(live), { method: 'PUT', body: '{"killed": true}', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(200);
      const dead = (await res.json()) as Session;
      expect(dead).not.toHaveProperty('socket_name');
      expect(dead.killed).toBe(true);
      expect(dead.end_time).toMatch(/Z$/);
      expect(dead.last_seen).toBe(dead.end_time);
      expect(Date.parse(dead.end_time ?? '')).toBeGreaterThanOrEqual(NOW);
      expect(s.sessionAt(0)).toMatchObject({ killed: true, end_time: dead.end_time });
      expect(s.requests.at(-1)?.body).toBe('{"killed": true}');

      const again = await call(s, sessionPath(live), { method: 'PUT', body: '{"killed":true}' });
      expect(await again.json()).toEqual(dead);
      const ended = s.sessionAt(1);
      expect(ended.end_time).not.toBe('');
      const untouched = await call(s, sessionPath(ended), { method: 'PUT', body: '{"killed":true}' });
      expect([untouched.status, await untouched.json()]).toEqual([200, (({ socket_name, ...d }) => d)(ended)]);

      for (const body of ['', '{"killed": false}', 'killed', '[true]']) {
        expect((await call(s, sessionPath(s.sessionAt(3)), { method: 'PUT', body })).status, body).toBe(400);
      }
      expect(s.sessionAt(3).end_time).toBe('');
      expect((await call(s, `/session/${live.socket_id}/${ended.session_id.replace(/^./, 'f')}`, { method: 'PUT', body: '{"killed":true}' })).status).toBe(404);
    });
  });
});

describe('GET .../session_log', () => {
  const hostileRecording = (s: Simulator): Session => {
    for (let i = 0; i < 20; i++) {
      const x = s.sessionAt(i);
      if (x.name?.includes('Mallory')) return x;
    }
    throw new Error('no Mallory');
  };

  it('sends an asciicast recording as a JSON string by default', async () => {
    const s = hostileRecording(sim);
    const res = await call(sim, `${sessionPath(s)}/session_log`);
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = (await res.json()) as string;
    const [header, ...events] = text.split('\n').map((l) => JSON.parse(l) as unknown);
    expect(header).toMatchObject({ version: 2, width: expect.any(Number), height: expect.any(Number), timestamp: Date.parse(s.start_time ?? '') / 1000 });
    const evs = events as Array<[number, string, string]>;
    expect(evs.every((e, i) => e[1] === 'o' && typeof e[2] === 'string' && (i === 0 || e[0] >= (evs[i - 1]?.[0] ?? 0)))).toBe(true);
    const out = evs.map((e) => e[2]).join('');
    for (const bad of [`${ESC}]0;pwned\u0007`, `${ESC}[2J`, 'sh\rls', '\u0007', `\b${ESC}[K`, `${ESC}[01;32m`, '\r\n', 'clear']) {
      expect(out, JSON.stringify(bad)).toContain(bad);
    }
  });

  it('sends the other encodings and the format=text dump', async () => {
    await withSim({ logEncoding: 'json' }, async (s) => {
      const rec = hostileRecording(s);
      const path = `${sessionPath(rec)}/session_log`;
      const asJson = (await (await call(s, path)).json()) as unknown[];
      expect(asJson[0]).toMatchObject({ version: 2 });
      expect(asJson[1]).toEqual([expect.any(Number), 'o', expect.any(String)]);

      const lines = asJson.map((x) => JSON.stringify(x));
      s.setOptions({ logEncoding: 'text' });
      const asText = await call(s, path);
      expect(asText.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await asText.text()).toBe(`${lines.join('\n')}\n`);
      s.setOptions({ logEncoding: 'gzip' });
      const gz = await call(s, path);
      expect(gz.headers.get('content-type')).toBe('application/gzip');
      expect(gz.headers.get('content-encoding')).toBeNull();
      expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(`${lines.join('\n')}\n`);
      // As Border0's connector uploads them: a gzip member per 30 s, the header only in the first.
      s.setOptions({ logEncoding: 'gzip-chunks' });
      const chunks = Buffer.from(await (await call(s, path)).arrayBuffer());
      expect(gunzipSync(chunks).toString()).toBe(`${lines.join('\n')}\n`);
      const second = chunks.indexOf(Buffer.from([0x1f, 0x8b, 0x08]), 10);
      expect(second).toBeGreaterThan(0);
      expect(gunzipSync(chunks.subarray(second)).toString()).toMatch(/^\[\d/);
      s.setOptions({ logEncoding: 'object' });
      expect(await (await call(s, path)).json()).toEqual({ type: 'asciicast', data: lines.join('\n') });

      s.setOptions({ logEncoding: 'json-string' });
      const dump = (await (await call(s, `${path}?format=text`)).json()) as string;
      expect(dump).not.toContain(ESC);
      expect(dump).not.toContain('\r\n');
      expect(dump).toContain('logout\n');
      expect(dump).toContain('\u0007'); // only escape sequences go: a client still sanitises
      expect((await call(s, `${path}?format=pdf`)).status).toBe(400);
    });
  });

  it('serves query logs, a second recording, and 404s for missing recordings', async () => {
    const sessions = (await page(sim, 'page_size=300')).session_logs;
    const db = sessions.find((s) => s.session_type === 'database' && s.recordings?.length) as Session;
    const text = (await (await call(sim, `${sessionPath(db)}/session_log`)).json()) as string;
    const queries = text.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(queries[0]).toEqual({
      time: expect.any(Number),
      database: expect.any(String),
      command: expect.any(String),
      status: expect.stringMatching(/^(ok|error)$/),
      duration: expect.any(Number),
      rows: expect.any(Number),
      affected_rows: expect.any(Number),
      result: expect.anything(),
    });
    const http = sessions.find((s) => s.recordings?.[0]?.recording_type === 'http_access_log') as Session;
    const hits = ((await (await call(sim, `${sessionPath(http)}/session_log`)).json()) as string).split('\n');
    expect(Object.keys(JSON.parse(hits[0] ?? '{}'))).toEqual(expect.arrayContaining(['time', 'method', 'host', 'path', 'status', 'bytes', 'duration_ms', 'user', 'user_agent']));

    const two = sessions.find((s) => s.recordings?.length === 2) as Session;
    const second = two.recordings?.[1]?.recording_id ?? '';
    const r2 = (await (await call(sim, `${sessionPath(two)}/session_log?recording_id=${second}`)).json()) as string;
    const r1 = (await (await call(sim, `${sessionPath(two)}/session_log`)).json()) as string;
    expect(r2).not.toBe(r1);
    expect(JSON.parse(r2.split('\n')[0] ?? '').timestamp).toBe(Date.parse(two.recordings?.[1]?.start_time ?? '') / 1000);

    const missing = await call(sim, `${sessionPath(two)}/session_log?recording_id=00000000-0000-4000-8000-000000000000`);
    expect([missing.status, ((await missing.json()) as { error_message: string }).error_message]).toEqual([404, 'recording not found']);
    const denied = sessions.find((s) => s.result === 'denied') as Session;
    const none = await call(sim, `${sessionPath(denied)}/session_log`);
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ status_code: 404, error_message: expect.any(String) });
  });
});

describe('faults', () => {
  it('injects each kind', async () => {
    await withSim({ retryAfterSeconds: 7, slowMs: 150 }, async (s) => {
      const hit = async (spec: string): Promise<Response> => {
        s.setFaults(spec);
        return call(s, '/sessions');
      };
      const r429 = await hit('429');
      expect([r429.status, r429.headers.get('retry-after'), await r429.json()]).toEqual([429, '7', { error_message: expect.any(String), status_code: 429 }]);
      const date = await hit('429date');
      const retryAt = Date.parse(date.headers.get('retry-after') ?? '');
      expect(retryAt - Date.now()).toBeGreaterThan(4000);
      expect(date.status).toBe(429);
      for (const code of [500, 502, 503, 504]) {
        const res = await hit(String(code));
        expect([res.status, res.headers.get('content-type'), ((await res.json()) as { status_code: number }).status_code]).toEqual([code, 'application/json', code]);
      }
      const html = await hit('html');
      expect([html.status, html.headers.get('content-type')]).toEqual([502, 'text/html']);
      expect(await html.text()).toMatch(/^<html>/);
      const empty = await hit('empty');
      expect([empty.status, await empty.text()]).toEqual([503, '']);
      const malformed = await hit('malformed');
      expect(malformed.status).toBe(200);
      await expect(malformed.json()).rejects.toThrow();

      await expect(hit('reset')).rejects.toThrow(/fetch failed/);
      const truncated = await hit('truncate');
      expect(truncated.status).toBe(200);
      await expect(truncated.text()).rejects.toThrow();

      const t0 = Date.now();
      const slow = await hit('slow');
      expect(slow.status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);

      expect(s.requests.map((r) => r.fault)).toEqual(['429', '429date', '500', '502', '503', '504', 'html', 'empty', 'malformed', 'reset', 'truncate', 'slow']);
      expect(s.requests.map((r) => r.status)).toEqual([429, 429, 500, 502, 503, 504, 502, 503, 200, 0, 200, 200]);
      s.setFaults('');
      expect((await call(s, '/sessions')).status).toBe(200);
    });
  });

  it('applies rules inside their request windows, reproducibly at a rate', async () => {
    await withSim({ faults: '500@2-3,503@5' }, async (s) => {
      const statuses = [];
      for (let i = 0; i < 7; i++) statuses.push((await call(s, '/sessions/stats/users')).status);
      expect(statuses).toEqual([200, 500, 500, 200, 503, 503, 503]);
      // setFaults restarts the count; faults also hit unknown routes and bad tokens.
      s.setFaults('429@1-1');
      expect((await call(s, '/nope', { token: null })).status).toBe(429);
      expect((await call(s, '/nope', { token: null })).status).toBe(404);
    });
    const pattern = (s: Simulator): Promise<number[]> =>
      Promise.all(Array.from({ length: 40 }, () => call(s, '/sessions/stats/sockets').then((r) => r.status))).then(() =>
        s.requests.map((r) => (r.fault ? 1 : 0)),
      );
    const a = await withSim({ faults: '500:0.5' }, pattern);
    const b = await withSim({ faults: '500:0.5' }, pattern);
    expect(a).toEqual(b);
    expect(a.filter(Boolean).length).toBeGreaterThan(8);
    expect(a.filter(Boolean).length).toBeLessThan(32);
  });

  it('rejects a bad spec, naming the bad part', async () => {
    expect(parseFaults('429:0.5@3-9, reset')).toEqual([
      { kind: '429', rate: 0.5, from: 3, to: 9 },
      { kind: 'reset', rate: 1, from: 1, to: Infinity },
    ]);
    for (const bad of ['teapot', '500:2', '500:x', '500@0', '500@5-2', '500@a']) {
      expect(() => parseFaults(`429,${bad}`), bad).toThrow(bad);
    }
    await expect(startSimulator({ faults: 'nope' })).rejects.toThrow('"nope"');
    expect(() => sim.setFaults('503:1.5')).toThrow('503:1.5');
  });
});

describe('data', () => {
  it('is the same for the same seed and now, and differs for another seed', async () => {
    const [a, b, c] = await Promise.all([
      startSimulator({ seed: 7, now: NOW, sessions: 300 }),
      startSimulator({ seed: 7, now: NOW, sessions: 300 }),
      startSimulator({ seed: 8, now: NOW, sessions: 300 }),
    ]);
    try {
      const body = async (s: Simulator, p: string): Promise<string> => (await call(s, p)).text();
      expect(await body(a, '/sessions?page=2&page_size=100')).toBe(await body(b, '/sessions?page=2&page_size=100'));
      const x = a.sessionAt(5);
      expect(await body(a, `${sessionPath(x)}/session_log`)).toBe(await body(b, `${sessionPath(x)}/session_log`));
      expect(c.sessionAt(5).session_id).not.toBe(x.session_id);
      expect(c.sessionAt(5).socket_id).not.toBe(a.sessionAt(5).socket_id);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('serves 200,000 sessions without building them all', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    await withSim({ sessions: 200_000 }, async (s) => {
      const deep = await page(s, 'page=1000&page_size=100');
      expect(deep.pagination).toMatchObject({ total_records: 200_000, total_pages: 2000, next_page: 1001, actual_page_size: 100 });
      expect(deep.session_logs[0]).toEqual(s.sessionAt(99_900));
      const lastOne = s.sessionAt(199_999);
      expect((await call(s, sessionPath(lastOne))).status).toBe(200);
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(50e6);
    });
  });

  it('puts every hostile user on page 1, with a hostile recording', async () => {
    const names = (await page(sim, '')).session_logs.map((s) => s.name ?? '');
    for (const needle of [`${ESC}]0;pwned\u0007${ESC}[2J${ESC}[31mMallory`, '\u202eevil\u202c', '🦄 Uni Corn', '=HYPERLINK(', "+cmd|' /C calc'!A0", '@SUM(1+1)']) {
      expect(names.some((n) => n.includes(needle)), JSON.stringify(needle)).toBe(true);
    }
    expect(names).toContain('-2+3');
    expect(names.some((n) => n.length > 300)).toBe(true);
    const users = (await (await call(sim, '/sessions/stats/users')).json()) as Array<{ user_email: string; count: number }>;
    expect(users.find((u) => u.user_email === 'mallory@example.net')?.count).toBeGreaterThan(20);
  });
});

describe('routes and lifecycle', () => {
  it('fails loudly on routes the API does not have', async () => {
    await withSim({}, async (s) => {
      const x = s.sessionAt(0);
      for (const [method, path, status] of [
        ['GET', '/nope', 404],
        ['GET', '/sessions/', 404],
        ['GET', '/sessions/stats/countries', 404],
        ['DELETE', sessionPath(x), 405],
        ['POST', '/sessions', 405],
      ] as const) {
        const res = await call(s, path, { method });
        expect(res.status, `${method} ${path}`).toBe(status);
        // As a Go router says it: plain text, not the API's JSON error.
        expect([res.headers.get('content-type'), await res.text()]).toEqual(['text/plain; charset=utf-8', status === 404 ? '404 page not found\n' : 'Method Not Allowed\n']);
      }
      const outside = await fetch(s.url.replace('/api/v1', '/api/v2/sessions'));
      expect(outside.status).toBe(404);
      expect(s.unhandled.map((r) => `${r.method} ${r.path}`)).toEqual([
        'GET /api/v1/nope',
        'GET /api/v1/sessions/',
        'GET /api/v1/sessions/stats/countries',
        `DELETE /api/v1${sessionPath(x)}`,
        'POST /api/v1/sessions',
        'GET /api/v2/sessions',
      ]);
      expect(s.requests).toHaveLength(6);
    });
  });

  it('records requests and closes promptly with keep-alive sockets open', async () => {
    const s = await startSimulator({ sessions: 10, latencyMs: 30 });
    const t0 = Date.now();
    await call(s, '/sessions?page_size=2&socket_names=prod-ssh', { headers: { 'user-agent': 'b0s/test' } });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    expect(s.requests[0]).toMatchObject({ n: 1, method: 'GET', path: '/api/v1/sessions', query: { page_size: '2', socket_names: 'prod-ssh' }, status: 200, auth: 'valid', userAgent: 'b0s/test' });
    s.setFaults('slow');
    s.setOptions({ slowMs: 60_000 });
    const hanging = call(s, '/sessions').catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 50));
    // Resolving at all is the test: a 60 s stall and a keep-alive socket are pending.
    await s.close();
    expect(await hanging).toBeInstanceOf(Error);
  });
});
