// The keys `replay --play` answers to, read from a terminal in raw mode. A key that is
// not a plain character arrives as an escape sequence (→ is `ESC [ C`, or `ESC O C` when
// the terminal is in application cursor mode; Shift+→ is `ESC [ 1 ; 2 C`), and a
// sequence is only a key once it is whole: reading keys by their last byte (as some
// players do) makes a typed capital C a seek. Sequences are read whole within each
// chunk of input, which is how a terminal sends them; an ESC that ends a chunk waits
// for the next one, and is the Esc key alone if that does not continue it.

export type Key =
  | { name: 'pause' }
  | { name: 'step' }
  | { name: 'seek'; seconds: number }
  | { name: 'quit' }
  | { name: 'interrupt' }
  | { name: 'other' };

/** Seconds an arrow key seeks; with Shift, Alt or Ctrl it seeks further. */
export const SEEK_SECONDS = 5;
export const SEEK_FAR_SECONDS = 60;

export class KeyReader {
  private held = '';

  /** The keys in a chunk of input. */
  read(chunk: string): Key[] {
    let data = this.held + chunk;
    this.held = '';
    const keys: Key[] = [];
    let i = 0;
    while (i < data.length) {
      const ch = data[i]!;
      if (ch !== '\u001b') {
        keys.push(plain(ch));
        i++;
        continue;
      }
      if (i === data.length - 1) {
        // Maybe the start of a sequence cut between chunks.
        this.held = ch;
        break;
      }
      const end = sequenceEnd(data, i);
      if (end < 0) {
        // An unfinished sequence: wait for the rest, unless it is absurdly long.
        if (data.length - i < 32) this.held = data.slice(i);
        break;
      }
      keys.push(sequenceKey(data.slice(i, end)));
      i = end;
    }
    data = '';
    return keys;
  }

  /** Called when no more input follows soon: a held ESC was the Esc key. */
  flush(): Key[] {
    const had = this.held !== '';
    this.held = '';
    return had ? [{ name: 'other' }] : [];
  }
}

function plain(ch: string): Key {
  switch (ch) {
    case ' ':
      return { name: 'pause' };
    case '.':
      return { name: 'step' };
    case 'q':
    case 'Q':
      return { name: 'quit' };
    case '\u0003':
      return { name: 'interrupt' };
    default:
      return { name: 'other' };
  }
}

/** Where the escape sequence starting at `start` ends (exclusive), or -1 if unfinished. */
function sequenceEnd(data: string, start: number): number {
  const kind = data[start + 1];
  if (kind === '[') {
    // CSI: parameters and intermediates, then a final byte.
    for (let j = start + 2; j < data.length; j++) {
      const c = data.charCodeAt(j);
      if (c >= 0x40 && c <= 0x7e) return j + 1;
      if (c < 0x20 || c > 0x3f) return j; // malformed: stop before it
    }
    return -1;
  }
  if (kind === 'O') return start + 3 <= data.length ? start + 3 : -1;
  // ESC and one character: Alt plus that key.
  return start + 2;
}

function sequenceKey(seq: string): Key {
  // ESC [ C, ESC O C, or with modifiers ESC [ 1 ; 2 C.
  const m = /^\u001b(?:\[(?:1;(\d+))?|O)([ABCD])$/.exec(seq);
  if (!m) return { name: 'other' };
  const modified = m[1] !== undefined && m[1] !== '1';
  const step = modified ? SEEK_FAR_SECONDS : SEEK_SECONDS;
  switch (m[2]) {
    case 'C':
      return { name: 'seek', seconds: step };
    case 'D':
      return { name: 'seek', seconds: -step };
    default:
      return { name: 'other' };
  }
}
