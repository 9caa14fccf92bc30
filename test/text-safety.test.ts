// What a hostile server can put in front of an admin: characters that hide or disguise
// text, escapes that look like b0s's own, IDs that climb out of a request path, values
// nested thousands of levels deep, values of hundreds of thousands of characters. None
// reaches the terminal as it is, none crashes b0s or makes it hang, and none changes the
// data in machine-readable output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import { jsonOf } from '../src/text';
import { parseCsv, parseNdjson, stripAnsi } from './helpers/parse';
import { startServer, type TestServer } from './helpers/server';
import { b0s } from './helpers/world';

const SOCKET = '11111111-1111-4111-8111-111111111111';
const session = (i: number, extra: Partial<Session> = {}): Session => ({
  session_id: `abcd${String(i).padStart(4, '0')}-0000-4000-8000-000000000000`,
  socket_id: SOCKET,
  socket_name: 'prod-ssh',
  start_time: new Date(Date.UTC(2026, 10, 26, 12) - i * 60_000).toISOString(),
  end_time: '',
  user_email: 'user@example.com',
  result: 'success',
  ...extra,
});

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());
const env = () => ({ BORDER0_API: server.url, BORDER0_ADMIN_TOKEN: 'test-token-for-text-safety-00000' });

/** Serves these sessions as one list (honouring page and page_size) and by ID. */
function serve(sessions: Session[]): void {
  server.handle((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(jsonOf(body));
    if (url.pathname === '/api/v1/sessions') {
      const page = Number(url.searchParams.get('page'));
      const size = Number(url.searchParams.get('page_size'));
      const logs = sessions.slice((page - 1) * size, page * size);
      return json(200, { session_logs: logs, pagination: { current_page: page, records_per_page: size, total_records: sessions.length } });
    }
    const m = /^\/api\/v1\/session\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    const found = m && sessions.find((s) => s.session_id === decodeURIComponent(m[2] as string));
    return found ? json(200, found) : json(404, { error_message: 'session not found' });
  });
}

// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]|\u{E0041}/u;

describe('format characters and look-alike escapes', () => {
  const disguised = [
    session(1, { user_email: 'admin\u200b@example.com' }),
    session(2, { user_email: 'ad\u00admin@example.com', name: 'tag\u{E0041}ged \u2060joined \u061cmark' }),
    session(3, { user_email: 'literal\\x1b@example.com' }),
    session(4, { user_email: 'real\u001b@example.com' }),
  ];

  it('the terminal table shows them as escapes, and a backslash in the data as \\\\', async () => {
    serve(disguised);
    const r = await b0s(['list', '--page-size', '10', '--wide'], { env: env(), tty: { stdout: true, stderr: true }, columns: 250 });
    expect(r.code).toBe(0);
    const out = stripAnsi(r.stdout);
    expect(out).not.toMatch(RAW);
    expect(out).toContain('admin\\u200b@example.com');
    expect(out).toContain('ad\\xadmin@example.com');
    expect(out).toContain('\\u{e0041}');
    // The literal text and the real control character no longer look alike.
    expect(out).toContain('literal\\\\x1b@example.com');
    expect(out).toContain('real\\x1b@example.com');
  });

  it('show, CSV and error messages likewise; JSON keeps the very same strings', async () => {
    serve(disguised);
    const show = await b0s(['show', `${SOCKET}/${disguised[0]?.session_id}`], { env: env(), tty: { stdout: true } });
    expect(stripAnsi(show.stdout)).toContain('admin\\u200b@example.com');
    expect(stripAnsi(show.stdout)).not.toMatch(RAW);
    const csv = await b0s(['list', '-o', 'csv'], { env: env() });
    expect(csv.stdout.replace(/\r\n/g, '\n')).not.toMatch(RAW);
    expect(parseCsv(csv.stdout).map((row) => row[7])).toContain('admin\\u200b@example.com');
    const json = await b0s(['list', '-o', 'json'], { env: env() });
    expect(json.stdout).not.toMatch(RAW);
    expect((JSON.parse(json.stdout) as Session[]).map((s) => s.user_email)).toEqual(disguised.map((s) => s.user_email));
  });

  it('the kill prompt built from a session the server describes is inert', async () => {
    const evil = session(5, { user_email: '\u001b]0;pwned\u0007\u001bc\u001b[2Jeve@example.com' });
    serve([evil]);
    const r = await b0s(['kill', `${SOCKET}/${evil.session_id}`], { env: env(), tty: { stdin: true, stderr: true }, input: 'n\n' });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Kill live session');
    expect(stripAnsi(r.stderr)).not.toMatch(RAW);
    expect(r.stderr).toContain('\\x1b]0;pwned\\x07');
  });

  it('--debug stack traces quote the server inertly', async () => {
    server.handle((_req, res) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error_message: 'boom \u001b[2J\u001b]0;owned\u0007 \u202eevil' })));
    const r = await b0s(['list', '--debug', '--retries', '0'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('    at ');
    expect(r.stderr).not.toMatch(RAW);
    expect(r.stderr).toContain('\\x1b[2J');
  });
});

describe('IDs the server sends go into request paths only when they are IDs', () => {
  it('a short-ID lookup that finds a socket ID of ".." is refused, and nothing is asked of that path', async () => {
    serve([session(1, { socket_id: '..' })]);
    const r = await b0s(['show', 'abcd0001'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^b0s: the socket ID "\.\." cannot be part of a request/);
    expect(server.requests.every((q) => !q.includes('/..'))).toBe(true);
  });
});

describe('values nested thousands of levels deep', () => {
  const deep = JSON.parse(`${'{"a":'.repeat(8000)}"bottom"${'}'.repeat(8000)}`) as unknown;
  const sessions = [session(1), session(2, { auth_info: deep }), session(3)];

  for (const format of ['json', 'ndjson', 'csv', 'table'] as const) {
    it(`list --all -o ${format}: every session written, the deep one too`, async () => {
      serve(sessions);
      const r = await b0s(['list', '--all', '-o', format], { env: env() });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      if (format === 'json') expect(jsonOf((JSON.parse(r.stdout) as Session[])[1]?.auth_info)).toBe(jsonOf(deep));
      if (format === 'ndjson') expect(parseNdjson(r.stdout)).toHaveLength(3);
      if (format === 'csv') expect(parseCsv(r.stdout)).toHaveLength(4);
      if (format === 'table') expect(r.stdout.trim().split('\n')).toHaveLength(3);
    });
  }

  it('show, as JSON and on a terminal', async () => {
    serve(sessions);
    const json = await b0s(['show', `${SOCKET}/${sessions[1]?.session_id}`, '-o', 'json'], { env: env() });
    expect(json.code).toBe(0);
    expect(jsonOf((JSON.parse(json.stdout) as Session).auth_info)).toBe(jsonOf(deep));
    const table = await b0s(['show', `${SOCKET}/${sessions[1]?.session_id}`], { env: env(), tty: { stdout: true } });
    expect(table.code).toBe(0);
    expect(stripAnsi(table.stdout)).toMatch(/Auth +\{"a":\{"a":/);
  });
});

describe('values of hundreds of thousands of characters', () => {
  it('show on a terminal cuts them before wrapping, and says how much more there is', async () => {
    const huge = session(1, { name: '世'.repeat(240_000) });
    serve([huge]);
    const r = await b0s(['show', `${SOCKET}/${huge.session_id}`], { env: env(), tty: { stdout: true }, columns: 100 });
    expect(r.code).toBe(0);
    // The value wraps under its label: join its lines back up.
    const joined = stripAnsi(r.stdout).replace(/\n +/g, '');
    expect(joined).toMatch(/… \(236,0\d\d more characters: -o json shows it all\)/);
    expect(r.stdout.split('\n').length).toBeLessThan(200);
  });
});
