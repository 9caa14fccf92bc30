import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../src/errors';
import {
  decodeRecordingBody,
  parseAsciicast,
  parseQueryLog,
  renderGenericLog,
  renderQueryLog,
  renderRecordingText,
  renderTerminalText,
  toAsciicast,
  type AsciicastEvent,
} from '../src/recording';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** An asciicast v2 recording as the API holds it: header line, then one event per line. */
function cast(events: Array<[number, string, string]>, size = { width: 40, height: 6 }): string {
  return [JSON.stringify({ version: 2, ...size, timestamp: 1763632800 }), ...events.map((e) => JSON.stringify(e))].join('\n');
}

/** Output events, one per string, a tenth of a second apart. */
function typed(...outputs: string[]): string {
  return cast(outputs.map((o, i) => [i / 10, 'o', o]));
}

const screen = (text: string, opts?: { cols?: number }) => renderTerminalText(parseAsciicast(text), opts);

/** ESC, BEL, every other C0 but newline, DEL, C1, bidi controls, line separators, BOM. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

function formatErrorOf(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return err as FormatError;
  }
  throw new Error('expected a FormatError');
}

describe('decodeRecordingBody: every shape the session_log body may take', () => {
  const lines = '{"version":2,"width":80,"height":24}\n[0.1,"o","ls\\r\\n"]';

  it('unwraps a JSON-encoded string (the documented form)', () => {
    expect(decodeRecordingBody(utf8(JSON.stringify(lines)), 'application/json')).toBe(lines);
  });

  it('joins a JSON array of strings into lines', () => {
    expect(decodeRecordingBody(utf8(JSON.stringify(['first line', 'second line'])))).toBe('first line\nsecond line');
  });

  it('turns a JSON array of objects and arrays into one JSON line each, which then parses as asciicast', () => {
    const body = JSON.stringify([{ version: 2, width: 80, height: 24 }, [0.1, 'o', 'hello']]);
    const text = decodeRecordingBody(utf8(body));
    expect(text.split('\n')).toHaveLength(2);
    expect(parseAsciicast(text).events).toEqual([[0.1, 'o', 'hello']]);
  });

  it('turns a JSON array of query objects into JSON lines', () => {
    const q = [{ time: 1, command: 'SELECT 1' }, { time: 2, command: 'SELECT 2' }];
    const text = decodeRecordingBody(utf8(JSON.stringify(q)));
    expect(text.split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(q);
  });

  it('unwraps an object that wraps the text in session_log, log, data or content', () => {
    for (const field of ['session_log', 'log', 'data', 'content']) {
      const body = JSON.stringify({ [field]: lines, recording_id: 'r1' });
      expect(decodeRecordingBody(utf8(body))).toBe(lines);
    }
  });

  it('keeps an object that is data in its own right as one line, even with a data field', () => {
    const entry = { time: 1700000000000, method: 'GET', data: 'x' };
    expect(JSON.parse(decodeRecordingBody(utf8(`  ${JSON.stringify(entry, null, 2)}\n`)))).toEqual(entry);
  });

  it('keeps one asciicast event alone as its line, not as a list of values', () => {
    expect(JSON.parse(decodeRecordingBody(utf8('[0.1,"o","$ id\\r\\n"]\n')))).toEqual([0.1, 'o', '$ id\r\n']);
    expect(decodeRecordingBody(utf8(JSON.stringify([0.1, 'o', 'x'])))).toBe('[0.1,"o","x"]');
  });

  it('passes plain text and raw JSON lines through untouched', () => {
    expect(decodeRecordingBody(utf8('[root@host ~]# ls\nfile\n'), 'text/plain')).toBe('[root@host ~]# ls\nfile\n');
    expect(decodeRecordingBody(utf8(lines))).toBe(lines);
  });

  it('gunzips gzip data whatever the content type says, then decodes what is inside', () => {
    const gz = gzipSync(Buffer.from(JSON.stringify(lines)));
    expect(decodeRecordingBody(gz, 'application/json')).toBe(lines);
    expect(decodeRecordingBody(gzipSync(Buffer.from(lines)), 'text/plain')).toBe(lines);
  });

  it('drops a UTF-8 byte-order mark', () => {
    expect(decodeRecordingBody(utf8(`\ufeff${JSON.stringify(lines)}`))).toBe(lines);
    expect(decodeRecordingBody(utf8('\ufeffplain'))).toBe('plain');
  });

  it('gives an empty string for an empty body', () => {
    expect(decodeRecordingBody(new Uint8Array(0))).toBe('');
  });

  it('rejects corrupt gzip and invalid UTF-8 with a one-line FormatError', () => {
    const gz = gzipSync(Buffer.from(lines));
    const corrupt = formatErrorOf(() => decodeRecordingBody(gz.subarray(0, gz.length - 6)));
    expect(corrupt.message).toMatch(/gzip/);
    expect(corrupt.message).not.toContain('\n');
    const bad = formatErrorOf(() => decodeRecordingBody(new Uint8Array([0x61, 0xff, 0xfe, 0x62])));
    expect(bad.message).toMatch(/UTF-8/);
  });

  it('honours a charset the server names', () => {
    expect(decodeRecordingBody(new Uint8Array([0x63, 0x61, 0x66, 0xe9]), 'text/plain; charset=ISO-8859-1')).toBe('café');
  });
});

describe('parseAsciicast', () => {
  it('reads v2: header, events in order, blank lines skipped, unknown codes kept', () => {
    const text = `${cast([[0.5, 'o', 'a'], [1, 'r', '100x30']])}\n\n[1.5,"m","chapter"]\n[2,"x","?"]\n`;
    const { header, events } = parseAsciicast(text);
    expect(header).toMatchObject({ version: 2, width: 40, height: 6, timestamp: 1763632800 });
    expect(events).toEqual([[0.5, 'o', 'a'], [1, 'r', '100x30'], [1.5, 'm', 'chapter'], [2, 'x', '?']]);
  });

  it('converts v1 (one document, relative delays) to absolute times', () => {
    const v1 = JSON.stringify({ version: 1, width: 90, height: 20, duration: 1.5, stdout: [[0.5, 'a'], [0.25, 'b'], [0.75, 'c']] }, null, 2);
    const { header, events } = parseAsciicast(v1);
    expect(header).toMatchObject({ version: 2, width: 90, height: 20 });
    expect(events).toEqual([[0.5, 'o', 'a'], [0.75, 'o', 'b'], [1.5, 'o', 'c']]);
  });

  it('converts v3 (term size block, intervals) to v2', () => {
    const v3 = ['{"version":3,"term":{"cols":100,"rows":30,"type":"xterm"}}', '[0.5,"o","a"]', '[0.5,"o","b"]'].join('\n');
    const { header, events } = parseAsciicast(v3);
    expect(header).toMatchObject({ version: 2, width: 100, height: 30, env: { TERM: 'xterm' } });
    expect(events).toEqual([[0.5, 'o', 'a'], [1, 'o', 'b']]);
  });

  it('names the line that is not JSON', () => {
    const err = formatErrorOf(() => parseAsciicast(`${cast([[0.1, 'o', 'ok']])}\n[0.2, "o", "cut off`));
    expect(err.message).toMatch(/line 3/);
  });

  it('rejects a missing or unsupported header', () => {
    expect(formatErrorOf(() => parseAsciicast('["no", "header"]')).message).toMatch(/line 1.*header/);
    expect(formatErrorOf(() => parseAsciicast('"just a string"')).message).toMatch(/line 1.*header/);
    expect(formatErrorOf(() => parseAsciicast('{"version":5,"width":80,"height":24}')).message).toMatch(/version 5/);
    expect(formatErrorOf(() => parseAsciicast('\n\n')).message).toMatch(/empty/);
  });

  it('reads events without a header as a recording on the default 80x24 terminal, and says so', () => {
    const { header, events, headerless } = parseAsciicast('[0.1,"o","$ id\\r\\n"]\n[0.2,"o","uid=0(root)\\r\\n"]');
    expect(headerless).toBe(true);
    expect(header).toEqual({ version: 2, width: 80, height: 24 });
    expect(events).toEqual([[0.1, 'o', '$ id\r\n'], [0.2, 'o', 'uid=0(root)\r\n']]);
    expect(parseAsciicast(cast([[0.1, 'o', 'x']])).headerless).toBeUndefined();
  });

  it('writes a v2 file that reads back the same, safe to print, without events asciinema would refuse', () => {
    const text = cast([[0.1, 'o', '\x1b[31mred\u009b2J\u202e'], [0.2, 'r', '120x40'], [0.3, 'r', 'garbage'], [0.4, '', 'x']]);
    const out = toAsciicast(parseAsciicast(text));
    expect(out.endsWith('\n')).toBe(true);
    expect(out).not.toMatch(CONTROL);
    const back = parseAsciicast(out);
    expect(JSON.parse(out.split('\n')[0]!)).toMatchObject({ version: 2, width: 40, height: 6 });
    expect(back.events).toEqual([[0.1, 'o', '\x1b[31mred\u009b2J\u202e'], [0.2, 'r', '120x40']]);
  });
});

describe('renderTerminalText: what the person at the terminal saw', () => {
  it('shows a command corrected with backspace as the corrected command', async () => {
    const out = await screen(typed('$ ', 'l', 's', 's', '\b \b', ' -la', '\r\n', 'total 0\r\n', '$ '));
    expect(out.split('\n')).toEqual(['$ ls -la', 'total 0', '$']);
  });

  it('drops colours and other attributes', async () => {
    const out = await screen(typed('\x1b[1;31mERROR\x1b[0m \x1b[4mdisk\x1b[24m full\r\n'));
    expect(out).toBe('ERROR disk full');
  });

  it('shows the final text of a line overwritten after a carriage return', async () => {
    const out = await screen(typed('downloading  10%', '\rdownloading  55%', '\rdownloading 100%\r\n'));
    expect(out).toBe('downloading 100%');
  });

  it('keeps what was on screen before a clear, and what came after', async () => {
    const out = await screen(typed('$ cat secret\r\n', 'hunter2\r\n', '$ clear\r\n', '\x1b[H\x1b[2J\x1b[3J', '$ exit\r\n'));
    expect(out.split('\n')).toEqual(['$ cat secret', 'hunter2', '$ clear', '$ exit']);
    // Ctrl-L in bash: home, then erase below.
    const ctrlL = await screen(typed('$ whoami\r\nroot\r\n$ ', '\x1b[H\x1b[J$ id\r\n'));
    expect(ctrlL.split('\n')).toEqual(['$ whoami', 'root', '$', '$ id']);
  });

  it('keeps every line of a session far longer than the screen and the scrollback', async () => {
    const n = 12_000;
    const out = await screen(cast([[0, 'o', Array.from({ length: n }, (_, i) => `line ${i}\r\n`).join('')]], { width: 20, height: 5 }));
    const lines = out.split('\n');
    expect(lines).toHaveLength(n);
    expect(lines[0]).toBe('line 0');
    expect(lines[n - 1]).toBe(`line ${n - 1}`);
    expect(lines.every((l, i) => l === `line ${i}`)).toBe(true);
  });

  it('leaves no trace of a hostile window title, bell or bidi override, and no control characters', async () => {
    const out = await screen(typed('\x1b]0;pwned\x07', 'safe\x07 text\r\n', '\x1b]2;pwned again\x1b\\', 'evil\u202etxt.exe\r\n', '\x9b2Jafter\r\n'));
    expect(out).not.toMatch(CONTROL);
    expect(out).not.toContain('pwned');
    expect(out).toContain('safe text');
    // The bidi override is shown, not obeyed.
    expect(out).toContain('evil\\u202etxt.exe');
  });

  it('honours resize events', async () => {
    // At 20 columns the cursor cannot reach column 41; after growing to 60 it can.
    const rec = cast([[0.1, 'o', 'start\r\n'], [0.2, 'r', '60x10'], [0.3, 'o', '\x1b[5;41HX']], { width: 20, height: 5 });
    const line = (await screen(rec)).split('\n').find((l) => l.endsWith('X'));
    expect(line).toBe(`${' '.repeat(40)}X`);
  });

  it('joins a long line the terminal wrapped, also across a narrowing resize', async () => {
    const long = `echo ${'a'.repeat(95)}`;
    const out = await screen(cast([[0.1, 'o', `$ ${long}\r\n`], [0.2, 'r', '13x6'], [0.3, 'o', 'done\r\n']], { width: 30, height: 6 }));
    expect(out.split('\n')).toEqual([`$ ${long}`, 'done']);
  });

  it('keeps the last screen of a full-screen program, placed where it ran', async () => {
    const out = await screen(
      typed('$ less notes\r\n', '\x1b[?1049h\x1b[H\x1b[2J', 'page one\r\n', '\x1b[H\x1b[2Jpage two\r\n(END)', '\x1b[?1049l', '$ exit\r\n'),
    );
    expect(out.split('\n')).toEqual(['$ less notes', 'page one', 'page two', '(END)', '$ exit']);
  });

  it('keeps output from before a full terminal reset', async () => {
    expect((await screen(typed('$ id\r\nuid=0\r\n', '\x1bc', '$ exit\r\n'))).split('\n')).toEqual(['$ id', 'uid=0', '$ exit']);
  });

  it('finishes a recording that asks for billions of scrolls and repeats', async () => {
    const out = await screen(typed('kept\r\n', '\x1b[2147483647S\x1b[2147483647T', 'a\x1b[2147483647b', '\x1b[21474\x0783647L\r\nend'));
    expect(out).toContain('end');
  });
});

describe('renderQueryLog', () => {
  const entry = (e: Record<string, unknown>) => JSON.stringify(e);

  it('shows time, database, status, rows, duration and the command on one line', () => {
    const out = renderQueryLog(
      entry({ time: 1795168801123, database: 'prod-db', command: 'SELECT *\n\tFROM users\r\n WHERE id = 1', status: 'ok', duration: 12, rows: 3, result: [] }),
    );
    expect(out).toMatch(/^2026-11-20T10:00:01\.123Z +prod-db +ok +3 rows +12 ms +SELECT \* FROM users WHERE id = 1$/);
  });

  it('shows rows affected for writes, and copes with missing and mistyped fields', () => {
    const out = renderQueryLog(
      [
        entry({ time: 1795168801000, database: 'prod-db', command: 'UPDATE users SET x = 1', status: 'ok', duration: 1500, rows: 0, affected_rows: 7 }),
        entry({ time: 'yesterday', database: 42, command: { text: 'SELECT 1' }, duration: 'slow', rows: '5' }),
        entry({}),
      ].join('\n'),
    );
    const lines = out.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/7 rows affected +1\.5 s +UPDATE users SET x = 1$/);
    expect(lines[1]).toMatch(/^yesterday +42 +- +5 rows +- +\{"text":"SELECT 1"\}$/);
    expect(lines[2]).toMatch(/^- +- +- +- +-$/);
  });

  it('keeps a line that is not JSON as text, without losing the queries around it', () => {
    const text = [entry({ time: 1795168801000, command: 'SELECT 1' }), '{"time": 17952552', entry({ time: 1795168802000, command: 'SELECT 2' })].join('\n');
    expect(parseQueryLog(text).map((l) => l.kind)).toEqual(['query', 'raw', 'query']);
    const lines = renderQueryLog(text).split('\n');
    expect(lines[1]).toBe('{"time": 17952552');
    expect(lines[2]).toMatch(/SELECT 2$/);
  });

  it('shows why a query failed or was denied after its command, and nothing when the result only repeats the row count', () => {
    const out = renderQueryLog(
      [
        entry({ time: 1795168801000, database: 'prod-db', command: 'SELECT 1', status: 'ok', rows: 1, result: '1 row' }),
        entry({ time: 1795168802000, database: 'prod-db', command: 'DROP TABLE users', status: 'denied', result: 'command denied\nby policy\u001b[2J' }),
        entry({ time: 1795168803000, database: 'prod-db', command: 'SELECT x', status: 'error', result: { code: 42703, message: 'column x does not exist' } }),
      ].join('\n'),
    );
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/SELECT 1$/);
    expect(lines[1]).toMatch(/ denied .*DROP TABLE users {2}→ command denied by policy\\x1b\[2J$/);
    expect(lines[2]).toMatch(/SELECT x {2}→ \{"code":42703,"message":"column x does not exist"\}$/);
    expect(out).not.toMatch(CONTROL);
  });

  it('paints failed and denied queries with the painter it is given, after padding', () => {
    const paint = { failed: (s: string) => `<${s}>` };
    const lines = renderQueryLog([entry({ status: 'ok', command: 'a' }), entry({ status: 'denied', command: 'b', result: 'no' })].join('\n'), paint).split('\n');
    expect(lines[0]).toBe('-  -  ok      -  -  a');
    expect(lines[1]).toBe('-  -  <denied>  -  -  b  → <no>');
  });

  it('finds the verb of a write after any number of comments, without backtracking', () => {
    // `/**/` a hundred times would take a backtracking pattern longer than the universe.
    const comments = '/**/ '.repeat(100);
    const out = renderQueryLog(entry({ command: `${comments}UPDATE t SET x = 1`, rows: 9, affected_rows: 3 }));
    expect(out).toMatch(/3 rows affected/);
    expect(renderQueryLog(entry({ command: `${'/**/'.repeat(100)}x`, rows: 9, affected_rows: 3 }))).toMatch(/9 rows/);
  });

  it('neutralises escape sequences typed into a query', () => {
    const out = renderQueryLog(entry({ command: "SELECT '\x1b]0;pwned\x07\x1b[2J'", database: 'db\u202e' }));
    expect(out).not.toMatch(CONTROL);
    expect(out).toContain('\\x1b]0;pwned\\x07');
  });
});

describe('renderGenericLog', () => {
  it('puts the time first as RFC 3339, then every field as key=value, quoting values with spaces', () => {
    const out = renderGenericLog(
      [
        JSON.stringify({ method: 'GET', time: 1795168801123, path: '/api/users', status: 200, user_agent: 'curl/8.0 (x86_64)' }),
        JSON.stringify({ time: 1795168801, verb: 'list', resource: 'pods' }),
        JSON.stringify({ time: '2026-11-20T11:00:01+01:00', bucket: 'logs', key: 'a b' }),
        JSON.stringify({ query: 'select 1', nested: { a: [1, 2] } }),
      ].join('\n'),
    );
    expect(out.split('\n')).toEqual([
      '2026-11-20T10:00:01.123Z method=GET path=/api/users status=200 user_agent="curl/8.0 (x86_64)"',
      '2026-11-20T10:00:01.000Z verb=list resource=pods',
      '2026-11-20T10:00:01.000Z bucket=logs key="a b"',
      'query="select 1" nested={"a":[1,2]}',
    ]);
  });

  it('neutralises control characters in keys and values, and keeps non-JSON lines as text', () => {
    const out = renderGenericLog(`${JSON.stringify({ 'k\x1b': 'v\x1b[2J', path: '/\u202e' })}\nnot json \x07`);
    expect(out).not.toMatch(CONTROL);
    expect(out.split('\n')).toHaveLength(2);
    expect(out).toContain('"v\\x1b[2J"');
  });
});

describe('renderRecordingText: dispatch on recording_type', () => {
  const sshCast = typed('$ uname\r\n', '\x1b[32mLinux\x1b[0m\r\n');
  const queries = JSON.stringify({ time: 1795168801123, database: 'prod-db', command: 'SELECT 1', status: 'ok', duration: 2, rows: 1 });
  const requests = JSON.stringify({ time: 1795168801123, method: 'GET', path: '/' });

  it('renders each type in its own form', async () => {
    expect(await renderRecordingText('asciinema', sshCast)).toBe('$ uname\nLinux');
    expect(await renderRecordingText('database_query_log', queries)).toMatch(/prod-db +ok +1 row +2 ms +SELECT 1$/);
    // A request log reads as columns when it has the fields its kind is known by...
    expect((await renderRecordingText('http_access_log', requests)).split(/ {2,}/)).toEqual(['2026-11-20T10:00:01.123Z', '-', 'GET', '-', '-', '-', '/']);
    expect((await renderRecordingText('kubernetes_api_request_log', requests)).split(/ {2,}/)).toEqual(['2026-11-20T10:00:01.123Z', '-', 'get', '-', '/']);
    // ... and as every field, key=value, when it has none of them.
    for (const type of ['aws_s3_api_request_log', 'snowflake_query_log']) {
      expect(await renderRecordingText(type, requests)).toBe('2026-11-20T10:00:01.123Z method=GET path=/');
    }
  });

  it('says a browser session has no text form and what to do instead', async () => {
    await expect(renderRecordingText('browser_session_stream', 'binary-ish')).rejects.toThrow(FormatError);
    await expect(renderRecordingText('browser_session_stream', 'x')).rejects.toThrow(/--format raw -O FILE/);
  });

  it('tells the kind from the content when the type is missing or unknown', async () => {
    expect(await renderRecordingText(undefined, sshCast)).toBe('$ uname\nLinux');
    expect(await renderRecordingText(null, queries)).toMatch(/SELECT 1$/);
    expect(await renderRecordingText('ftp_log', requests)).toBe('2026-11-20T10:00:01.123Z method=GET path=/');
    expect(await renderRecordingText('', 'plain \x1b[31mtext\r\nline two')).toBe('plain \\x1b[31mtext\nline two');
    expect(await renderRecordingText('asciinema', '')).toBe('');
  });

  it('accepts a plain-text dump for a terminal recording', async () => {
    expect(await renderRecordingText('asciinema', '$ ls\nfile\n')).toBe('$ ls\nfile');
  });
});

// Hostile input, from the byte level up: whatever a session's user or a broken server
// sends, the only failure is a FormatError, and nothing reaching the terminal can drive it.
describe('properties', () => {
  const PIECES = [
    '\x1b', '\x1b[', '\x1b]0;pwned\x07', '\x1b]8;;http://x\x1b\\', '\x9b', '\x9d', '\x07', '\b', '\r', '\n', '\r\n', '\t',
    '\x1b[2J', '\x1b[H', '\x1b[3J', '\x1b[J', '\x1b[?1049h', '\x1b[?1049l', '\x1bc', '\x1b[99999S', '\x1b[5;50H', 'a\x1b[999b',
    '\u202e', '\u2066', '\u2028', '\ufeff', '\ud800', '\udc00', '\u0085', 'é', '表', '😀', ';', '9', 'm', '"', '\\', '{', '[', ']', '}',
  ];
  const hostileString = fc.string({ unit: fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'binary-ascii', maxLength: 1 }), fc.string({ unit: 'binary', maxLength: 1 })), maxLength: 60 });
  const jsonish = fc.oneof(
    hostileString,
    fc.json(),
    fc.array(fc.oneof(fc.json(), hostileString), { maxLength: 6 }).map((ls) => ls.join('\n')),
  );

  async function onlyFormatErrors<T>(fn: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      expect(err.message).not.toContain('\n');
      return undefined;
    }
  }

  it('decodeRecordingBody returns text or throws FormatError, for any bytes', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      jsonish.map((s) => utf8(s)),
      jsonish.map((s) => utf8(JSON.stringify(s))),
      jsonish.map((s) => new Uint8Array(gzipSync(Buffer.from(s)))),
      fc.uint8Array({ maxLength: 40 }).map((b) => new Uint8Array([0x1f, 0x8b, ...b])),
    );
    await fc.assert(
      fc.asyncProperty(bytes, fc.option(fc.string(), { nil: undefined }), async (body, ct) => {
        const out = await onlyFormatErrors(() => decodeRecordingBody(body, ct));
        if (out !== undefined) expect(typeof out).toBe('string');
      }),
      { numRuns: 300 },
    );
  });

  it('parseAsciicast and the query log parser return a value or throw FormatError', async () => {
    await fc.assert(
      fc.asyncProperty(jsonish, async (text) => {
        await onlyFormatErrors(() => parseAsciicast(text));
        await onlyFormatErrors(() => parseAsciicast(`{"version":2,"width":80,"height":24}\n${text}`));
        expect(Array.isArray(parseQueryLog(text))).toBe(true);
        expect(renderQueryLog(text)).not.toMatch(CONTROL);
        expect(renderGenericLog(text)).not.toMatch(CONTROL);
      }),
      { numRuns: 300 },
    );
  });

  it('renderRecordingText never lets a control character through, whatever the type', async () => {
    const types = fc.constantFrom(undefined, null, '', 'asciinema', 'database_query_log', 'http_access_log', 'browser_session_stream', 'other');
    await fc.assert(
      fc.asyncProperty(types, jsonish, async (type, text) => {
        const out = await onlyFormatErrors(() => renderRecordingText(type, text));
        if (out !== undefined) expect(out).not.toMatch(CONTROL);
      }),
      { numRuns: 200 },
    );
  });

  it('plain lines of output come back exactly, whatever the screen size and however they were split', async () => {
    const lines = fc.array(fc.string({ unit: 'grapheme-ascii', maxLength: 150 }), { minLength: 1, maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(lines, fc.integer({ min: 2, max: 100 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 50 }), async (ls, width, height, split) => {
        const output = ls.map((l) => `${l}\r\n`).join('');
        const events: AsciicastEvent[] = [];
        for (let i = 0; i < output.length; i += split) events.push([i, 'o', output.slice(i, i + split)]);
        // (A backslash is shown as \\, so that escapes cannot be forged.)
        const expected = ls.map((l) => l.trimEnd()).join('\n').replace(/\n+$/, '').replace(/\\/g, '\\\\');
        expect(await screen(cast(events, { width, height }))).toBe(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('clearing, resetting, resizing or running a full-screen program loses no line printed on the normal screen', async () => {
    const line = fc.stringMatching(/^[!-~][ -~]{0,150}$/);
    const ENTER = '\x1b[?1049h';
    const LEAVE = '\x1b[?1049l';
    const MANY = 'many'; // more lines than xterm's scrollback holds
    const interruption = fc.constantFrom('\x1b[H\x1b[2J\x1b[3J', '\x1b[H\x1b[J', '\x1b[2J', '\x1bc', 'r:30x5', 'r:120x50', 'r:7x3', 'r:2x1', ENTER, LEAVE, `${ENTER}\x1b[H§${LEAVE}`, MANY);
    const step = fc.oneof({ weight: 4, arbitrary: line.map((l) => ({ line: l })) }, { weight: 2, arbitrary: interruption.map((x) => ({ x })) });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), fc.integer({ min: 2, max: 100 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 300 }), async (steps, width, height, split) => {
        const events: AsciicastEvent[] = [];
        const printed: string[] = [];
        let output = '';
        let alt = false;
        // Output is cut into events of `split` characters, escape sequences included.
        const flush = () => {
          for (let i = 0; i < output.length; i += split) events.push([events.length, 'o', output.slice(i, i + split)]);
          output = '';
        };
        for (const s of steps) {
          if ('line' in s) {
            output += `${s.line}\r\n`;
            // (A backslash is shown as \\, so that escapes cannot be forged.)
            if (!alt) printed.push(s.line.trimEnd().replace(/\\/g, '\\\\'));
          } else if (s.x === MANY) {
            for (let k = 0; k < 4500; k++) output += `many ${k}\r\n`;
            if (!alt) for (let k = 0; k < 4500; k++) printed.push(`many ${k}`);
          } else if (s.x.startsWith('r:')) {
            flush();
            events.push([events.length, 'r', s.x.slice(2)]);
          } else if ((s.x === ENTER || s.x.startsWith(`${ENTER}\x1b`)) && alt) {
            continue; // already there: 1049 would save the cursor again
          } else if (s.x === LEAVE && !alt) {
            continue; // not there: 1049 would restore an old cursor position
          } else {
            output += s.x;
            if (s.x === ENTER) alt = true;
            if (s.x === LEAVE || s.x === '\x1bc') alt = false;
          }
        }
        flush();
        const shown = (await screen(cast(events, { width, height }))).split('\n').filter((l) => l !== '' && l !== '§');
        // Lines printed on the alternate screen show only as far as its last frame did.
        const ranFullScreen = steps.some((s) => 'x' in s && s.x === ENTER);
        if (!ranFullScreen) expect(shown).toEqual(printed);
        else {
          let found = 0;
          for (const l of shown) if (l === printed[found]) found++;
          expect(found).toBe(printed.length);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a terminal recording of hostile output renders to text with no control characters', async () => {
    const events = fc.array(
      fc.oneof(
        { weight: 5, arbitrary: hostileString.map((s): AsciicastEvent => [0, 'o', s]) },
        { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 100 })).map(([c, r]): AsciicastEvent => [0, 'r', `${c}x${r}`]) },
      ),
      { maxLength: 12 },
    );
    await fc.assert(
      fc.asyncProperty(events, fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 40 }), async (evs, width, height) => {
        const out = await screen(cast(evs, { width, height }));
        expect(out).not.toMatch(CONTROL);
      }),
      { numRuns: 60 },
    );
  });
});

describe('JSON whose keys shadow Object.prototype', () => {
  // {"toString": 1} makes String() throw: a crafted recording must not crash replay.
  it('renders or gives a FormatError, for every recording type', async () => {
    const bodies = [
      '{"version":2,"width":80,"height":24}\n[0.1,{"toString":1},"x"]\n',
      '{"version":2,"width":{"toString":1},"height":24}\n[0.1,"o","x"]\n',
      '{"version":2,"width":80,"height":24,"title":{"toString":1}}\n[0.1,"o","x"]\n',
      '[{"toString":1}]',
      '{"session_log":{"toString":1}}',
      '{"time":{"toString":1},"database":{"toString":1},"command":{"toString":1},"rows":{"toString":1},"status":{"toString":1},"duration":{"toString":1}}\n',
      '{"time":1,"method":{"toString":1}}\n',
    ];
    for (const body of bodies) {
      for (const type of ['asciinema', 'database_query_log', 'http_access_log', undefined]) {
        const outcome = await renderRecordingText(type, decodeRecordingBody(Buffer.from(body))).then(
          (text) => typeof text,
          (err: unknown) => (err instanceof FormatError ? 'FormatError' : `unexpected ${(err as Error).message}`),
        );
        expect(['string', 'FormatError']).toContain(outcome);
      }
    }
  });
});
