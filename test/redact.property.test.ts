// Property: whatever a token holds and however a server encodes it (JSON escapes of any
// style, percent-encoding, HTML references, base64, hex, one inside another), redaction
// leaves no trace of it, and any long piece of it makes the text unshowable.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactor } from '../src/api/redact';
import { tokenLeaks } from './helpers/secrets';

const SEED = 20_260_811;

const hex = (c: string, upper: boolean) => {
  const h = c.charCodeAt(0).toString(16).padStart(2, '0');
  return upper ? h.toUpperCase() : h;
};
const u = (c: string, upper: boolean) => `\\u${hex(c, upper).padStart(4, '0')}`;
const jsonInner = (s: string) => JSON.stringify(s).slice(1, -1);

type Encoder = (s: string, pick: (i: number) => boolean) => string;

/** What an application does to the token before it puts it in a message. */
const INNER: Record<string, Encoder> = {
  none: (s) => s,
  base64: (s, pick) => Buffer.from(`${'x'.repeat([0, 1, 2].find((n) => pick(n)) ?? 0)}${s}`).toString('base64'),
  base64url: (s) => Buffer.from(`:${s}`).toString('base64url'),
  hex: (s, pick) => [...s].map((c) => hex(c, pick(0))).join(''),
  encodeURIComponent: (s) => encodeURIComponent(s),
  'percent, every character': (s, pick) => [...s].map((c, i) => `%${hex(c, pick(i))}`).join(''),
  'HTML references': (s, pick) => [...s].map((c, i) => (pick(i) ? `&#${c.charCodeAt(0)};` : `&#x${hex(c, pick(i + 1))};`)).join(''),
  'HTML escaping': (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
};

/** How the message is then serialised. */
const OUTER: Record<string, Encoder> = {
  none: (s) => s,
  'JSON.stringify': jsonInner,
  'JSON, every character \\u-escaped': (s, pick) => [...s].map((c, i) => u(c, pick(i))).join(''),
  'JSON, some characters \\u-escaped': (s, pick) => [...s].map((c, i) => (pick(i) ? u(c, pick(i + 1)) : jsonInner(c))).join(''),
  'JSON, Go style': (s) => jsonInner(s).replace(/\//g, '\\/').replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026'),
  encodeURIComponent: (s) => encodeURIComponent(s),
  'percent, every character': (s, pick) => [...s].map((c, i) => `%${hex(c, pick(i))}`).join(''),
  'HTML escaping': (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
};

const printable = fc.integer({ min: 0x21, max: 0x7e }).map((n) => String.fromCharCode(n));
const token = fc.string({ unit: printable, minLength: 20, maxLength: 80 });
const encoding = fc.record({
  inner: fc.constantFrom(...Object.keys(INNER)),
  outer: fc.constantFrom(...Object.keys(OUTER)),
  choices: fc.array(fc.boolean(), { minLength: 1, maxLength: 64 }),
});
// Text around the token that cannot start or finish an escape of its own.
const safe = fc.string({ unit: fc.constantFrom(...'abcXYZ019 .,:;!?()[]{}-_=*#@'.split('')), maxLength: 30 });

function encode(s: string, e: { inner: string; outer: string; choices: boolean[] }): string {
  const pick = (i: number) => e.choices[i % e.choices.length] ?? false;
  return (OUTER[e.outer] as Encoder)((INNER[e.inner] as Encoder)(s, pick), pick);
}

const opts = { seed: SEED, numRuns: 400 };

describe(`redaction (property, seed ${SEED})`, () => {
  it('no trace of the token is left, however it was encoded and whatever surrounds it', () => {
    fc.assert(
      fc.property(token, encoding, fc.string(), fc.string(), (t, e, before, after) => {
        const text = `${before}${encode(t, e)}${after}`;
        const r = redactor(t);
        const scrubbed = r.scrub(text);
        expect(tokenLeaks(scrubbed, [t]), `seed ${SEED}: ${e.inner} then ${e.outer}: ${scrubbed}`).toEqual([]);
        // Either the token was cut out, or what is left is refused as a whole.
        expect(scrubbed !== text || r.holdsPart(text), `seed ${SEED}: ${text}`).toBe(true);
      }),
      opts,
    );
  });

  it('a piece of the token (12 characters or more), however encoded, makes the text unshowable', () => {
    fc.assert(
      fc.property(token, fc.nat(), fc.integer({ min: 12, max: 80 }), encoding, safe, safe, (t, start, length, e, before, after) => {
        const from = start % (t.length - 11);
        const piece = t.slice(from, from + length);
        const text = `${before}${encode(piece, e)}${after}`;
        expect(redactor(t).holdsPart(text), `seed ${SEED}: ${e.inner} then ${e.outer}: ${text}`).toBe(true);
      }),
      opts,
    );
  });

  it('text without the token is left alone and shown', () => {
    fc.assert(
      fc.property(token, fc.string(), (t, text) => {
        fc.pre(!text.includes(t.slice(0, 12)));
        const r = redactor(t);
        expect(r.scrub(text)).toBe(text);
      }),
      opts,
    );
  });
});
