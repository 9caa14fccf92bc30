// The dump: every line the session showed, in order, whatever later took it off the
// screen. A terminal only keeps what is on screen plus a bounded scrollback, and a
// `clear` or a full-screen program (vim, less, top) wipes the screen, so lines are
// collected as the session goes:
// - lines that scroll off the screen are copied out after every chunk of output, and
//   xterm's own scrollback only has to hold one chunk's worth (it stays small, where
//   keeping a whole 10 MB session in xterm would cost about 1 KB per line);
// - just before the screen is erased (ED2 `ESC[2J`, or `ESC[J` with the cursor at the
//   top-left, which is how `clear` and Ctrl-L do it), the screen is copied out;
// - `ESC[3J` (erase scrollback, also sent by `clear`) is ignored;
// - a full-screen program's alternate screen is copied out when it is erased and when
//   the program leaves it, and every row of it that is written over, erased or
//   scrolled away is copied out just before (see losses.ts); those lines are placed
//   where the program was started;
// - a full reset (`ESC c`) copies out everything first.
// Rows that the terminal wrapped are joined back into the line that was printed.
// Text on the normal screen that is lost any other way is not part of the dump: it is
// what losses.ts reports as hidden.

import type { IBuffer, IBufferLine, IMarker, Terminal as XTerm } from '@xterm/headless';
import { COST, type WorkBudget } from './budget';

export const SCROLLBACK = 4000;

/**
 * When lines were shown (timestamps.ts): a stamp for a normal-buffer row, taken once it
 * is collected, and the stamp of the moment, for lines of a full-screen program.
 */
export interface LineStamps {
  take(row: number): number | undefined;
  now(): number | undefined;
}

class LineBuilder {
  readonly lines: string[] = [];
  /** With stamps: each line's stamp, in step with `lines` (-1 for none). */
  readonly stamps: number[] | undefined;

  constructor(
    private readonly budget: WorkBudget,
    stamped: boolean,
  ) {
    this.stamps = stamped ? [] : undefined;
  }

  private open: string | undefined;
  private openStamp: number | undefined;
  /** How many rows the open line was built from. */
  openRows = 0;
  /** Characters collected so far, to stop a recording built to blow up in size. */
  size = 0;

  row(line: IBufferLine | undefined, stamp?: number): void {
    if (!line) return;
    // Trimming drops only cells never written to, not spaces that were printed: a row
    // that wrapped ends either in a written cell, or in the one empty cell left by a
    // wide character that did not fit, which must not become a space in the line.
    const text = line.translateToString(true);
    this.budget.read(text, line.length);
    if (line.isWrapped && this.open !== undefined) {
      this.open += text;
      this.openRows++;
      // The line feed that ended a wrapped line stamped its last row.
      this.openStamp = stamp ?? this.openStamp;
    } else {
      this.end();
      this.open = text;
      this.openStamp = stamp;
      this.openRows = 1;
    }
  }

  text(line: string, stamp?: number): void {
    this.end();
    this.push(line, stamp);
  }

  end(): void {
    if (this.open !== undefined) this.push(this.open.trimEnd(), this.openStamp);
    this.open = undefined;
    this.openStamp = undefined;
    this.openRows = 0;
  }

  private push(line: string, stamp: number | undefined): void {
    this.lines.push(line);
    this.stamps?.push(stamp ?? -1);
    this.size += line.length + 1;
  }

  /** Forgets the open line, to collect its rows again once they have settled. */
  dropOpen(): void {
    this.open = undefined;
    this.openStamp = undefined;
    this.openRows = 0;
  }
}

function isAltMode(params: (number | number[])[]): boolean {
  return params.some((p) => p === 1049 || p === 1047 || p === 47);
}

/** Rows `from` to `to` (exclusive) of a buffer, without the blank ones at the end. */
function rowsOf(buf: IBuffer, from: number, to: number): IBufferLine[] {
  const out: IBufferLine[] = [];
  for (let i = from; i < to; i++) {
    const line = buf.getLine(i);
    if (line) out.push(line);
  }
  while (out.length > 0 && out[out.length - 1]!.translateToString(true).trim() === '') out.pop();
  return out;
}

/**
 * Where collection resumes in the normal buffer: the first row not collected yet.
 *
 * xterm's markers follow a row as the buffer scrolls and trims, but a marker is thrown
 * away when its row is erased, deleted or scrolled within the screen, or merged into
 * the row above when a wider terminal re-joins a wrapped line. So most of the time the
 * position is an offset from a marker on a scrollback row, which only trimming
 * touches. Across a change of width (a resize, or the whole time a full-screen
 * program runs, as it may be resized), when nothing can erase it, it is instead a
 * marker on the row itself, moved back to the start of its line so a re-wrap keeps it.
 */
class Position {
  /** A scrollback row; undefined stands for the row before row 0. */
  private base: IMarker | undefined;
  private offset = 1;
  private pinned: IMarker | undefined;

  constructor(
    private readonly term: XTerm,
    private readonly out: LineBuilder,
  ) {}

  get line(): number {
    if (this.pinned && !this.pinned.isDisposed) return this.pinned.line;
    if (!this.base) return this.offset - 1;
    // A disposed base means its row was trimmed: the chunk size is meant to make that
    // impossible; if it happens anyway, carry on with what is left.
    return this.base.isDisposed ? 0 : this.base.line + this.offset;
  }

  /** Moves the position to `line`. Only while the normal buffer is active. */
  set(line: number): void {
    const buf = this.term.buffer.normal;
    const old = this.base;
    // registerMarker counts from the cursor row; the row above the screen is scrollback.
    this.base = buf.baseY >= 1 ? this.term.registerMarker(-buf.cursorY - 1) : undefined;
    this.offset = line - (this.base ? this.base.line : -1);
    old?.dispose();
    this.pinned?.dispose();
    this.pinned = undefined;
  }

  /** Before the width may change. Only while the normal buffer is active. */
  pin(): void {
    const buf = this.term.buffer.normal;
    let line = this.line;
    let start = line;
    while (start > 0 && buf.getLine(start)?.isWrapped) start--;
    // The open line's rows are the ones just before: collect them again, re-wrapped.
    if (start < line && line - start === this.out.openRows) {
      this.out.dropOpen();
      line = start;
    }
    const marker = this.term.registerMarker(line - (buf.baseY + buf.cursorY));
    if (marker) {
      this.pinned?.dispose();
      this.pinned = marker;
    }
  }

  /** Once the width is settled. Only while the normal buffer is active. */
  unpin(): void {
    if (this.pinned) this.set(this.line);
  }

  reset(): void {
    this.base?.dispose();
    this.pinned?.dispose();
    this.base = undefined;
    this.pinned = undefined;
    this.offset = 1;
  }
}

/** Lines a full-screen program showed, to go in the dump before the row it started on. */
interface AltRun {
  /** The normal-buffer row the program started on; gone if that row was erased. */
  entry: IMarker | undefined;
  lines: string[];
  /** With stamps: when each line was shown. */
  stamps: Array<number | undefined>;
}

/** Collects every line the session showed, whatever later erased it. */
export class ScreenCollector {
  private readonly out: LineBuilder;
  private readonly next: Position;
  /** The program running now, if any, then those waiting for their row to be collected. */
  private current: AltRun | undefined;
  private waiting: AltRun[] = [];
  private altChars = 0;
  /** The text last copied out of each row of the alternate screen. */
  private altLast: string[] = [];

  constructor(
    private readonly term: XTerm,
    private readonly budget: WorkBudget,
    /** Once true, sequences are dropped rather than run (the budget is spent, or Ctrl-C). */
    private readonly stopped: () => boolean,
    private readonly stampsOf?: LineStamps,
  ) {
    this.out = new LineBuilder(budget, stampsOf !== undefined);
    this.next = new Position(term, this.out);
    const parser = term.parser;
    // Each hook runs just before xterm's own handler; returning false lets it run.
    parser.registerCsiHandler({ final: 'J' }, (params) => this.onEraseDisplay(params));
    parser.registerCsiHandler({ prefix: '?', final: 'J' }, (params) => this.onEraseDisplay(params));
    parser.registerCsiHandler({ prefix: '?', final: 'h' }, (params) => {
      if (this.stopped()) return true;
      if (!isAltMode(params)) return false;
      if (this.isNormal()) this.enterAlt();
      this.budget.spend(this.screenCells() * COST.switched);
      return false;
    });
    parser.registerCsiHandler({ prefix: '?', final: 'l' }, (params) => {
      if (this.stopped()) return true;
      if (!isAltMode(params)) return false;
      // Leaving clears the alternate screen: take its last frame first.
      if (!this.isNormal()) this.captureAltFrame();
      this.budget.spend(this.screenCells() * COST.switched);
      return false;
    });
    // Fires once the normal buffer is active again.
    term.buffer.onBufferChange((buf) => {
      if (buf.type === 'normal') this.leaveAlt();
    });
    parser.registerEscHandler({ final: 'c' }, () => {
      if (this.stopped()) return true;
      this.beforeReset();
      return false;
    });
  }

  private isNormal(): boolean {
    return this.term.buffer.active.type === 'normal';
  }

  private screenCells(): number {
    return this.term.cols * this.term.rows;
  }


  /** With stamps: each line's stamp, in step with the lines `finish` returns (-1 for none). */
  get stamps(): readonly number[] | undefined {
    return this.out.stamps;
  }

  /** Characters collected so far, lines waiting to be placed included. */
  get size(): number {
    return this.out.size + this.altChars;
  }

  private onEraseDisplay(params: (number | number[])[]): boolean {
    if (this.stopped()) return true;
    const mode = typeof params[0] === 'number' ? params[0] : 0;
    // Erasing the scrollback would take lines the dump has not collected yet.
    if (mode === 3) return true;
    const cursor = this.term.buffer.active;
    const wholeScreen = mode === 2 || (mode === 0 && cursor.cursorX === 0 && cursor.cursorY === 0);
    if (!wholeScreen) return false;
    this.budget.spend(this.screenCells() * COST.cell);
    if (!this.isNormal()) {
      this.captureAltFrame();
      return false;
    }
    this.collectScrolledOff();
    const buf = this.term.buffer.normal;
    this.collect(this.next.line, buf.baseY + this.term.rows, true);
    this.next.set(buf.baseY);
    return false;
  }

  /**
   * Copies normal-buffer rows `from` to `to` (exclusive) into the dump, each full-screen
   * program's lines before the row it started on. With `trim`, blank rows at the end
   * are left out.
   */
  private collect(from: number, to: number, trim = false): void {
    const buf = this.term.buffer.normal;
    const rows = trim ? rowsOf(buf, from, to) : undefined;
    const end = rows ? from + rows.length : to;
    for (let i = from; i < end; i++) {
      this.placeRuns(i);
      this.out.row(buf.getLine(i), this.stampsOf?.take(i));
    }
    // A program started on a blank row at the end, or on a row since erased.
    this.placeRuns(to);
  }

  /**
   * The waiting programs that started on a row before `row` (or on a row now gone),
   * unless `row` continues a wrapped line: they go after the line, not inside it.
   */
  private placeRuns(row: number): void {
    if (this.waiting.length === 0 || this.term.buffer.normal.getLine(row)?.isWrapped) return;
    const due = this.waiting.filter((r) => !r.entry || r.entry.isDisposed || r.entry.line < row + 1);
    if (due.length === 0) return;
    this.waiting = this.waiting.filter((r) => !due.includes(r));
    this.out.end();
    for (const run of due) {
      run.entry?.dispose();
      run.lines.forEach((line, i) => {
        this.out.text(line, run.stamps[i]);
        this.altChars -= line.length + 1;
      });
    }
  }

  /** Copies out the normal-buffer rows that have scrolled off the screen. */
  collectScrolledOff(): void {
    // While a full-screen program runs the normal buffer stands still.
    if (!this.isNormal()) return;
    const buf = this.term.buffer.normal;
    const start = this.next.line;
    if (buf.baseY > start) {
      for (let i = start; i < buf.baseY; i++) {
        this.placeRuns(i);
        this.out.row(buf.getLine(i), this.stampsOf?.take(i));
      }
      this.next.set(buf.baseY);
    }
    // A resize may have grown the scrollback; with everything above the screen
    // collected, it can shrink back, so a later widening does not cost memory for it.
    if ((this.term.options.scrollback ?? 0) > SCROLLBACK) this.term.options.scrollback = SCROLLBACK;
  }

  resize(cols: number, rows: number): void {
    const normal = this.isNormal();
    // A full-screen program pinned the position when it started.
    if (normal) {
      this.collectScrolledOff();
      this.next.pin();
    }
    // Narrowing re-wraps every row into more rows, and xterm then trims the oldest and
    // misplaces markers. Collected rows are of no more use: drop them first, then make
    // room for the rest to re-wrap.
    const uncollected = this.term.buffer.normal.length - this.next.line;
    const current = this.term.options.scrollback ?? SCROLLBACK;
    const trimmed = Math.max(uncollected - this.term.rows, 0);
    if (trimmed < current) this.term.options.scrollback = trimmed;
    this.term.options.scrollback = Math.max(SCROLLBACK, uncollected * Math.ceil(this.term.cols / cols) + rows);
    // Re-wrapping touches every row of both buffers.
    this.budget.spend((this.term.buffer.normal.length + this.term.rows) * Math.max(cols, this.term.cols) * COST.rewrapped);
    this.term.resize(cols, rows);
    if (normal) {
      this.next.unpin();
      this.collectScrolledOff();
    }
  }

  /** All collected lines, without trailing blank ones. */
  finish(): string[] {
    if (!this.isNormal()) {
      this.captureAltFrame();
      this.leaveAlt();
    }
    const buf = this.term.buffer.normal;
    this.collect(this.next.line, buf.length);
    this.placeRuns(Infinity);
    this.out.end();
    const lines = this.out.lines;
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines;
  }

  private enterAlt(): void {
    // The cursor row is where the program's screens belong: after the command that
    // started it, before whatever the shell prints when it exits. Only a resize can
    // move the normal buffer until the program leaves; markers follow that.
    this.current = { entry: this.term.registerMarker(0), lines: [], stamps: [] };
    this.altLast = [];
    this.next.pin();
  }

  /**
   * The program's lines wait for the dump to reach the row it started on: the rows
   * above it are still on screen, and may yet change.
   */
  private leaveAlt(): void {
    if (!this.current) return;
    this.waiting.push(this.current);
    this.current = undefined;
    this.altLast = [];
    if (this.isNormal()) this.next.unpin();
  }

  /** The whole alternate screen, unless every row of it was copied out already. */
  captureAltFrame(): void {
    // After a resize the alternate buffer can hold a row more than the screen shows.
    const alt = this.term.buffer.alternate;
    const frame = rowsOf(alt, alt.baseY, alt.baseY + this.term.rows).map((l) => l.translateToString(true).trimEnd());
    this.budget.spend(this.screenCells() * COST.scanned + frame.reduce((n, l) => n + l.length, 0) * COST.read);
    // Programs often redraw the same screen; one copy is enough.
    if (frame.every((l, i) => l === (this.altLast[i] ?? ''))) return;
    frame.forEach((l, i) => {
      this.altLast[i] = l;
      this.altLine(l);
    });
  }

  /** A row of the alternate screen about to be written over, erased or scrolled away. */
  altLost(y: number, text: string): void {
    if (this.altLast[y] === text) return;
    this.altLast[y] = text;
    this.altLine(text);
  }

  private altLine(text: string): void {
    // Without an entry (the alternate screen switched on by a reset state), the lines
    // go where the dump is now.
    this.current ??= { entry: undefined, lines: [], stamps: [] };
    this.current.lines.push(text);
    if (this.stampsOf) this.current.stamps.push(this.stampsOf.now());
    this.altChars += text.length + 1;
  }

  private beforeReset(): void {
    // A full reset throws away both buffers, scrollback included.
    this.budget.spend((this.term.buffer.normal.length + this.term.rows) * this.term.cols * COST.cell);
    if (!this.isNormal()) {
      this.captureAltFrame();
      this.leaveAlt();
    }
    const buf = this.term.buffer.normal;
    this.collect(this.next.line, buf.length, true);
    this.placeRuns(Infinity);
    this.out.end();
    this.next.reset();
  }
}
