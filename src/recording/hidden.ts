// Text a terminal recording showed and then took off the screen before it could reach
// the dump: written over, erased, deleted, scrolled out of a scroll region. The
// renderer hands every such line here as it is lost; once the dump is complete, the
// ones it does not show are the hidden text that `b0s replay` lists.
//
// A lost line counts as shown when its words, in order, begin a line of the dump: the
// same line redrawn (a shell repainting its prompt), a progress bar whose numbers
// moved on (`Downloading 45%` then `Downloading 100%`), a line that grew
// (`Receiving objects` then `Receiving objects ... done`). Words are runs of letters,
// so numbers and bar characters never make a line look different; a line without two
// letters has nothing to hide and is not kept.

export interface Overwritten {
  /** Each distinct hidden line, in the order it was lost. */
  texts: string[];
  /** How many there were in all (with any past the memory cap, not compared). */
  total: number;
}

// Bounded whatever the recording does; beyond this, lost lines are counted, not kept.
const MAX_KEPT_CHARS = 4 * 1024 * 1024;
const MAX_KEPT = 100_000;

const WORD = /\p{L}+/gu;
const LETTER = /\p{L}/gu;

function hasTwoLetters(text: string): boolean {
  let n = 0;
  for (const _ of text.matchAll(LETTER)) if (++n === 2) return true;
  return false;
}

/** The words of a line, one space apart: what must survive for it to count as shown. */
export function wordsOf(line: string): string {
  return (line.match(WORD) ?? []).join(' ');
}

export class LostLines {
  private readonly seen = new Set<string>();
  private readonly kept: string[] = [];
  private chars = 0;
  private dropped = 0;

  add(line: string): void {
    const text = line.trimEnd();
    if (this.seen.has(text) || !hasTwoLetters(text)) return;
    if (this.kept.length >= MAX_KEPT || this.chars + text.length > MAX_KEPT_CHARS) {
      this.dropped++;
      return;
    }
    this.seen.add(text);
    this.kept.push(text);
    this.chars += text.length;
  }

  /** The lost lines the dump does not show. `dump` is the dump's lines. */
  hiddenFrom(dump: readonly string[]): Overwritten {
    if (this.kept.length === 0) return { texts: [], total: this.dropped };
    // Sorted, every line that begins with given words sits at or just after where
    // those words would go: one binary search per lost line, however long the dump.
    const sorted = dump.map(wordsOf).sort();
    const texts = this.kept.filter((t) => !startsAny(sorted, wordsOf(t)));
    return { texts, total: texts.length + this.dropped };
  }
}

function startsAny(sorted: readonly string[], prefix: string): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo]!.startsWith(prefix);
}
