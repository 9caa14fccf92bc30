// The HTTP client on its own, against undici's MockAgent (no network at all): retry
// policy, Retry-After, error lines, token handling and path encoding.
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Border0Client } from '../src/api/client';
import { Http } from '../src/api/http';
import { Limiter } from '../src/api/limiter';
import { parseRetryAfter } from '../src/api/retry';
import { ApiError, AuthError, NetworkError, NotFoundError } from '../src/errors';
import { b0s } from './helpers/world';
import { FILE_TOKEN } from './helpers/secrets';

const ORIGIN = 'https://api.example.test';
let agent: MockAgent;
let sleeps: number[];
let clock: number;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  sleeps = [];
  clock = Date.parse('2026-11-26T12:00:00Z');
});
afterEach(async () => {
  // Every answer a test set up was asked for: a test cannot pass by skipping requests.
  agent.assertNoPendingInterceptors();
  await agent.close();
});

function http(retries = 3, trace?: (line: string) => void): Http {
  const world = {
    now: () => clock,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock += ms;
    },
  };
  return new Http({
    baseUrl: new URL(`${ORIGIN}/api/v1`),
    token: FILE_TOKEN,
    userAgent: 'b0s/test',
    dispatcher: agent,
    limiter: new Limiter(4, world),
    retries,
    timeoutMs: 5000,
    random: () => 0.5,
    trace,
    ...world,
  });
}

const pool = () => agent.get(ORIGIN);
const get = { method: 'GET' as const, segments: ['sessions'] };

describe('retries', () => {
  it('honours Retry-After in seconds on a 429, then succeeds', async () => {
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(429, { error_message: 'slow down' }, { headers: { 'retry-after': '7' } });
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(200, { ok: true });
    const r = await http().json(get);
    expect(r.value).toEqual({ ok: true });
    expect(sleeps).toEqual([7000]);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const at = new Date(clock + 12_000).toUTCString();
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(503, 'busy', { headers: { 'retry-after': at } });
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(200, {});
    await http().json(get);
    expect(sleeps).toEqual([12_000]);
  });

  it('caps a huge Retry-After and backs off exponentially with jitter otherwise', async () => {
    expect(parseRetryAfter('86400', clock)).toBe(60_000);
    expect(parseRetryAfter('soon', clock)).toBeUndefined();
    for (let i = 0; i < 3; i++) pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(502, '');
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(200, {});
    await http().json(get);
    // random() = 0.5: half of 250, 500, 1000 ms.
    expect(sleeps).toEqual([125, 250, 500]);
  });

  it('does not retry other 4xx answers', async () => {
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(400, { error_message: 'bad page_size' });
    await expect(http().json(get)).rejects.toThrow(ApiError);
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(400, { error_message: 'bad page_size' });
    await expect(http().json(get)).rejects.toThrow('Border0 API error: bad page_size (HTTP 400, GET /sessions)');
    expect(sleeps).toEqual([]);
  });

  it('gives up after the retries with the attempt count in the message', async () => {
    for (let i = 0; i < 3; i++) pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(500, { error_message: 'boom' });
    await expect(http(2).json(get)).rejects.toThrow(/boom \(HTTP 500, GET \/sessions\) \(after 3 attempts\)/);
  });

  it('retries a connection reset', async () => {
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(200, { again: 1 });
    expect((await http().json(get)).value).toEqual({ again: 1 });
  });
});

describe('error lines', () => {
  it('401 says the token was refused or expired; 403 asks for an admin token; 404 is not found', async () => {
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(401, { error_message: 'invalid token' });
    await expect(http().json(get)).rejects.toThrow(AuthError);
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(401, { message: 'jwt expired' });
    await expect(http().json(get)).rejects.toThrow(/refused the token: jwt expired .* expired or revoked/);
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(403, '');
    await expect(http().json(get)).rejects.toThrow(/an admin token is needed/);
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(404, { error_message: 'nope' });
    await expect(http().json(get)).rejects.toThrow(NotFoundError);
  });

  it('an HTML page, an empty body, and plain text are described, not dumped', async () => {
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(418, '<!DOCTYPE html><html><body>teapot</body></html>', { headers: { 'content-type': 'text/html' } });
    await expect(http().json(get)).rejects.toThrow('HTTP 418 from api.example.test for GET /sessions (not JSON: an HTML page)');
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(418, '');
    await expect(http().json(get)).rejects.toThrow('(empty body)');
    // Quoted as sent, on one line: the message is made inert where it is printed (report()).
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(418, 'upstream \u001b[31mred\u001b[0m\nfailure');
    await expect(http().json(get)).rejects.toThrow('(not JSON: "upstream \u001b[31mred\u001b[0m failure")');
  });

  it('a token echoed back by a proxy is cut out of the message', async () => {
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(400, `bad header x-access-token: ${FILE_TOKEN}`);
    const err = (await http().json(get).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('x-access-token: [token]');
    expect(err.message).not.toContain(FILE_TOKEN.slice(20, 60));
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(500, { error_message: `denied ${FILE_TOKEN}` });
    expect(((await http(0).json(get).catch((e: unknown) => e)) as Error).message).not.toContain(FILE_TOKEN);
  });

  it('an ID from a server that holds the token is cut out of messages and traces too', async () => {
    const traces: string[] = [];
    const client = http(3, (line) => traces.push(line));
    pool().intercept({ path: `/api/v1/session/${FILE_TOKEN}/x`, method: 'GET' }).reply(404, { error_message: 'no such session' });
    const err = (await client.json({ method: 'GET', segments: ['session', FILE_TOKEN, 'x'] }).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('not found: no such session (HTTP 404, GET /session/[token]/x)');
    expect(traces).toHaveLength(1);
    expect(traces[0]).toMatch(/^GET \/api\/v1\/session\/\[token\]\/x → 404 /);
    agent.assertNoPendingInterceptors();
  });

  it('a malformed JSON body names the endpoint', async () => {
    for (let i = 0; i < 2; i++) pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(200, '{"session_logs": [');
    await expect(http(1).json(get)).rejects.toThrow(/the response to GET \/sessions is not valid JSON/);
  });

  it('network errors are typed', async () => {
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).replyWithError(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    await expect(http().json(get)).rejects.toThrow(NetworkError);
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).replyWithError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }));
    await expect(http().json(get)).rejects.toThrow(/TLS failure talking to api\.example\.test \(DEPTH_ZERO_SELF_SIGNED_CERT\): .*NODE_EXTRA_CA_CERTS/);
  });
});

describe('size caps', () => {
  const MiB = 1024 * 1024;

  it('a body over the cap is refused with a message naming the cap, and not fetched again', async () => {
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(200, 'x'.repeat(2000));
    const err = (await http().send({ ...get, maxBytes: 1000 }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe('the response to GET /sessions (HTTP 200) is larger than 1,000 bytes, the most b0s reads in one response');
    expect(sleeps).toEqual([]);
    agent.assertNoPendingInterceptors();
  });

  it('JSON answers are capped at 64 MiB, recordings at 256 MiB (a declared Content-Length is enough to refuse)', async () => {
    const declaring = (bytes: number) => ({ headers: { 'content-length': String(bytes) } });
    pool().intercept({ path: '/api/v1/sessions', method: 'GET' }).reply(200, '{}', declaring(100 * MiB));
    await expect(http().json(get)).rejects.toThrow('the response to GET /sessions (HTTP 200) is larger than 64 MiB');
    const log = { path: '/api/v1/session/s/t/session_log', method: 'GET' };
    pool().intercept(log).reply(200, 'x', declaring(100 * MiB));
    expect((await new Border0Client(http()).sessionLog('s', 't', undefined)).body.toString()).toBe('x');
    pool().intercept(log).reply(200, 'x', declaring(300 * MiB));
    await expect(new Border0Client(http()).sessionLog('s', 't', undefined)).rejects.toThrow('is larger than 256 MiB');
    agent.assertNoPendingInterceptors();
  });
});

describe('requests', () => {
  it('sends the token as x-access-token, a b0s User-Agent, and percent-encodes path segments', async () => {
    let seen: Record<string, string> = {};
    pool()
      .intercept({ path: '/api/v1/session/a%2F..%2Fb/c%20d', method: 'GET' })
      .reply(200, (opts) => {
        seen = opts.headers as Record<string, string>;
        return { session_id: 'x', socket_id: 'y' };
      });
    await http().json({ method: 'GET', segments: ['session', 'a/../b', 'c d'] });
    expect(seen['x-access-token']).toBe(FILE_TOKEN);
    expect(seen['user-agent']).toBe('b0s/test');
    expect(seen.authorization).toBeUndefined();
  });

  it('the kill PUT sends {"killed": true} as JSON', async () => {
    let body = '';
    pool()
      .intercept({ path: '/api/v1/session/s/t', method: 'PUT' })
      .reply(200, (opts) => {
        body = String(opts.body);
        return { killed: true };
      });
    await http().json({ method: 'PUT', segments: ['session', 's', 't'], body: { killed: true } });
    expect(JSON.parse(body)).toEqual({ killed: true });
  });
});

describe('the CLI over a mocked API with odd pagination', () => {
  const session = (i: number) => ({ session_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, socket_id: 's', start_time: new Date(Date.UTC(2026, 10, 26) - i * 60_000).toISOString() });

  /** A server holding `count` sessions that pages them as `geometry` says, for any page and size asked. */
  function serve(count: number, geometry: (page: number, size: number) => { start: number; length: number; pagination?: object }) {
    pool()
      .intercept({ path: (p: string) => p.startsWith('/api/v1/sessions?'), method: 'GET' })
      .reply(200, (opts) => {
        const q = new URL(String(opts.path), ORIGIN).searchParams;
        const g = geometry(Number(q.get('page')), Number(q.get('page_size')));
        const items = Array.from({ length: Math.max(0, Math.min(g.length, count - g.start)) }, (_, i) => session(g.start + i));
        return g.pagination ? { session_logs: items, pagination: g.pagination } : { session_logs: items };
      })
      .persist();
  }
  const all = (n: number) => Array.from({ length: n }, (_, i) => session(i).session_id);
  const run = (args: string[]) => b0s(['list', '--all', '-o', 'ndjson', ...args], { env: { BORDER0_API: `${ORIGIN}/api/v1`, BORDER0_ADMIN_TOKEN: FILE_TOKEN }, dispatcher: agent });
  const ids = (stdout: string) => (stdout === '' ? [] : stdout.trim().split('\n').map((l) => JSON.parse(l).session_id as string));

  it('with no pagination object at all, --all reads every session', async () => {
    serve(24, (page, size) => ({ start: (page - 1) * size, length: size }));
    const r = await run(['--page-size', '10']);
    expect(r.code).toBe(0);
    expect(ids(r.stdout)).toEqual(all(24));
  });

  it('records_per_page that lies about the page size: every session, or a loud failure, never a gap', async () => {
    // Pages of 5 whatever is asked, each claiming to be of the size asked.
    serve(15, (page, size) => ({ start: (page - 1) * 5, length: 5, pagination: { current_page: page, records_per_page: size, total_records: 15 } }));
    const r = await run(['--page-size', '10', '--concurrency', '1']);
    const got = ids(r.stdout);
    if (r.code === 0) {
      expect(got).toEqual(all(15));
    } else {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^b0s: cannot list every session: /);
      expect(got).toEqual(all(15).slice(0, got.length));
    }
  });
});

describe('the CLI over a mocked API sending hostile JSON', () => {
  // {"toString": 1} makes String() throw; every field holds one.
  const booby = { toString: 1 };
  const session = Object.fromEntries(
    ['session_id', 'socket_id', 'socket_name', 'start_time', 'end_time', 'last_seen', 'user_email', 'name', 'server_name', 'server_port', 'client_ip', 'client_port', 'session_type', 'result', 'killed', 'country_code'].map((k) => [k, booby]),
  );
  const reply = () => ({ session_logs: [{ ...session, metadata: { ip_metadata: { city_name: booby, country_code: booby } }, recordings: [{ recording_id: booby }] }], pagination: { total_records: 1 } });

  for (const format of ['table', 'json', 'ndjson', 'csv']) {
    for (const tty of [false, true]) {
      it(`list -o ${format}${tty ? ' on a terminal' : ''} prints it, does not crash`, async () => {
        pool().intercept({ path: '/api/v1/sessions?page=1&page_size=100', method: 'GET' }).reply(200, reply());
        const r = await b0s(['list', '-o', format, '--wide'], { env: { BORDER0_API: `${ORIGIN}/api/v1`, BORDER0_ADMIN_TOKEN: FILE_TOKEN }, dispatcher: agent, tty: { stdout: tty } });
        expect(r.stderr).not.toContain('unexpected error');
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('toString');
      });
    }
  }

  it('show prints it too', async () => {
    const id = '93227a7e-8724-4be5-a5c5-2729f615ac50';
    pool().intercept({ path: `/api/v1/session/${id}/${id}`, method: 'GET' }).reply(200, reply().session_logs[0]);
    const r = await b0s(['show', id, id], { env: { BORDER0_API: `${ORIGIN}/api/v1`, BORDER0_ADMIN_TOKEN: FILE_TOKEN }, dispatcher: agent });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('{"toString":1}');
  });
});
