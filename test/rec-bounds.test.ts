// A recording is written by the user whose session it is: whatever it holds, rendering
// it ends, in work proportional to its size, within a bounded amount of memory, and
// stops when asked. These tests assert on what the renderer did (the text, the work it
// counted, the error it gave), never on how long it took.
import { describe, expect, it } from 'vitest';
import { CancelledError, FormatError } from '../src/errors';
import { decodeRecordingBody, MAX_GUNZIPPED_BYTES, renderTerminal, type Asciicast, type AsciicastEvent } from '../src/recording';
import { CsiGuard } from '../src/recording/csi-guard';
import { gzipOf } from './helpers/gzip';

const outputs = (width: number, height: number, out: string[]): Asciicast => ({
  header: { version: 2, width, height },
  events: out.map((o, i): AsciicastEvent => [i, 'o', o]),
});

async function formatError(p: Promise<unknown>): Promise<FormatError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FormatError);
  return err as FormatError;
}


describe('time: linear in the recording', () => {
  it('a sequence padded with 160,000 ignored DEL characters is read once', async () => {
    const guard = new CsiGuard(() => ({ cols: 80, rows: 24 }));
    expect(guard.feed(`\u001b[${'\u007f'.repeat(160_000)}A`)).toBe('\u001b[A');
    const r = await renderTerminal(outputs(80, 24, ['one\r\ntwo', `\u001b[${'\u007f'.repeat(160_000)}A`, '\rONE\r\n']));
    expect(r.text).toBe('ONE\ntwo');
  });

  it('an unfinished sequence fed one byte per event is held once, not copied per event', async () => {
    const digits = Array.from({ length: 200_000 }, () => '9');
    // Scroll up 999... lines, clamped to the screen's 24: the first line goes, and is listed.
    const r = await renderTerminal(outputs(80, 24, ['kept line\r\n', '\u001b[', ...digits, 'S', 'end']));
    expect(r.text).toBe('\nend');
    expect(r.hidden.texts).toEqual(['kept line']);
    // 200,000 events cost what 200,000 characters do, not 200,000 times the sequence so far.
    expect(r.work).toBeLessThan(200_000 * 100);
  });

  it('80,000 hidden lines are all found, each compared with the dump once', async () => {
    const n = 80_000;
    const r = await renderTerminal(outputs(80, 24, Array.from({ length: n }, (_, i) => `secret command ${i}\rok                     \r\n`)));
    expect(r.hidden.total).toBe(n);
    expect(r.hidden.texts[0]).toBe('secret command 0');
    expect(r.hidden.texts[n - 1]).toBe(`secret command ${n - 1}`);
    expect(r.text.split('\n')).toHaveLength(n);
  });

  it('the work counted grows with the recording, not faster', async () => {
    const session = (n: number) => outputs(80, 24, Array.from({ length: n }, (_, i) => `$ ls\r\nfile-${i}\r\n\u001b[1A\r\u001b[Kdone ${i}\r\n\u001b[H\u001b[2J`));
    const small = await renderTerminal(session(2000));
    const large = await renderTerminal(session(8000));
    expect(large.work / small.work).toBeGreaterThan(3.5);
    expect(large.work / small.work).toBeLessThan(4.5);
  });
});

describe('time: a work budget', () => {
  // Seconds of deliberate work by design (the budget counts work, not time): room for a busy machine.
  it('50,000 screen alignment tests (ESC#8) on a 1000x500 screen stop with a clear error, under the default budget', async () => {
    const err = await formatError(renderTerminal(outputs(1000, 500, Array.from({ length: 50_000 }, () => '\u001b#8'))));
    expect(err.message).toMatch(/^recording is too costly to show as text: .*b0s stopped at about event [\d,]+ of its 50,000\); use --format raw -O FILE for the recording as sent, or --format asciicast to play it$/);
    const at = Number(/about event ([\d,]+)/.exec(err.message)![1]!.replace(/,/g, ''));
    expect(at).toBeLessThan(50_000);
  }, 60_000);

  it('thousands of alternate-screen switches or resizes stop too', async () => {
    const budget = { workBudget: 200_000_000 };
    const toggles = outputs(1000, 500, Array.from({ length: 20_000 }, (_, i) => (i % 2 ? '\u001b[?1049l' : '\u001b[?1049hx')));
    expect((await formatError(renderTerminal(toggles, budget))).message).toMatch(/too costly.*of its 20,000\)/);
    const resizes: Asciicast = { header: { version: 2, width: 1000, height: 500 }, events: Array.from({ length: 5000 }, (_, i): AsciicastEvent => [i, 'r', i % 2 ? '1000x500' : '999x499']) };
    expect((await formatError(renderTerminal(resizes, budget))).message).toMatch(/too costly.*of its 5,000\)/);
  });

  it('an ordinary session of the same size is well within the budget', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `user@host:~$ ls -la /var/log/app-${i}\r\n-rw-r--r-- 1 root root 4096 Nov 20 app.log\r\n`);
    const r = await renderTerminal(outputs(1000, 500, lines));
    expect(r.text.split('\n')).toHaveLength(40_000);
  });
});

describe('stopping when asked', () => {
  it('checks the signal between chunks while rendering, and stops with its reason', async () => {
    let checks = 0;
    const reason = new CancelledError('interrupted');
    // Aborted once rendering is well under way: after the signal has been looked at 50 times.
    const signal = {
      get aborted() {
        return ++checks > 50;
      },
      reason,
    } as unknown as AbortSignal;
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i}\r\n`);
    await expect(renderTerminal(outputs(80, 24, lines), { signal })).rejects.toBe(reason);
    expect(checks).toBeGreaterThan(50);
  });
});

describe('memory: bounded', () => {
  it(`a small gzip that would inflate to 100 MB of one event stops at ${MAX_GUNZIPPED_BYTES / 1024 / 1024} MiB with a clear error`, async () => {
    const bomb = await gzipOf('{"version":2,"width":80,"height":24}\n[0.1,"o","', 100 * 1024 * 1024, '"]\n');
    expect(bomb.length).toBeLessThan(1024 * 1024);
    let err: unknown;
    try {
      decodeRecordingBody(bomb);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toBe('recording is larger than 64 MiB once decompressed, more than b0s decompresses; use --format raw -O FILE to save it as sent (compressed)');
  });

  it('one output event of more than 8 MiB is refused, naming the event', async () => {
    const rec = outputs(80, 24, ['ok\r\n', 'x'.repeat(9 * 1024 * 1024)]);
    expect((await formatError(renderTerminal(rec))).message).toMatch(/^recording event 2 holds 9 MiB of text, more than b0s renders at once \(8 MiB\); use --format raw -O FILE/);
  });

  it('hidden text kept is capped; the rest is still counted', async () => {
    // 20,000 distinct lines of ~260 characters overwritten: more than the 4 MiB kept.
    const n = 20_000;
    const pad = 'x'.repeat(250);
    const r = await renderTerminal(outputs(300, 24, Array.from({ length: n }, (_, i) => `secret ${pad} ${i}\r\u001b[2Kok\r\n`)));
    expect(r.hidden.total).toBe(n);
    expect(r.hidden.texts.length).toBeLessThan(n);
    expect(r.hidden.texts.reduce((sum, t) => sum + t.length, 0)).toBeLessThanOrEqual(4 * 1024 * 1024);
  });
});
