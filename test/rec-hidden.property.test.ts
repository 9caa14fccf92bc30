// The replay's promise about terminal recordings, checked on random ones: whatever a
// recording does with the cursor, scroll regions, line and character deletion, erases,
// the alternate screen, resets and resizes, every word it printed is in the screen
// text or in the hidden section. Nothing printed can vanish without a trace.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTerminal, type Asciicast, type AsciicastEvent } from '../src/recording';

// Fixed, so a failure is the same on every machine; fast-check prints it with the
// shrunk counterexample, and it is repeated here for the report.
const SEED = 8_2026_11;

type Op =
  | { token: true; at: number }
  | { raw: string }
  | { resize: [number, number] }
  | { alt: boolean };

const n = fc.integer({ min: 1, max: 6 });
const row = fc.integer({ min: 1, max: 30 });
const col = fc.integer({ min: 1, max: 100 });

const raw = fc.oneof(
  fc.constantFrom('\r', '\n', '\r\n', '\b', '\t', '\u001bM', '\u001bD', '\u001bE', '\u001b#8', '\u001bc', '\u001b7', '\u001b8', '\u001b[r', '\u001b[!p'),
  fc.constantFrom('\u001b[K', '\u001b[1K', '\u001b[2K', '\u001b[J', '\u001b[1J', '\u001b[2J', '\u001b[4h', '\u001b[4l', '\u001b[?6h', '\u001b[?6l', '\u001b[?7l', '\u001b[?7h'),
  fc.tuple(n, fc.constantFrom('A', 'B', 'C', 'D', 'G', 'M', 'L', 'P', 'X', '@', 'S', 'T', ' @', ' A', "'}", "'~", 'b')).map(([k, f]) => `\u001b[${k}${f}`),
  fc.tuple(row, col, fc.constantFrom('H', 'f')).map(([r, c, f]) => `\u001b[${r};${c}${f}`),
  fc.tuple(row, row).map(([a, b]) => `\u001b[${Math.min(a, b)};${Math.max(a, b)}r`),
);

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map((at): Op => ({ token: true, at })) },
  { weight: 8, arbitrary: raw.map((r): Op => ({ raw: r })) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 10, max: 100 }), fc.integer({ min: 2, max: 30 })).map((s): Op => ({ resize: s })) },
  { weight: 1, arbitrary: fc.boolean().map((alt): Op => ({ alt })) },
);

/** Distinct words, long enough that one is never part of another by chance. */
const words = fc.uniqueArray(fc.stringMatching(/^[a-z]{6,9}$/), { minLength: 40, maxLength: 40 });

function build(ops: Op[], tokens: string[], width: number, height: number): { rec: Asciicast; printed: string[] } {
  const events: AsciicastEvent[] = [];
  const printed: string[] = [];
  let cols = width;
  let alt = false;
  for (const o of ops) {
    if ('token' in o) {
      const word = tokens[printed.length % tokens.length]!;
      // At a column where it fits: a word cut by the edge of the screen was never seen whole.
      const at = 1 + Math.floor(o.at * Math.max(cols - word.length, 0));
      events.push([events.length, 'o', `\u001b[${at}G${word}`]);
      printed.push(word);
    } else if ('raw' in o) {
      events.push([events.length, 'o', o.raw]);
      if (o.raw === '\u001bc') alt = false;
    } else if ('resize' in o) {
      cols = o.resize[0];
      events.push([events.length, 'r', `${o.resize[0]}x${o.resize[1]}`]);
    } else if (o.alt !== alt) {
      events.push([events.length, 'o', o.alt ? '\u001b[?1049h' : '\u001b[?1049l']);
      alt = o.alt;
    }
  }
  return { rec: { header: { version: 2, width, height }, events }, printed };
}

describe('hidden text, on random recordings', () => {
  it(`every word printed is in the screen text or listed as hidden (fast-check seed ${SEED})`, async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), words, fc.integer({ min: 10, max: 100 }), fc.integer({ min: 2, max: 30 }), async (ops, tokens, width, height) => {
        runs++;
        const { rec, printed } = build(ops, tokens, width, height);
        const { text, hidden } = await renderTerminal(rec);
        const missing = printed.filter((w) => !text.includes(w) && !hidden.texts.some((h) => h.includes(w)));
        expect(missing, `seed ${SEED}: printed but neither shown nor listed as hidden`).toEqual([]);
      }),
      { seed: SEED, numRuns: 1000 },
    );
    expect(runs).toBeGreaterThanOrEqual(1000);
  });
});
