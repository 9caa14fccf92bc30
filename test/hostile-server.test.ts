// A hostile API server: it echoes the token back in every disguise, trickles its answers
// and sends endless bodies. b0s must not repeat the token, hang, or run out of memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_TOKEN, ODD_TOKEN, tokenLeaks } from './helpers/secrets';
import { endless, startServer, trickle, type TestServer } from './helpers/server';
import { b0s } from './helpers/world';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

const run = (token: string, args: string[] = []) =>
  b0s(['list', '--retries', '0', ...args], { env: { BORDER0_API: server.url, BORDER0_ADMIN_TOKEN: token } });

// What the server's application makes of the token it received, before serialising it.
const hex = (s: string, upper = false) => [...s].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).map((h) => (upper ? h.toUpperCase() : h));
const FORMS: Record<string, (t: string) => string> = {
  raw: (t) => t,
  'percent-encoded, every character': (t) => hex(t).map((h) => `%${h}`).join(''),
  'percent-encoded, upper-case hex': (t) => hex(t, true).map((h) => `%${h}`).join(''),
  encodeURIComponent: (t) => encodeURIComponent(t),
  base64: (t) => Buffer.from(t).toString('base64'),
  'base64 of the whole header line': (t) => Buffer.from(`x-access-token: ${t}`).toString('base64'),
  base64url: (t) => Buffer.from(`X${t}`).toString('base64url'),
  hex: (t) => Buffer.from(t).toString('hex'),
  'HTML character references': (t) => [...t].map((c, i) => (i % 2 ? `&#${c.charCodeAt(0)};` : `&#x${c.charCodeAt(0).toString(16)};`)).join(''),
  'percent-encoded JSON escapes': (t) => [...t].map((c) => `%5Cu00${hex(c)[0]}`).join(''),
  'part of it': (t) => t.slice(5, 45),
};

// How the server writes a string into its JSON: each gives the text between the quotes.
const SERIALISED: Record<string, (s: string) => string> = {
  'JSON.stringify': (s) => JSON.stringify(s).slice(1, -1),
  '\\u-escaped, every character': (s) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
  'mixed escapes, upper-case hex': (s) => [...s].map((c, i) => (i % 3 === 0 ? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : JSON.stringify(c).slice(1, -1))).join(''),
  'Go style (\\/, \\u003c, \\u003e, \\u0026)': (s) =>
    JSON.stringify(s)
      .slice(1, -1)
      .replace(/\//g, '\\/')
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026'),
};

interface Case {
  name: string;
  status: number;
  type: string;
  body: (token: string) => string;
  code: number;
  /** What the error line must then show: the message with the token cut out, or nothing of it. */
  shows?: '[token]' | '[withheld: it holds part of the token]';
}

const cases: Case[] = [];
for (const [form, make] of Object.entries(FORMS)) {
  const json = (t: string) => JSON.stringify(make(t)).slice(1, -1);
  const part = form === 'part of it';
  const message = part ? '[withheld: it holds part of the token]' : '[token]';
  const excerpt = part ? '[withheld: it holds part of the token]' : undefined;
  cases.push(
    { name: `401 error_message, ${form}`, status: 401, type: 'application/json', body: (t) => `{"error_message":"invalid token ${json(t)}"}`, code: 3, shows: message },
    { name: `500 message, ${form}`, status: 500, type: 'application/json', body: (t) => `{"message":"upstream got ${json(t)}"}`, code: 1, shows: message },
    { name: `500 plain text, ${form}`, status: 500, type: 'text/plain', body: (t) => `bad header x-access-token: ${make(t)}`, code: 1, shows: excerpt },
    // Not JSON: V8's syntax error quotes the body around the token, and so does b0s.
    { name: `200 broken JSON, ${form}`, status: 200, type: 'application/json', body: (t) => `{"token": ${make(t)}}`, code: 1, shows: excerpt },
  );
}
for (const [style, serialise] of Object.entries(SERIALISED)) {
  cases.push(
    { name: `401 error_message, ${style}`, status: 401, type: 'application/json', body: (t) => `{"error_message":"invalid token ${serialise(t)}"}`, code: 3, shows: '[token]' },
    { name: `500 plain text holding JSON, ${style}`, status: 500, type: 'text/plain', body: (t) => `{"token":"${serialise(t)}"`, code: 1 },
    { name: `200 broken JSON, ${style}`, status: 200, type: 'application/json', body: (t) => `{"token": "${serialise(t)}", oops}`, code: 1 },
  );
}

describe('a server echoing the token back never gets it printed', () => {
  for (const [label, token] of [['a JWT', FILE_TOKEN], ['a token with / < > & " \\ % +', ODD_TOKEN]] as const) {
    it(`${label}: in every form, in error bodies, messages and JSON syntax errors, with and without --debug`, async () => {
      for (const c of cases) {
        server.handle((req, res) => {
          res.writeHead(c.status, { 'content-type': c.type });
          res.end(c.body(String(req.headers['x-access-token'])));
        });
        for (const debug of [false, true]) {
          const r = await run(token, debug ? ['--debug'] : []);
          const where = `${c.name}${debug ? ' --debug' : ''}: ${r.stderr}`;
          expect(r.code, where).toBe(c.code);
          expect(tokenLeaks(r.stdout + r.stderr), where).toEqual([]);
          expect(r.stderr.split('\n').filter((l) => l.startsWith('b0s:')), where).toHaveLength(1);
          if (!debug) expect(r.stderr.trim().split('\n'), where).toHaveLength(1);
          if (c.shows) expect(r.stderr, where).toContain(c.shows);
        }
        expect(server.requests).toHaveLength(2);
      }
    });
  }

  it('what is left of the message still says what went wrong', async () => {
    server.handle((req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      const escaped = [...String(req.headers['x-access-token'])].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
      res.end(`{"error_message":"token ${escaped} is revoked"}`);
    });
    const r = await run(FILE_TOKEN);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('the API refused the token: token [token] is revoked (HTTP 401, GET /sessions)');
  });
});

describe('bounded time', () => {
  it('a body trickling in, each byte well within --timeout, fails after --timeout for the whole response, and is retried like other timeouts', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // 100 ms between bytes never trips a per-gap timeout of 0.5 s; the whole takes seconds.
      trickle(res, JSON.stringify({ session_logs: [], pagination: { total_records: 0 } }), 100);
    });
    const r = await b0s(['list', '--timeout', '0.5', '--retries', '1'], { env: { BORDER0_API: server.url, BORDER0_ADMIN_TOKEN: FILE_TOKEN } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^b0s: 127\.0\.0\.1:\d+ did not send the whole response within 0\.5 s \(--timeout\) \(after 2 attempts\)$/);
    expect(server.requests).toHaveLength(2);
  });

  it('--timeout and B0S_TIMEOUT take fractions of a second (rounded to milliseconds)', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ session_logs: [], pagination: { total_records: 0 } }));
    });
    const env = { BORDER0_API: server.url, BORDER0_ADMIN_TOKEN: FILE_TOKEN };
    for (const r of [await b0s(['list', '-o', 'json', '--timeout', '29.9999'], { env }), await b0s(['list', '-o', 'json'], { env: { ...env, B0S_TIMEOUT: '2.0005' } })]) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([]);
    }
  });
});

describe('bounded memory', () => {
  const MiB = 1024 * 1024;

  it('an endless body fails at the 64 MiB cap, once: a body too large is not downloaded again', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      endless(server, res, Buffer.alloc(MiB, ' '));
    });
    const r = await run(FILE_TOKEN, ['--retries', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('b0s: the response to GET /sessions (HTTP 200) is larger than 64 MiB, the most b0s reads in one response');
    expect(server.requests).toHaveLength(1);
    // b0s stopped reading at the cap: what the server got rid of is the cap plus what sockets buffer.
    expect(server.sent).toBeLessThan(80 * MiB);
  });

  it('a Content-Length over the cap is refused before reading the body', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(600 * 1000 * 1000) });
      endless(server, res, Buffer.alloc(MiB, ' '));
    });
    const r = await run(FILE_TOKEN, ['--retries', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is larger than 64 MiB, the most b0s reads in one response');
    expect(server.requests).toHaveLength(1);
    expect(server.sent).toBeLessThan(16 * MiB);
  });
});
