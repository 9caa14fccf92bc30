// src/text's fast pre-check must never let an unsafe character through unchecked.
import { describe, expect, it } from 'vitest';
import { inlineText, jsonText, MAYBE_UNSAFE } from '../src/text';

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}]/u;

describe('terminal-safe text', () => {
  it('the pre-check holds every unsafe character at or above DEL, over all of Unicode', () => {
    const missed: string[] = [];
    for (let cp = 0x7f; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      if (UNSAFE.test(ch) && !MAYBE_UNSAFE.test(ch)) missed.push(cp.toString(16));
    }
    expect(missed).toEqual([]);
  });

  it('escapes what it must and nothing else', () => {
    expect(inlineText('São Paulo 🇧🇷 世界')).toBe('São Paulo 🇧🇷 世界');
    expect(inlineText('a\u200bb\\c\u{E0041}')).toBe('a\\u200bb\\\\c\\u{e0041}');
    expect(JSON.parse(jsonText({ s: 'x\u2066y\u{E0041}' }))).toEqual({ s: 'x\u2066y\u{E0041}' });
    expect(jsonText({ s: 'x\u2066y' })).toBe('{"s":"x\\u2066y"}');
  });
});
