// An API URL that points somewhere else (no /api/v1, a web server, a proxy's page) must
// not read as "session not found" (exit 4) to a script: the list endpoint cannot be
// missing, so a 404 from it that is not the API's own error answer is exit 1 with a hint,
// and so is such a 404 for anything else when the list gives one too.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b0s } from './helpers/world';
import { withSim } from './helpers/export';
import { SIM_TOKEN } from './helpers/secrets';

const NGINX_404 = '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** Answers every request with the same 404, as a web server or proxy in the wrong place would. */
let answer: { type: string; body: string } = { type: 'text/html', body: NGINX_404 };
/** Unless the list answers, as the API does: then only the rest is a 404 page. */
let listAnswers = false;
/** Or the list refuses the token, as the API does. */
let listRefuses = false;
/** Or the list is a JSON 404 (another JSON API at that URL). */
let listJson404 = false;
const EMPTY_PAGE = JSON.stringify({ pagination: { actual_page_size: 0, current_page: 1, next_page: 0, records_per_page: 1, total_pages: 0, total_records: 0 }, session_logs: [] });
const seen: string[] = [];
let server: http.Server;
let origin: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (listJson404 && req.url?.startsWith('/v1/sessions?')) {
      const body = '{"error_message":"route not found","status_code":404}';
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      return res.end(body);
    }
    if (listRefuses && req.url?.startsWith('/v1/sessions?')) {
      const body = '{"error_message":"invalid token","status_code":401}';
      res.writeHead(401, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      return res.end(body);
    }
    if (listAnswers && req.url?.startsWith('/v1/sessions?')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(EMPTY_PAGE) });
      return res.end(EMPTY_PAGE);
    }
    res.writeHead(404, { 'content-type': answer.type, 'content-length': Buffer.byteLength(answer.body) });
    res.end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const env = () => ({ BORDER0_API: `${origin}/v1`, BORDER0_ADMIN_TOKEN: SIM_TOKEN });
const HINT = /check --api-url or BORDER0_API \(it ends in \/api\/v1\)/;

describe('a 404 from the list endpoint', () => {
  const pages: Array<[string, { type: string; body: string }, RegExp]> = [
    ['an HTML page (nginx)', { type: 'text/html', body: NGINX_404 }, /not JSON: an HTML page/],
    ['an empty body', { type: 'text/plain', body: '' }, /empty body/],
    ['JSON without an error message', { type: 'application/json', body: '{"status":404}' }, /"{"status":404}"/],
    ['plain text (a Go server\'s default)', { type: 'text/plain', body: '404 page not found' }, /404 page not found/],
  ];
  for (const [what, page, described] of pages) {
    it(`with ${what}: exit 1, the URL it used, and where the API usually is`, async () => {
      answer = page;
      seen.length = 0;
      const r = await b0s(['list', '-o', 'json'], { env: env() });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(described);
      expect(r.stderr).toContain(`is ${origin}/v1 the Border0 API?`);
      expect(r.stderr).toMatch(HINT);
      expect(r.stdout).toBe('[]\n');
      // A 404 is an answer, not a transient failure: asked once.
      expect(seen).toEqual(['GET /v1/sessions?page=1&page_size=100']);
    });
  }

  it('a short ID looked up through the list gets the same hint, not "no such session"', async () => {
    answer = { type: 'text/html', body: NGINX_404 };
    const r = await b0s(['show', 'e1f3464d'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(HINT);
  });

  it('with the API\'s own error answer it is what the API said (exit 4)', async () => {
    answer = { type: 'application/json', body: '{"error_message":"organization not found","status_code":404}' };
    const r = await b0s(['list'], { env: env() });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('organization not found');
    expect(r.stderr).not.toMatch(HINT);
  });

  it('a 404 page for one session, when the list answers too, is "not found" (exit 4)', async () => {
    answer = { type: 'text/html', body: NGINX_404 };
    listAnswers = true;
    try {
      const id = '93227a7e-8724-4be5-a5c5-2729f615ac50';
      const r = await b0s(['show', id, id], { env: env() });
      expect(r.code).toBe(4);
      expect(r.stderr).not.toMatch(HINT);
    } finally {
      listAnswers = false;
    }
  });
});

describe('a 404 page for one session, a kill, a recording or counts, where the list is a 404 page too', () => {
  const id = '93227a7e-8724-4be5-a5c5-2729f615ac50';
  const commands = [
    ['show', id, id],
    ['kill', id, id, '--yes'],
    ['replay', id, id],
    ['stats', 'users'],
  ];
  for (const args of commands) {
    it(`b0s ${args[0]}: exit 1 with the hint, never 4 (to a script, a session already gone)`, async () => {
      answer = { type: 'text/plain', body: '404 page not found' };
      seen.length = 0;
      const r = await b0s(args, { env: env() });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`is ${origin}/v1 the Border0 API?`);
      expect(r.stderr).toMatch(HINT);
      // The list was asked to tell a wrong URL from a missing session.
      expect(seen).toContain('GET /v1/sessions?page=1&page_size=1');
    });
  }

  it('kill of several sessions: the list is asked once, and the wrong URL stops the run with one line', async () => {
    answer = { type: 'text/plain', body: '404 page not found' };
    seen.length = 0;
    const ids = ['93227a7e-8724-4be5-a5c5-2729f615ac50', '0b1e4a52-51f5-4cbb-8d1f-3e0f1b8a4c11', 'c5b1f0d4-1f3a-4b8e-9a4e-0d6f8e2b7a33'];
    const input = ids.map((s) => `${id}/${s}\n`).join('');
    const r = await b0s(['kill', '--stdin', '--yes'], { env: env(), input });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(HINT);
    expect(seen.filter((q) => q === 'GET /v1/sessions?page=1&page_size=1')).toHaveLength(1);
  });

  it('a list that is a 404 with a JSON body is no list either: exit 1 with the hint', async () => {
    answer = { type: 'text/plain', body: '404 page not found' };
    listJson404 = true;
    try {
      const r = await b0s(['show', id, id], { env: env() });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(HINT);
    } finally {
      listJson404 = false;
    }
  });

  it('when asking the list fails too (it refuses the token), that failure is what is reported, not "not found"', async () => {
    answer = { type: 'text/plain', body: '404 page not found' };
    listRefuses = true;
    try {
      const r = await b0s(['show', id, id], { env: env() });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('invalid token');
    } finally {
      listRefuses = false;
    }
  });
});

describe('an API URL without /api/v1, against the simulator', () => {
  it('is exit 1 with the hint, never exit 4 (a missing session to a script)', async () => {
    await withSim({ sessions: 5 }, async (sim) => {
      for (const url of [sim.url.replace(/\/api\/v1$/, ''), `${sim.url}/foo`]) {
        const r = await b0s(['list'], { env: { BORDER0_API: url, BORDER0_ADMIN_TOKEN: sim.token } });
        expect(r.code, url).toBe(1);
        expect(r.stderr, url).toContain(`is ${new URL(url).href} the Border0 API?`);
        expect(r.stderr, url).toMatch(HINT);
      }
      // Routes the simulator lacks, asked on purpose.
      expect(sim.unhandled.map((q) => q.path)).toEqual(['/sessions', '/api/v1/foo/sessions']);
      sim.resetRequests();
    });
  });
});

describe('an API URL with no path', () => {
  it('asks the server for /sessions (not //sessions) and names the URL as given in the hint', async () => {
    answer = { type: 'text/html', body: NGINX_404 };
    seen.length = 0;
    const r = await b0s(['list', '-o', 'json'], { env: { ...env(), BORDER0_API: `${origin}/` } });
    expect(r.code).toBe(1);
    expect(seen).toEqual(['GET /sessions?page=1&page_size=100']);
    expect(r.stderr).toContain(`is ${origin}/ the Border0 API?`);
    expect(r.stderr).toMatch(HINT);
  });
});
