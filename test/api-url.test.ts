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
interface Page {
  status: number;
  type: string;
  body: string;
}
const EMPTY_PAGE = JSON.stringify({ pagination: { actual_page_size: 0, current_page: 1, next_page: 0, records_per_page: 1, total_pages: 0, total_records: 0 }, session_logs: [] });
/** How the list itself may answer when the rest does not: as the API does, refusing the token, or as another JSON API's 404. */
const LIST = {
  answers: { status: 200, type: 'application/json', body: EMPTY_PAGE },
  refuses: { status: 401, type: 'application/json', body: '{"error_message":"invalid token","status_code":401}' },
  json404: { status: 404, type: 'application/json', body: '{"error_message":"route not found","status_code":404}' },
} satisfies Record<string, Page>;
let listAnswer: Page | undefined;

/** Runs `fn` with the list answering `page` while every other path gives `answer`. */
async function withList<T>(page: Page, fn: () => Promise<T>): Promise<T> {
  listAnswer = page;
  try {
    return await fn();
  } finally {
    listAnswer = undefined;
  }
}

const seen: string[] = [];
let server: http.Server;
let origin: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const page: Page = listAnswer && req.url?.startsWith('/v1/sessions?') ? listAnswer : { status: 404, ...answer };
    res.writeHead(page.status, { 'content-type': page.type, 'content-length': Buffer.byteLength(page.body) });
    res.end(page.body);
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
    await withList(LIST.answers, async () => {
      const id = '93227a7e-8724-4be5-a5c5-2729f615ac50';
      const r = await b0s(['show', id, id], { env: env() });
      expect(r.code).toBe(4);
      expect(r.stderr).not.toMatch(HINT);
    });
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
    await withList(LIST.json404, async () => {
      const r = await b0s(['show', id, id], { env: env() });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(HINT);
    });
  });

  it('when asking the list fails too (it refuses the token), that failure is what is reported, not "not found"', async () => {
    answer = { type: 'text/plain', body: '404 page not found' };
    await withList(LIST.refuses, async () => {
      const r = await b0s(['show', id, id], { env: env() });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('invalid token');
    });
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
