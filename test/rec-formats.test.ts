// Recordings as a person reads them (fixtures rendered to exact text, timestamps,
// request logs as lines), and as files for other tools (asciicast v2 and v3, parsed
// back; the v2 export played by Debian's asciinema when it is installed).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Session } from '../src/api/types';
import {
  decodeRecordingBody,
  parseAsciicast,
  renderRecording,
  renderRequestLog,
  toAsciicast,
  toAsciicastV3,
  type Asciicast,
  type AsciicastEvent,
} from '../src/recording';
import { enterEchoes } from '../src/recording/timestamps';
import { findSession, useSimulator } from './helpers/sim';
import { useTempDir } from './helpers/tmp';
import { b0s } from './helpers/world';

const FIXTURES = path.join(__dirname, 'fixtures', 'recordings');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const tmp = useTempDir();

describe('terminal recordings render to the text a person saw', () => {
  for (const name of ['line-editing', 'fullscreen', 'colours', 'wide', 'connector']) {
    it(`${name}.cast`, async () => {
      const r = await renderRecording('asciinema', fixture(`${name}.cast`));
      expect(`${r.text}\n`).toBe(fixture(`${name}.txt`));
    });
  }

  it('a line killed with Ctrl-U is not in the screen text but in the hidden text', async () => {
    const r = await renderRecording('asciinema', fixture('line-editing.cast'));
    expect(r.text).not.toContain('rm -rf build');
    expect(r.hidden.texts).toEqual(['ana@web-1:~/app$ rm -rf build']);
  });

  it("Border0's connector quirks: the same text in every body variant, and a warning for the damaged characters", async () => {
    const cast = fixture('connector.cast');
    const lines = cast.trimEnd().split('\n');
    // Gzip chunks as the connector uploads them: the header only in the first.
    const chunks = Buffer.concat([gzipSync(`${lines.slice(0, 8).join('\n')}\n`), gzipSync(`${lines.slice(8, 15).join('\n')}\n`), gzipSync(`${lines.slice(15).join('\n')}\n`)]);
    const variants: Array<[string, Buffer, string]> = [
      ['json-string', Buffer.from(JSON.stringify(cast)), 'application/json'],
      ['json array', Buffer.from(JSON.stringify(lines.map((l) => JSON.parse(l)))), 'application/json'],
      ['wrapper object', Buffer.from(JSON.stringify({ type: 'asciicast', data: cast })), 'application/json'],
      ['text', Buffer.from(cast), 'text/plain'],
      ['gzip', gzipSync(cast), 'application/gzip'],
      ['gzip chunks', chunks, 'application/gzip'],
    ];
    for (const [variant, body, type] of variants) {
      const r = await renderRecording('asciinema', decodeRecordingBody(body, type));
      expect(`${r.text}\n`, variant).toBe(fixture('connector.txt'));
      expect(r.warnings, variant).toEqual([expect.stringMatching(/^2 characters show as \ufffd \(U\+FFFD\): bytes the recorder could not decode/)]);
    }
  });
});

describe('--timestamps', () => {
  const cast = parseAsciicast(fixture('line-editing.cast'));
  const start = (cast.header.timestamp as number) * 1000;
  const iso = (t: number) => new Date(start + Math.floor(t) * 1000).toISOString().replace('.000Z', 'Z');

  it('finds the echo of Enter after a typed line, not output lines', () => {
    const echoes = [...enterEchoes(cast.events)].map((i) => cast.events[i]![2]);
    expect(echoes).toEqual(['\r\n', '\r\n', '\r\n']);
  });

  it('puts the time each command line was entered before it, and indents the rest', async () => {
    const r = await renderRecording('asciinema', fixture('line-editing.cast'), { timestamps: { lines: 'commands' } });
    const enter = [...enterEchoes(cast.events)].map((i) => iso(cast.events[i]![0]));
    const lines = r.text.split('\n');
    const stamped = lines.filter((l) => /^\d{4}-/.test(l));
    expect(stamped).toEqual([`${enter[0]}  ana@web-1:~/app$ git status`, `${enter[1]}  ana@web-1:~/app$ ls -a -l`, `${enter[2]}  ana@web-1:~/app$ git status`]);
    // The other lines are the dump's, indented to line up.
    expect(lines.map((l) => l.replace(/^(\d{4}-\S+| {20}) {2}/, ''))).toEqual(fixture('line-editing.txt').trimEnd().split('\n'));
  });

  it('--timestamps-all: every line that a line feed ended carries the time it was ended', async () => {
    const r = await renderRecording('asciinema', fixture('line-editing.cast'), { timestamps: { lines: 'all' } });
    const lines = r.text.split('\n');
    const times = lines.slice(0, -1).map((l) => l.slice(0, 20));
    for (const t of times) expect(t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect([...times].sort()).toEqual(times);
    // The last prompt was never ended.
    expect(lines.at(-1)).toBe(`${' '.repeat(22)}ana@web-1:~/app$`);
  });

  it('without a start time in the header, uses the one given, and else counts from the start', async () => {
    const headerless = fixture('line-editing.cast').replace('"timestamp":1795168800,', '');
    const given = await renderRecording('asciinema', headerless, { timestamps: { lines: 'commands', start: Date.parse('2026-01-01T00:00:00Z') } });
    expect(given.text.split('\n')[0]).toMatch(/^2026-01-01T00:00:0\dZ {2}ana@web-1:~\/app\$ git status$/);
    const relative = await renderRecording('asciinema', headerless, { timestamps: { lines: 'commands' } });
    expect(relative.text.split('\n')[0]).toMatch(/^\+0:00:0\d {2}ana@web-1:~\/app\$ git status$/);
    expect(relative.warnings).toContain('it says nothing of when it started, so times are counted from its start (+H:MM:SS)');
  });
});

describe('request logs read as lines', () => {
  const line = (...entries: object[]) => entries.map((e) => JSON.stringify(e)).join('\n');
  const cells = (text: string) => text.split(/ {2,}/);

  it('HTTP: user, method, status, size, duration, path; the rest as key=value', () => {
    const text = renderRequestLog('http', line({ time: 1795168801123, method: 'POST', path: '/api/ds/query', query: 'x=1', status: 500, bytes: 12_345, duration_ms: 34, user: 'ana@example.com', client_ip: '192.0.2.1' }));
    expect(cells(text)).toEqual(['2026-11-20T10:00:01.123Z', 'ana@example.com', 'POST', '500', '12 kB', '34 ms', '/api/ds/query?x=1', 'client_ip=192.0.2.1']);
  });

  it('Kubernetes: the request as kubectl would put it, why it was refused, flat or as an audit event', () => {
    const flat = renderRequestLog('kubernetes', line({ time: 1795168801000, user: 'ana@example.com', verb: 'get', resource: 'secrets', namespace: 'prod', name: 'db', status: 403, reason: 'forbidden' }));
    expect(cells(flat)).toEqual(['2026-11-20T10:00:01.000Z', 'ana@example.com', 'get', '403', 'secrets prod/db', '→ forbidden']);
    const audit = renderRequestLog(
      'kubernetes',
      line({ requestReceivedTimestamp: '2026-11-20T10:00:02.5Z', verb: 'delete', user: { username: 'bob', groups: ['dev'] }, objectRef: { resource: 'pods', namespace: 'prod', name: 'web-1', apiVersion: 'v1' }, responseStatus: { code: 200 } }),
    );
    expect(cells(audit)).toEqual(['2026-11-20T10:00:02.500Z', 'bob', 'delete', '200', 'pods prod/web-1', 'user.groups=["dev"] objectRef.apiVersion=v1']);
  });

  it('S3: operation on s3://bucket/key, a refusal with its code; Snowflake: like a query log', () => {
    const s3 = renderRequestLog('s3', line({ time: 1795168801000, user: 'ana@example.com', operation: 'DeleteObject', bucket: 'b', key: 'k.csv', status: 403, error_code: 'AccessDenied', bytes: 0, duration_ms: 9 }));
    expect(cells(s3)).toEqual(['2026-11-20T10:00:01.000Z', 'ana@example.com', 'DeleteObject', '403', '0 B', '9 ms', 's3://b/k.csv', '→ AccessDenied']);
    const sf = renderRequestLog(
      'snowflake',
      line({ start_time: '2026-11-20T10:00:03Z', user_name: 'ANA', warehouse_name: 'WH', database_name: 'DB', schema_name: 'S', query_text: 'GRANT ROLE X TO USER Y', execution_status: 'FAILED_WITH_ERROR', rows_produced: 0, total_elapsed_time: 1500, error_message: 'Insufficient privileges' }),
    );
    expect(cells(sf)).toEqual(['2026-11-20T10:00:03.000Z', 'ANA', 'WH', 'DB.S', 'failed_with_error', '0 rows', '1.5 s', 'GRANT ROLE X TO USER Y', '→ Insufficient privileges']);
  });

  it('hostile values stay inert, and an entry without the fields its kind is known by is shown field by field', () => {
    const text = renderRequestLog('s3', line({ time: 1795168801000, operation: 'GetObject', bucket: 'b', key: 'x\u001b]52;c;cHduZWQ=\u0007.csv', status: 200 }, { time: 1795168801000, note: 'no s3 fields' }, ['not', 'an', 'object']));
    const [first, second, third] = text.split('\n');
    expect(first).toContain('s3://b/x\\x1b]52;c;cHduZWQ=\\x07.csv');
    expect(second).toBe('2026-11-20T10:00:01.000Z note="no s3 fields"');
    expect(third).toBe('["not","an","object"]');
  });
});

/** Random casts: increasing times with many decimals, every kind of event. */
const arbitraryCast = fc
  .record({
    width: fc.integer({ min: 1, max: 400 }),
    height: fc.integer({ min: 1, max: 200 }),
    steps: fc.array(fc.tuple(fc.double({ min: 0, max: 5, noNaN: true }), fc.constantFrom('o', 'i', 'm', 'r'), fc.string({ maxLength: 20 })), { maxLength: 300 }),
  })
  .map(({ width, height, steps }): Asciicast => {
    let t = 0;
    const events = steps.map(([dt, code, data]): AsciicastEvent => {
      t += dt;
      return [t, code, code === 'r' ? `${width}x${height}` : data];
    });
    return { header: { version: 2, width, height, timestamp: 1795168800, env: { TERM: 'xterm-256color', SHELL: '/bin/bash' } }, events };
  });

describe('--format asciicast: v2 and v3 parse back', () => {
  const SEED = 20261126;

  it('v2 keeps every event and the header', () => {
    fc.assert(
      fc.property(arbitraryCast, (cast) => {
        const back = parseAsciicast(toAsciicast(cast));
        expect(back.header).toEqual(cast.header);
        expect(back.events).toEqual(cast.events);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it(`v3: millisecond intervals whose sum does not drift from the recorded times (seed ${SEED})`, () => {
    fc.assert(
      fc.property(arbitraryCast, (cast) => {
        const v3 = toAsciicastV3(cast);
        const [header, ...events] = v3.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
        expect(header).toEqual({ version: 3, term: { cols: cast.header.width, rows: cast.header.height, type: 'xterm-256color' }, timestamp: 1795168800, env: { SHELL: '/bin/bash' } });
        for (const e of events as Array<[number, string, string]>) expect(Math.round(e[0] * 1000)).toBeCloseTo(e[0] * 1000, 6);
        const back = parseAsciicast(v3);
        expect(back.header).toEqual(cast.header);
        expect(back.events.map((e) => [e[1], e[2]])).toEqual(cast.events.map((e) => [e[1], e[2]]));
        // Each time is the recorded one rounded to the millisecond: no error builds up.
        back.events.forEach((e, i) => expect(Math.abs(e[0] - Math.round(cast.events[i]![0] * 1000) / 1000)).toBeLessThan(1e-6));
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  const asciinema = spawnSync('sh', ['-c', 'command -v asciinema && command -v script']).status === 0;
  it.skipIf(!asciinema)("the v2 export plays in Debian's asciinema (asciinema cat in a pseudo-terminal)", async () => {
    const file = path.join(tmp('cast'), 'connector.cast');
    writeFileSync(file, toAsciicast(parseAsciicast(fixture('connector.cast'))));
    // asciinema cat reads keys from /dev/tty, so it needs a terminal: script gives it one.
    const out = execFileSync('script', ['-qec', `asciinema cat ${file}`, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString('utf8');
    // What it played, played again into b0s's renderer, is the recording's text.
    const replayed = await renderRecording('asciinema', [JSON.stringify({ version: 2, width: 60, height: 10 }), JSON.stringify([0, 'o', out])].join('\n'));
    expect(`${replayed.text}\n`).toBe(fixture('connector.txt'));
  });
});

describe('b0s replay --format json and --cast-version against the simulator', () => {
  const { sim, env } = useSimulator({ sessions: 200 });
  const typeOf = (s: Session) => s.recordings?.[0]?.recording_type;
  const api = async (s: Session) => {
    const res = await fetch(`${sim().url}/session/${s.socket_id}/${s.session_id}/session_log?recording_id=${s.recordings?.[0]?.recording_id}`, { headers: { 'x-access-token': sim().token } });
    return decodeRecordingBody(new Uint8Array(await res.arrayBuffer()), res.headers.get('content-type') ?? '');
  };

  it('a terminal recording: its header and events; a log: its records', async () => {
    // Ended: a live session's recording grows between two downloads.
    const ssh = findSession(sim(), (s) => s.recordings?.length === 1 && typeOf(s) === 'asciinema' && Boolean(s.end_time));
    const r = await b0s(['replay', `${ssh.socket_id}/${ssh.session_id}`, '--format', 'json'], { env: env() });
    expect(r.code).toBe(0);
    const [doc] = JSON.parse(r.stdout) as Array<{ recording_id: string; header: object; events: unknown[] }>;
    const cast = parseAsciicast(await api(ssh));
    expect(doc).toEqual({ recording_id: ssh.recordings![0]!.recording_id, recording_type: 'asciinema', start_time: ssh.recordings![0]!.start_time, header: cast.header, events: cast.events });

    const k8s = findSession(sim(), (s) => typeOf(s) === 'kubernetes_api_request_log' && Boolean(s.end_time));
    const logs = await b0s(['replay', `${k8s.socket_id}/${k8s.session_id}`, '--format', 'json'], { env: env() });
    const records = (JSON.parse(logs.stdout) as Array<{ records: unknown[] }>)[0]!.records;
    expect(records).toEqual((await api(k8s)).trim().split('\n').map((l) => JSON.parse(l)));
  });

  it('--cast-version 3 writes v3; the flag is refused without --format asciicast', async () => {
    const ssh = findSession(sim(), (s) => s.recordings?.length === 1 && typeOf(s) === 'asciinema' && Boolean(s.end_time));
    const r = await b0s(['replay', `${ssh.socket_id}/${ssh.session_id}`, '--format', 'asciicast', '--cast-version', '3'], { env: env() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.split('\n')[0]!)).toMatchObject({ version: 3, term: { cols: expect.any(Number) } });
    expect(parseAsciicast(r.stdout).events.map((e) => e[2])).toEqual(parseAsciicast(await api(ssh)).events.map((e) => e[2]));
    const bad = await b0s(['replay', `${ssh.socket_id}/${ssh.session_id}`, '--cast-version', '3'], { env: env() });
    expect([bad.code, bad.stderr]).toEqual([2, 'b0s: --cast-version only applies with --format asciicast\n']);
  });

  it('--timestamps through the CLI: command lines of a simulated session carry times within the session', async () => {
    const ssh = findSession(sim(), (s) => s.recordings?.length === 1 && typeOf(s) === 'asciinema' && Boolean(s.end_time));
    const r = await b0s(['replay', `${ssh.socket_id}/${ssh.session_id}`, '--timestamps'], { env: env() });
    expect(r.code).toBe(0);
    const stamped = r.stdout.split('\n').filter((l) => /^\d{4}-/.test(l));
    expect(stamped.length).toBeGreaterThan(2);
    for (const l of stamped) {
      const t = Date.parse(l.slice(0, 20));
      expect(t).toBeGreaterThanOrEqual(Date.parse(ssh.start_time!));
      expect(t).toBeLessThanOrEqual(Date.parse(ssh.end_time!));
      expect(l.slice(22)).toMatch(/^\S+@\S+:\S*[$#] /);
    }
  });
});
