// Every way a terminal can take text off the screen, caught just before it happens.
//
// A recording can hide a command it printed without ever clearing the screen: write
// over it (after a carriage return, a backspace, or any cursor movement), erase part
// of a line or of the screen, delete characters or lines, shift columns out, scroll a
// region so its top line falls off, shrink the window. Rather than recognise tricks,
// b0s runs just before each operation xterm performs that can change a cell holding
// text, works out which rows it touches, and when one of them holds text that is about
// to change, hands that line over:
// - on the normal screen, to the lost lines (hidden.ts), which are compared with the
//   dump once it is complete;
// - on the alternate screen, to the dump itself (screen.ts), since there everything a
//   full-screen program shows is replaced sooner or later.
// Text scrolled into the scrollback, and screens erased whole, are not lost: the dump
// collects them (screen.ts). A line is handed over only when text written to it since
// it was last handed over is about to go, so a line written over in several steps is
// one lost line, not one per step.
//
// Line editing is not hiding: an output event made only of what a shell sends to edit
// the line being typed (typed characters, backspaces and erases over them as it echoes
// the backspace key, characters inserted mid-line) may change one word of the line it
// is on. If the line loses more than that, what it said before is a lost line like any
// other.

import type { IBuffer, IBufferCell, IBufferLine, Terminal as XTerm } from '@xterm/headless';
import { COST, type WorkBudget } from './budget';
import type { LostLines } from './hidden';
import type { ScreenCollector } from './screen';
import type { Internals, PrintFn, ScreenState } from './xterm';

// A wrapped line is joined back together to be compared with the dump's lines; one
// longer than this is taken in pieces.
const MAX_JOIN_ROWS = 100;

type Params = (number | number[])[];

function first(params: Params): number {
  return typeof params[0] === 'number' ? params[0] : 0;
}

/** A count parameter: missing or 0 means 1. */
function count(params: Params): number {
  return first(params) || 1;
}

function hasText(text: string): boolean {
  return text.trim() !== '';
}

/** Whether writing `next` over the cells that read `old` changes text that was there. */
function overwrites(old: string, next: string, cells: number): boolean {
  if (!hasText(old) || old === next) return false;
  // One UTF-16 unit per cell on both sides (narrow characters): compare cell by cell,
  // so that a line redrawn with more text after it is not a change.
  if (old.length !== cells || next.length !== cells) return true;
  for (let i = 0; i < cells; i++) {
    const was = old[i]!;
    if (was !== ' ' && was !== next[i]) return true;
  }
  return false;
}

/** Words (separated by spaces) of `before` that `after` no longer has. */
function wordsGone(before: string, after: string): number {
  const left = new Map<string, number>();
  for (const w of after.split(' ')) if (w !== '') left.set(w, (left.get(w) ?? 0) + 1);
  let gone = 0;
  for (const w of before.split(' ')) {
    if (w === '') continue;
    const n = left.get(w) ?? 0;
    if (n > 0) left.set(w, n - 1);
    else gone++;
  }
  return gone;
}

function isPrintable(c: number): boolean {
  return c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c <= 0x9f);
}

/**
 * Whether an output event is a shell editing the line being typed. It may hold only
 * typed characters, backspaces, and these, each in the place a line editor puts it:
 * - text then backspaces (`\b \b`; a line's tail reprinted, then the cursor back);
 * - an erase to the end of the line or a delete (`\x1b[K`, `\x1b[nP`) after a backspace or text;
 * - an insert (`\x1b[n@`, or insert mode `\x1b[4h`) just before the text inserted.
 * A hand-written scanner, so it stays linear.
 */
export function isLineEdit(data: string): boolean {
  let edits = 0;
  let prev: 'start' | 'text' | 'back' | 'sequence' = 'start';
  let i = 0;
  while (i < data.length) {
    const c = data.charCodeAt(i);
    if (c === 0x08) {
      while (data.charCodeAt(i) === 0x08) i++;
      if (prev === 'text') edits++;
      prev = 'back';
    } else if (c === 0x1b) {
      if (data.charCodeAt(i + 1) !== 0x5b) return false;
      let j = i + 2;
      while (data.charCodeAt(j) >= 0x30 && data.charCodeAt(j) <= 0x39) j++;
      const param = data.slice(i + 2, j);
      const final = data[j];
      const typedNext = isPrintable(data.charCodeAt(j + 1));
      if ((final === 'K' && (param === '' || param === '0')) || final === 'P') {
        if (prev !== 'text' && prev !== 'back') return false;
      } else if (final === '@' || (final === 'h' && param === '4')) {
        if (!typedNext) return false;
      } else if (!(final === 'l' && param === '4' && prev === 'text')) {
        return false;
      }
      edits++;
      prev = 'sequence';
      i = j + 1;
    } else if (isPrintable(c)) {
      prev = 'text';
      i++;
    } else {
      return false;
    }
  }
  return edits > 0;
}

// Cells written to a line since its text was last kept, as `from << 11 | to` (columns
// are at most 1000). No entry: all of it is new to b0s.
const SPAN = 11;
const NOTHING_NEW = 0;

type Which = 'active' | 'normal';

export class LossWatcher {
  private news = new WeakMap<object, number>();
  private editing = false;
  /** The line a run of line editing started from, by its buffer row. */
  private edit: { row: number; before: string; reported: boolean } | undefined;
  private readonly cell: IBufferCell;

  constructor(
    private readonly term: XTerm,
    private readonly internals: Internals,
    private readonly screen: ScreenCollector,
    private readonly lost: LostLines,
    private readonly budget: WorkBudget,
    private readonly stopped: () => boolean,
  ) {
    this.cell = term.buffer.normal.getNullCell();
    internals.wrapPrint((print, data, start, end) => this.print(print, data, start, end));
    internals.beforeScroll(() => this.beforeScroll());
    this.hookSequences();
  }

  /** The next output is line editing (isLineEdit), until endLineEdit. */
  startLineEdit(): void {
    this.editing = true;
  }

  /** If the edit took more than one word off the line, what the line said is lost. */
  endLineEdit(): void {
    this.editing = false;
    const c = this.edit;
    if (!c || c.reported) return;
    const now = this.lineText('normal', c.row, false);
    if (wordsGone(c.before, now) > 1) {
      c.reported = true;
      this.lost.add(c.before);
    }
  }

  /**
   * Before the window changes size. The alternate screen neither re-wraps nor keeps
   * anything, so it is copied out whole. The normal screen re-wraps its lines, but xterm
   * makes room for the extra rows of a narrower screen, and for fewer rows, by dropping
   * rows below the cursor, taking them for blank: they may not be.
   */
  beforeResize(cols: number, rows: number): void {
    if (this.term.buffer.active.type === 'alternate') this.screen.captureAltFrame();
    if (cols < this.term.cols || rows < this.term.rows) {
      const normal = this.term.buffer.normal;
      for (let y = normal.cursorY + 1; y < this.term.rows; y++) this.loseNormal(normal.baseY + y, 0, this.term.cols);
    }
    // Re-wrapping moves text between xterm's line objects.
    this.news = new WeakMap();
  }

  private print(print: PrintFn, data: Uint32Array, start: number, end: number): void {
    if (this.stopped()) return;
    if (!this.editing) this.edit = undefined;
    this.budget.spend((end - start) * COST.printed);
    const cols = this.term.cols;
    // One row at a time, so that text that wraps back onto a row (below the scroll
    // region, the last row is written over and over) is seen before each pass.
    for (let s = start; s < end; ) {
      const state = this.internals.state();
      const room = state.x >= cols ? cols : cols - state.x;
      let e = s;
      let cells = 0;
      while (e < end) {
        // Wide characters take two cells; counting every non-Latin one as wide only
        // makes a piece shorter.
        const w = data[e]! < 0x1100 ? 1 : 2;
        if (cells + w > room && e > s) break;
        cells += w;
        e++;
        if (cells >= room) break;
      }
      this.beforePrint(state, data, s, e, cells);
      print(data, s, e);
      s = e;
    }
  }

  private beforePrint(state: ScreenState, data: Uint32Array, s: number, e: number, cells: number): void {
    const cols = this.term.cols;
    let y = state.y;
    let x = state.x;
    if (!state.wraparound) {
      // Without autowrap, everything past the edge lands on the last cell.
      x = Math.min(x, cols - 1);
    } else if (x >= cols || cells > cols - x) {
      // The first character does not fit: what is left of the row is cleared, and it
      // goes on the next row (a new one if this is the bottom of the scroll region).
      if (x < cols && this.rowHasText(y, x, cols)) this.lose(y, x, cols);
      if (y === state.scrollBottom) return;
      y = Math.min(y + 1, this.term.rows - 1);
      x = 0;
    }
    const line = this.row(y);
    if (!line) return;
    if (state.insertMode) {
      // Characters move right (splitting a word), and those pushed past the edge are gone.
      if (this.rowHasText(y, x, cols)) this.lose(y, x, cols);
      this.moved(y);
      return;
    }
    let from = x;
    // On the right half of a wide character, printing erases the whole character.
    if (from > 0 && line.getCell(from - 1, this.cell)?.getWidth() === 2) from--;
    const to = Math.min(x + cells, cols);
    const old = line.translateToString(false, from, to);
    this.budget.read(old, to - from);
    // Most text lands on blank cells: only then is the new text worth comparing.
    if (hasText(old) && (from < x || overwrites(old, String.fromCodePoint(...data.subarray(s, e)), to - from))) this.lose(y, from, to);
    this.written(y, from, to);
  }

  private beforeScroll(): boolean {
    if (this.stopped()) return false;
    this.budget.spend(this.term.cols * COST.scrolled);
    const { scrollTop } = this.internals.state();
    // The top row of a region that does not start at the top of the screen, and any
    // row of the alternate screen (it has no scrollback), is dropped, not kept.
    if (scrollTop > 0 || this.term.buffer.active.type === 'alternate') this.lose(scrollTop, 0, this.term.cols);
    return true;
  }

  private hookSequences(): void {
    const parser = this.term.parser;
    const csi = (id: { prefix?: string; intermediates?: string; final: string }, before: (params: Params, state: ScreenState) => void) =>
      parser.registerCsiHandler(id, (params) => {
        if (this.stopped()) return true;
        before(params, this.internals.state());
        return false;
      });
    const esc = (id: { intermediates?: string; final: string }, before: (state: ScreenState) => void) =>
      parser.registerEscHandler(id, () => {
        if (this.stopped()) return true;
        before(this.internals.state());
        return false;
      });
    const cols = () => this.term.cols;
    const rows = () => this.term.rows;

    for (const prefix of [undefined, '?']) {
      // EL: erase to the end of the line, from its start, or all of it.
      csi({ prefix, final: 'K' }, (p, st) => {
        const x = Math.min(st.x, cols());
        const mode = first(p);
        if (mode === 0) this.loseCells(st.y, x, cols());
        else if (mode === 1) this.loseCells(st.y, 0, x + 1);
        else if (mode === 2) this.loseCells(st.y, 0, cols());
      });
      // ED: erase below, above, or all. The whole normal screen is collected in the
      // dump instead (screen.ts), as is the whole alternate screen.
      csi({ prefix, final: 'J' }, (p, st) => {
        const x = Math.min(st.x, cols());
        const mode = first(p);
        const whole = mode === 2 || (mode === 0 && x === 0 && st.y === 0);
        if (whole || mode === 3) return;
        if (mode === 0) {
          this.loseCells(st.y, x, cols());
          this.loseRows(st.y + 1, rows() - 1);
        } else if (mode === 1) {
          this.loseRows(0, st.y - 1);
          this.loseCells(st.y, 0, x + 1);
        }
      });
    }
    // ECH: characters erased at the cursor.
    csi({ final: 'X' }, (p, st) => {
      const x = Math.min(st.x, cols() - 1);
      this.loseCells(st.y, x, x + count(p));
    });
    // DCH, ICH: characters deleted at the cursor or blanks inserted there; either way
    // the rest of the line moves (joining or splitting words), and an insert pushes
    // characters off its end.
    for (const final of ['P', '@']) {
      csi({ final }, (_p, st) => {
        this.loseCells(st.y, Math.min(st.x, cols() - 1), cols());
        this.moved(st.y);
      });
    }
    // IL, DL: lines pushed off the bottom of the scroll region, or deleted.
    csi({ final: 'L' }, (p, st) => {
      if (st.y < st.scrollTop || st.y > st.scrollBottom) return;
      this.loseRows(Math.max(st.y, st.scrollBottom - count(p) + 1), st.scrollBottom);
    });
    csi({ final: 'M' }, (p, st) => {
      if (st.y < st.scrollTop || st.y > st.scrollBottom) return;
      this.loseRows(st.y, Math.min(st.scrollBottom, st.y + count(p) - 1));
    });
    // SU, SD: the scroll region moves up or down, its top or bottom lines fall off.
    csi({ final: 'S' }, (p, st) => this.loseRows(st.scrollTop, Math.min(st.scrollBottom, st.scrollTop + count(p) - 1)));
    csi({ final: 'T' }, (p, st) => this.loseRows(Math.max(st.scrollTop, st.scrollBottom - count(p) + 1), st.scrollBottom));
    // SL, SR (from the left edge) and DECIC, DECDC (from the cursor): columns shift in
    // every row of the scroll region, moving the text there; some fall off.
    const shifts = [[' ', '@', false], [' ', 'A', false], ["'", '}', true], ["'", '~', true]] as const;
    for (const [intermediates, final, fromCursor] of shifts) {
      csi({ intermediates, final }, (_p, st) => {
        if (st.y < st.scrollTop || st.y > st.scrollBottom) return;
        for (let y = st.scrollTop; y <= st.scrollBottom; y++) {
          this.loseCells(y, fromCursor ? st.x : 0, cols());
          this.moved(y);
        }
      });
    }
    // RI at the top of the scroll region: its bottom line falls off.
    esc({ final: 'M' }, (st) => {
      if (st.y === st.scrollTop) this.loseRows(st.scrollBottom, st.scrollBottom);
    });
    // DECALN: the whole screen filled with E.
    esc({ intermediates: '#', final: '8' }, () => {
      this.loseRows(0, rows() - 1);
      for (let y = 0; y < rows(); y++) this.moved(y);
    });
  }

  private row(y: number): IBufferLine | undefined {
    const buf = this.term.buffer.active;
    return buf.getLine(buf.baseY + y);
  }

  private rowHasText(y: number, from: number, to: number): boolean {
    if (from >= to) return false;
    const text = this.row(y)?.translateToString(true, from, to) ?? '';
    this.budget.read(text, to - from);
    return hasText(text);
  }

  private loseCells(y: number, from: number, to: number): void {
    const cols = this.term.cols;
    this.budget.spend(cols * COST.cell);
    const a = Math.max(from, 0);
    const b = Math.min(to, cols);
    if (this.rowHasText(y, a, b)) this.lose(y, a, b);
  }

  private loseRows(from: number, to: number): void {
    const cols = this.term.cols;
    for (let y = Math.max(from, 0); y <= Math.min(to, this.term.rows - 1); y++) {
      this.budget.spend(cols * COST.cell);
      this.lose(y, 0, cols);
    }
  }

  /** Cells `from` to `to` of screen row `y`, in the active buffer, are about to lose their text. */
  private lose(y: number, from: number, to: number): void {
    const buf = this.term.buffer.active;
    const row = buf.baseY + y;
    if (!this.isNew('active', row, from, to)) return;
    if (buf.type === 'alternate') {
      const text = buf.getLine(row)?.translateToString(true).trimEnd() ?? '';
      this.budget.read(text, this.term.cols);
      this.keep('active', row, row);
      if (hasText(text)) this.screen.altLost(y, text);
      return;
    }
    if (this.editing && y === this.internals.state().y) {
      if (this.edit?.row !== row) this.edit = { row, before: this.lineText('normal', row), reported: false };
      return;
    }
    this.loseNormal(row, from, to);
  }

  private loseNormal(row: number, from: number, to: number): void {
    if (!this.isNew('normal', row, from, to)) return;
    const text = this.lineText('normal', row);
    if (hasText(text)) this.lost.add(text);
  }

  /** The line that buffer row `row` is part of, rows the terminal wrapped joined again; kept unless told. */
  private lineText(which: Which, row: number, keep = true): string {
    const buf: IBuffer = which === 'normal' ? this.term.buffer.normal : this.term.buffer.active;
    let start = row;
    while (start > 0 && row - start < MAX_JOIN_ROWS && buf.getLine(start)?.isWrapped) start--;
    let end = row;
    while (end - row < MAX_JOIN_ROWS && buf.getLine(end + 1)?.isWrapped) end++;
    let text = '';
    for (let i = start; i <= end; i++) text += buf.getLine(i)?.translateToString(true) ?? '';
    this.budget.read(text, (end - start + 1) * this.term.cols);
    if (keep) this.keep(which, start, end);
    return text.trimEnd();
  }

  /** Whether cells `from` to `to` of a row hold text written since the row was last kept. */
  private isNew(which: Which, row: number, from: number, to: number): boolean {
    const line = this.internals.lineAt(which, row);
    const span = line && this.news.get(line);
    if (span === undefined) return true;
    const a = span >> SPAN;
    const b = span & ((1 << SPAN) - 1);
    return a < b && a < to && from < b;
  }

  private keep(which: Which, start: number, end: number): void {
    for (let row = start; row <= end; row++) {
      const line = this.internals.lineAt(which, row);
      if (line) this.news.set(line, NOTHING_NEW);
    }
  }

  /** Cells `from` to `to` of screen row `y` of the active buffer get new text. */
  private written(y: number, from: number, to: number): void {
    const line = this.internals.lineAt('active', this.term.buffer.active.baseY + y);
    const span = line && this.news.get(line);
    if (span === undefined) return;
    const a = span >> SPAN;
    const b = span & ((1 << SPAN) - 1);
    this.news.set(line!, a < b ? (Math.min(a, from) << SPAN) | Math.max(b, to) : (from << SPAN) | to);
  }

  /** Screen row `y` of the active buffer has its text moved: all of it counts as new. */
  private moved(y: number): void {
    const line = this.internals.lineAt('active', this.term.buffer.active.baseY + y);
    if (line) this.news.delete(line);
  }
}
