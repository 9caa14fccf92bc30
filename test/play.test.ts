// replay --play in-process: what reaches the admin's terminal (the playback filter),
// keys read as whole sequences, the timing, and the terminal put back however playback
// ends. The same through a real pseudo-terminal: play-tmux.test.ts.
import { PassThrough, Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../src/errors';
import { KeyReader } from '../src/recording/keys';
import { PlaybackFilter } from '../src/recording/play-filter';
import { playTimes } from '../src/recording/player';
import { startServer, type TestServer } from './helpers/server';
import { b0s } from './helpers/world';

const E = '\u001b';

describe('the playback filter', () => {
  const filter = () => new PlaybackFilter(() => ({ cols: 80, rows: 24 }));
  const through = (data: string) => filter().feed(data);

  it.each([
    ['a window title (OSC 0)', `a${E}]0;pwned\u0007b`, 'ab'],
    ['a clipboard write (OSC 52), ended by ST', `a${E}]52;c;cm0gLXJmIH4=${E}\\b`, 'ab'],
    ['a hyperlink (OSC 8)', `${E}]8;;http://evil.example${E}\\click${E}]8;;${E}\\`, 'click'],
    ['tmux pass-through (DCS)', `${E}Ptmux;${E}${E}]52;c;eA==\u0007${E}\\ok`, 'ok'],
    ['APC, PM and SOS strings', `${E}_x${E}\\${E}^y${E}\\${E}Xz${E}\\ok`, 'ok'],
    ['a title report, which the terminal would type back (CSI 21 t)', `${E}[21tok`, 'ok'],
    ['window moves and resizes (CSI t)', `${E}[3;0;0t${E}[8;100;300tok`, 'ok'],
    ['device attribute and status queries', `${E}[c${E}[>c${E}[6n${E}[5n${E}[?6n${E}[?2026$pok\u0005`, 'ok'],
    ['mouse, bracketed paste and keyboard modes', `${E}[?1000h${E}[?1006h${E}[?2004h${E}[>4;2m${E}=${E}[?1hok`, 'ok'],
    ['erasing the scrollback', `${E}[3Jok`, 'ok'],
    ['cursor styles, tab stops, 8-bit controls, charset switching', `${E}[2 q${E}[3g${E}H${E} G${E}%Gok`, 'ok'],
    ['BEL, DEL, NUL and bidi controls', `\u0007o\u007f\u0000\u202ek\u2066`, 'ok'],
    ['concealed text (SGR 8) is shown, colours kept', `${E}[1;8;38;5;8mx${E}[8my`, `${E}[1;38;5;8mxy`],
  ])('drops %s', (_name, input, output) => {
    expect(through(input)).toBe(output);
  });

  it.each([
    ['cursor movement, erases, colours, scroll regions', `${E}[2J${E}[H${E}[1;31mred${E}[0m${E}[5;10r${E}[2K${E}[3@${E}[?25l`],
    ['the alternate screen, origin mode, autowrap, insert mode', `${E}[?1049h${E}[?6h${E}[?7l${E}[4h${E}[4l${E}[?1049l`],
    ['line drawing and saved cursors', `${E}(0lqk${E}(B${E}7${E}8${E}M${E}#8`],
  ])('keeps %s', (_name, input) => {
    expect(through(input)).toBe(input);
  });

  it('reads C1 CSI as ESC [, clamps counts that make a terminal loop, replaces a full reset', () => {
    expect(through('\u009b2J')).toBe(`${E}[2J`);
    expect(through(`${E}[99999999S${E}[4000000000b`)).toBe(`${E}[24S${E}[80b`);
    const f = filter();
    expect(f.feed(`${E}[?1049hx${E}c`)).toBe(`${E}[?1049hx${E}[?1049l${E}[r${E}[?6l${E}[0m${E}[4l${E}[?7h${E}[?25h${E}(B${E})B\u000f${E}[H${E}[2J`);
    expect(f.dropped.get('full reset (replaced)')).toBe(1);
  });

  it('restore() leaves the alternate screen, shows the cursor and resets what the recording changed', () => {
    const f = filter();
    f.feed(`${E}[?1049h${E}[?25l${E}[5;10r${E}(0`);
    expect(f.restore()).toBe(`${E}[?1049l${E}[r${E}[?6l${E}[999;1H${E}[0m${E}[4l${E}[?7h${E}[?25h${E}(B${E})B\u000f\r\n`);
    expect(filter().restore()).toBe(`${E}[0m${E}[4l${E}[?7h${E}[?25h${E}(B${E})B\u000f\r\n`);
  });

  // Everything the filter writes is one of the sequences it keeps, however the input is
  // made and cut between events.
  const KEPT =
    /^(?:[^\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\b-\u000f]|\u001b\[[\d;:]*[ABCDEFGHfdea`JKX@PLMSTrsumbIZ]|\u001b\[\?[\d;]*[hlJK]|\u001b\[4[hl]|\u001b\[!p|\u001b[78DEM]|\u001b[()][AB0]|\u001b#[34568])*$/;
  const pieces = fc.constantFrom(
    E, '[', ']', 'P', '\\', '\u0007', '\u009b', '\u009d', '\u0090', '\u009c', '?', '>', ';', ':', '1', '0', '52', '8', '25', '1049', 'h', 'l', 'm', 't', 'c', 'n', 'J', ' ', '!', 'p', 'q', '(', '%', 'G', '#', 'x', 'é', '\u202e', '\r', '\n', '\u0018',
  );
  const SEED = 7301;
  it(`lets nothing else through, whatever the input and wherever it is cut (seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 80 }), fc.array(fc.nat(), { maxLength: 6 }), (parts, cuts) => {
        const input = parts.join('');
        const whole = filter();
        const out = whole.feed(input) + whole.restore();
        expect(out).toMatch(KEPT);
        // Cut anywhere, the same output.
        const at = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
        const cut = filter();
        let pieced = '';
        let from = 0;
        for (const c of [...at, input.length]) {
          pieced += cut.feed(input.slice(from, c));
          from = c;
        }
        expect(pieced + cut.restore()).toBe(out);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe('keys', () => {
  it('arrow keys are whole sequences: a typed capital A-D does not seek', () => {
    const keys = new KeyReader();
    expect(keys.read('ABCD').map((k) => k.name)).toEqual(['other', 'other', 'other', 'other']);
    expect(keys.read(`${E}[C${E}[D${E}OC${E}[1;2D${E}[A`)).toEqual([
      { name: 'seek', seconds: 5 },
      { name: 'seek', seconds: -5 },
      { name: 'seek', seconds: 5 },
      { name: 'seek', seconds: -60 },
      { name: 'other' },
    ]);
    // A sequence cut between two reads is still one key.
    expect(keys.read(E)).toEqual([]);
    expect(keys.read('[C')).toEqual([{ name: 'seek', seconds: 5 }]);
    expect(keys.read(' .q\u0003').map((k) => k.name)).toEqual(['pause', 'step', 'quit', 'interrupt']);
  });

  it('--idle-limit shortens pauses before --speed applies', () => {
    expect(playTimes([0.5, 1, 31, 32.5, 100], 2)).toEqual([0.5, 1, 3, 4.5, 6.5]);
    expect(playTimes([1, 3])).toEqual([1, 3]);
  });
});

/** A terminal for an in-process run: stdout a TTY, stdin one whose raw mode is recorded. */
function terminal() {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, raw: [] as boolean[], setRawMode(on: boolean) {
    this.raw.push(on);
    return this;
  } });
  const chunks: string[] = [];
  const stdout = Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk.toString('utf8'));
        cb();
      },
    }),
    { isTTY: true, columns: 100, rows: 30 },
  );
  return { stdin, stdout, text: () => chunks.join('') };
}

const SOCKET = '0b6e8f2e-2f36-4a0c-9c1e-5d1f3e7a9b10';
const SESSION = 'a0000000-0000-4000-8000-0000000000aa';

function castOf(events: Array<[number, string]>, size = { width: 80, height: 24 }): string {
  return [JSON.stringify({ version: 2, ...size, timestamp: 1795168800 }), ...events.map(([t, d]) => JSON.stringify([t, 'o', d]))].join('\n');
}

describe('b0s replay --play in-process', () => {
  let server: TestServer;
  let body = '';
  beforeAll(async () => {
    server = await startServer();
    server.handle((req, res) => {
      if (req.url?.includes('/session_log')) return void res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ session_id: SESSION, socket_id: SOCKET, start_time: '2026-11-20T10:00:00Z', recordings: [{ recording_id: 'r1', recording_type: 'asciinema', start_time: '2026-11-20T10:00:00Z' }] }),
      );
    });
  });
  afterAll(() => server.close());
  const env = { BORDER0_API: '', BORDER0_ADMIN_TOKEN: 'play-token' };
  const play = (args: string[], t = terminal(), opts: Parameters<typeof b0s>[1] = {}) =>
    b0s(['replay', SOCKET, SESSION, '--play', ...args], { env: { ...env, BORDER0_API: server.url }, stdout: t.stdout, stdin: t.stdin, tty: { stderr: true }, ...opts });

  it('refuses when stdout is not a terminal (exit 2), before any request', async () => {
    const r = await b0s(['replay', SOCKET, SESSION, '--play'], { env: { ...env, BORDER0_API: server.url } });
    expect([r.code, r.stderr]).toEqual([2, 'b0s: --play plays the recording in a terminal, and stdout is not one; to save it, use --format asciicast -O FILE\n']);
    expect(server.requests).toEqual([]);
  });

  it('plays every event in order, through the filter, and puts the terminal back at the end', async () => {
    body = castOf([
      [0.5, `${E}]0;pwned\u0007${E}[?25lone\r\n`],
      [1.5, `${E}[?1049htwo\r\n`],
      [30, 'three\r\n'],
    ]);
    const t = terminal();
    const r = await play(['--speed', '2', '--idle-limit', '1'], t);
    expect(r.code).toBe(0);
    const out = t.text();
    expect(out).not.toContain(`${E}]`);
    expect(out.indexOf('one')).toBeLessThan(out.indexOf('two'));
    expect(out.indexOf('two')).toBeLessThan(out.indexOf('three'));
    expect(out.endsWith(`${E}[?1049l${E}[0m${E}[4l${E}[?7h${E}[?25h${E}(B${E})B\u000f\r\n`)).toBe(true);
    expect(t.stdin.raw).toEqual([true, false]);
    expect(r.stderr).toMatch(/Playing r1 \(asciinema\) \(0:03 long, at 2x, pauses over 1 s shortened\): Space pauses/);
    expect(r.stderr).toContain('Played to the end (0:03). Held back from your terminal: OSC ×1.');
  });

  it('Space pauses, . steps one event, q quits: what played is what the keys allowed', async () => {
    body = castOf([
      [0.1, 'one\r\n'],
      [10, 'two\r\n'],
      [20, 'three\r\n'],
      [30, 'four\r\n'],
    ]);
    const t = terminal();
    // 10x faster than real time: "two" is due a second after "one".
    const running = play([], t, { speedup: 10 });
    while (!t.text().includes('one')) await delay(2);
    t.stdin.write(' ');
    // Paused: two seconds here are 20 s of the recording, time for "two" and "three".
    await delay(2000);
    expect(t.text()).not.toContain('two');
    t.stdin.write('.');
    while (!t.text().includes('two')) await delay(2);
    t.stdin.write('q');
    const r = await running;
    expect(r.code).toBe(0);
    expect(t.text()).not.toContain('three');
    expect(r.stderr).toContain('Stopped at 0:10 of 0:30.');
    expect(t.stdin.raw).toEqual([true, false]);
  });

  it('→ seeks forward, ← seeks back by playing again from a blank screen', async () => {
    body = castOf([
      [0.1, 'one\r\n'],
      [100, 'two\r\n'],
      [200, 'three\r\n'],
    ]);
    const t = terminal();
    const running = play([], t, { speedup: 20 });
    while (!t.text().includes('one')) await delay(2);
    // Paused at 0:00: 20 times → is 100 s.
    t.stdin.write(` ${`${E}[C`.repeat(20)}`);
    while (!t.text().includes('two')) await delay(2);
    t.stdin.write(`${E}[1;2D`);
    while (t.text().split('one').length < 3) await delay(2);
    t.stdin.write('q');
    const r = await running;
    expect(r.code).toBe(0);
    expect(t.text()).not.toContain('three');
    // 100 s forward and 60 back from where Space paused it, early in the recording.
    const [, m, sec] = /Stopped at (\d+):(\d\d) of 3:20\./.exec(r.stderr) ?? [];
    const at = Number(m) * 60 + Number(sec);
    expect(at).toBeGreaterThanOrEqual(40);
    expect(at).toBeLessThan(140);
  });

  it('Ctrl-C is exit 130, a stop signal exit 143, a failing terminal exit 1: the terminal is put back each time', async () => {
    body = castOf([
      [0.1, `${E}[?1049h${E}[?25lone\r\n`],
      [100, 'two\r\n'],
    ]);
    const restored = `${E}[?1049l${E}[0m${E}[4l${E}[?7h${E}[?25h${E}(B${E})B\u000f\r\n`;

    const t = terminal();
    const ctrlC = play([], t);
    while (!t.text().includes('one')) await delay(2);
    t.stdin.write('\u0003');
    expect((await ctrlC).code).toBe(130);
    expect(t.text().endsWith(restored)).toBe(true);
    expect(t.stdin.raw).toEqual([true, false]);

    const t2 = terminal();
    const stop = new AbortController();
    const term = play([], t2, { signal: stop.signal });
    while (!t2.text().includes('one')) await delay(2);
    stop.abort(new CancelledError('stopped by SIGTERM', 'SIGTERM'));
    expect((await term).code).toBe(143);
    expect(t2.text().endsWith(restored)).toBe(true);
    expect(t2.stdin.raw).toEqual([true, false]);

    // A terminal that fails under b0s (EIO: it went away), at the second event.
    body = castOf([
      [0.1, `${E}[?1049h${E}[?25lone\r\n`],
      [100, 'two\r\n'],
      [200, 'three\r\n'],
    ]);
    const t3 = terminal();
    let writes = 0;
    const failing = Object.assign(
      new Writable({
        write(_chunk, _enc, cb) {
          cb(++writes > 2 ? Object.assign(new Error('i/o error'), { code: 'EIO', errno: -5 }) : null);
        },
      }),
      { isTTY: true, columns: 100, rows: 30 },
    );
    const r = await play([], { ...t3, stdout: failing });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/b0s:.* cannot write the output: i\/o error\n$/);
    expect(r.stderr).not.toMatch(/Played|Stopped/);
    expect(t3.stdin.raw).toEqual([true, false]);
  });

  it('a recording larger than the terminal: says so, and q declines to play it', async () => {
    body = castOf([[0.1, 'wide\r\n']], { width: 200, height: 60 });
    const t = terminal();
    const running = play([], t);
    await delay(50);
    t.stdin.write('q');
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('is 200x60, larger than this terminal (100x30): lines will wrap or scroll');
    expect(t.text()).not.toContain('wide');
    expect(t.stdin.raw).toEqual([true, false]);
  });
});
