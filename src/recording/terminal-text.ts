// Turns a terminal recording into the text a person watching it would have read:
// the output is played into a headless xterm, so cursor movement, backspace edits,
// carriage-return overwrites and colours are interpreted exactly as a terminal would,
// then the screen is read back as plain lines.
//
// A terminal only keeps what is on screen plus a bounded scrollback, and a `clear`
// or a full-screen program (vim, less, top) wipes the screen. An audit dump must not
// lose any of that, so lines are collected as the session goes:
// - lines that scroll off the screen are copied out after every chunk of output, and
//   xterm's own scrollback only has to hold one chunk's worth (it stays small, where
//   keeping a whole 10 MB session in xterm would cost about 1 KB per line);
// - just before the screen is erased (ED2 `ESC[2J`, or `ESC[J` with the cursor at the
//   top-left, which is how `clear` and Ctrl-L do it), the screen is copied out;
// - `ESC[3J` (erase scrollback, also sent by `clear`) is ignored;
// - a full-screen program's alternate screen is copied out when it is erased and when
//   the program leaves it, and those frames are placed where the program was started;
// - a full reset (`ESC c`) copies out everything first.
// Rows that the terminal wrapped are joined back into the line that was printed.

import type { IBuffer, IBufferLine, IMarker, Terminal as XTerm } from '@xterm/headless';
import { FormatError } from '../errors';
import { multilineText } from '../output/sanitize';
import { parseResize, type Asciicast } from './asciicast';
import { CsiGuard } from './csi-guard';

export interface TerminalTextOptions {
  /** Render at this width instead of the recording's (its resize events still apply). */
  cols?: number;
}

// Sizes beyond any real terminal only cost memory (xterm allocates cols × rows cells).
const MAX_COLS = 1000;
const MAX_ROWS = 500;
const MIN_COLS = 2; // xterm's own minimum
const DEFAULT_COLS = 80;
const DEFAULT_ROWS = 24;

// A character adds at most one row (a line feed, or a wrap; repeat counts are clamped
// by CsiGuard), so a chunk shorter than the scrollback can never push an uncollected
// row out of it.
const SCROLLBACK = 4000;
const CHUNK = 2000;
// xterm refuses writes once 50 MB are queued: wait for it well before that.
const MAX_QUEUED = 4 * 1024 * 1024;

// Erasing the screen re-shows it in the dump, so a recording made of `x ESC[2J` grows
// about 30-fold; past this many characters the text form is refused, not built.
const MAX_TEXT = 100_000_000;

function tooLarge(): FormatError {
  return new FormatError(`recording's text form is over ${MAX_TEXT / 1e6} million characters; use --format raw -O FILE`);
}

type TerminalClass = typeof XTerm;

async function loadTerminal(): Promise<TerminalClass> {
  const mod: unknown = await import('@xterm/headless');
  // The package is CommonJS: Node's ESM loader exposes it only as `default`, while
  // esbuild's CommonJS bundle exposes both forms.
  const ns = mod as { Terminal?: TerminalClass; default?: { Terminal?: TerminalClass } };
  const Terminal = ns.Terminal ?? ns.default?.Terminal;
  if (typeof Terminal !== 'function') {
    throw new FormatError('cannot render the recording as text: @xterm/headless did not load; use --format raw');
  }
  return Terminal;
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(Math.max(Math.trunc(n), min), max);
}

/** The text a person would have seen during the session, without control characters. */
export async function renderTerminalText(cast: Asciicast, opts: TerminalTextOptions = {}): Promise<string> {
  const Terminal = await loadTerminal();
  const width = opts.cols !== undefined && opts.cols > 0 ? opts.cols : cast.header.width;
  const term = new Terminal({
    cols: clamp(Number.isFinite(width) ? width : DEFAULT_COLS, MIN_COLS, MAX_COLS),
    rows: clamp(Number.isFinite(cast.header.height) ? cast.header.height : DEFAULT_ROWS, 1, MAX_ROWS),
    scrollback: SCROLLBACK,
    allowProposedApi: true, // for the parser hooks and buffer access
    logLevel: 'off',
  });
  try {
    const screen = new ScreenCollector(term);
    const guard = new CsiGuard(() => ({ cols: term.cols, rows: term.rows }));
    const writer = new ChunkWriter(term, () => screen.collectScrolledOff());
    for (const [, code, data] of cast.events) {
      if (screen.size > MAX_TEXT) break;
      if (code === 'o') {
        await writer.write(guard.feed(data));
      } else if (code === 'r') {
        const size = parseResize(data);
        if (!size) continue;
        await writer.drain();
        screen.collectScrolledOff();
        screen.resize(clamp(size.cols, MIN_COLS, MAX_COLS), clamp(size.rows, 1, MAX_ROWS));
      }
      // Input ("i") is echoed in the output when it was visible; markers ("m") and
      // unknown codes show nothing.
    }
    await writer.write(guard.flush());
    await writer.drain();
    // Checked here, not where the rows are collected: that runs inside xterm's parser,
    // where a throw would escape as an uncaught exception from a timer.
    if (screen.size > MAX_TEXT) throw tooLarge();
    const text = screen.finish();
    if (screen.size > MAX_TEXT) throw tooLarge();
    return multilineText(text);
  } finally {
    term.dispose();
  }
}

/** Queues output in chunks, calling back after each one is parsed. */
class ChunkWriter {
  private pending = '';
  private queued = 0;
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly term: XTerm,
    private readonly afterChunk: () => void,
  ) {}

  async write(data: string): Promise<void> {
    // Many small events become one write: each write has a fixed cost in xterm.
    this.pending += data;
    while (this.pending.length >= CHUNK) await this.send(this.cut(CHUNK));
  }

  async drain(): Promise<void> {
    if (this.pending !== '') await this.send(this.cut(this.pending.length));
    await this.last;
    this.queued = 0;
  }

  private cut(n: number): string {
    let end = n;
    // Never split a surrogate pair between two writes.
    const code = this.pending.charCodeAt(end - 1);
    if (end < this.pending.length && code >= 0xd800 && code <= 0xdbff) end--;
    const piece = this.pending.slice(0, end);
    this.pending = this.pending.slice(end);
    return piece;
  }

  private async send(piece: string): Promise<void> {
    // The callback runs synchronously right after this chunk is parsed and before the
    // next one starts, so the scrollback is collected at every chunk boundary.
    this.last = new Promise((resolve) =>
      this.term.write(piece, () => {
        this.afterChunk();
        resolve();
      }),
    );
    this.queued += piece.length;
    if (this.queued >= MAX_QUEUED) {
      await this.last;
      this.queued = 0;
    }
  }
}

/** Builds logical lines from screen rows, joining rows the terminal wrapped. */
class LineBuilder {
  readonly lines: string[] = [];
  private open: string | undefined;
  /** How many rows the open line was built from. */
  openRows = 0;
  /** Characters collected so far, to stop a recording built to blow up in size. */
  size = 0;

  row(line: IBufferLine | undefined): void {
    if (!line) return;
    // Trimming drops only cells never written to, not spaces that were printed: a row
    // that wrapped ends either in a written cell, or in the one empty cell left by a
    // wide character that did not fit, which must not become a space in the line.
    const text = line.translateToString(true);
    if (line.isWrapped && this.open !== undefined) {
      this.open += text;
      this.openRows++;
    } else {
      this.end();
      this.open = text;
      this.openRows = 1;
    }
  }

  text(line: string): void {
    this.end();
    this.lines.push(line);
    this.size += line.length + 1;
  }

  end(): void {
    if (this.open !== undefined) {
      const line = this.open.trimEnd();
      this.lines.push(line);
      this.size += line.length + 1;
    }
    this.open = undefined;
    this.openRows = 0;
  }

  /** Forgets the open line, to collect its rows again once they have settled. */
  dropOpen(): void {
    this.open = undefined;
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

/** Collects every line the session showed, whatever later erased it. */
class ScreenCollector {
  private readonly out = new LineBuilder();
  private readonly next: Position;
  /** The cursor row, in the normal buffer, when a full-screen program started. */
  private altEntry: IMarker | undefined;
  /** Screens a full-screen program showed, waiting to be placed at altEntry. */
  private altFrames: string[][] = [];

  constructor(private readonly term: XTerm) {
    this.next = new Position(term, this.out);
    const parser = term.parser;
    // Each hook runs just before xterm's own handler; returning false lets it run.
    parser.registerCsiHandler({ final: 'J' }, (params) => this.onEraseDisplay(params));
    parser.registerCsiHandler({ prefix: '?', final: 'J' }, (params) => this.onEraseDisplay(params));
    parser.registerCsiHandler({ prefix: '?', final: 'h' }, (params) => {
      if (isAltMode(params) && this.isNormal()) this.enterAlt();
      return false;
    });
    parser.registerCsiHandler({ prefix: '?', final: 'l' }, (params) => {
      // Leaving clears the alternate screen: take its last frame first.
      if (isAltMode(params) && !this.isNormal()) this.captureAltFrame();
      return false;
    });
    // Fires once the normal buffer is active again, when markers can go into it.
    term.buffer.onBufferChange((buf) => {
      if (buf.type === 'normal') this.placeAltFrames();
    });
    parser.registerEscHandler({ final: 'c' }, () => {
      this.beforeReset();
      return false;
    });
  }

  private isNormal(): boolean {
    return this.term.buffer.active.type === 'normal';
  }

  /** Characters collected so far. */
  get size(): number {
    return this.out.size;
  }

  private onEraseDisplay(params: (number | number[])[]): boolean {
    const mode = typeof params[0] === 'number' ? params[0] : 0;
    // Erasing the scrollback would take lines the dump has not collected yet.
    if (mode === 3) return true;
    const cursor = this.term.buffer.active;
    const wholeScreen = mode === 2 || (mode === 0 && cursor.cursorX === 0 && cursor.cursorY === 0);
    if (!wholeScreen) return false;
    if (!this.isNormal()) {
      this.captureAltFrame();
      return false;
    }
    this.collectScrolledOff();
    const buf = this.term.buffer.normal;
    // Rows above the position are on screen but already collected (a full-screen
    // program's frames were placed after them).
    for (const line of rowsOf(buf, Math.max(this.next.line, buf.baseY), buf.baseY + this.term.rows)) this.out.row(line);
    this.out.end();
    this.next.set(buf.baseY);
    return false;
  }

  /** Copies out the normal-buffer rows that have scrolled off the screen. */
  collectScrolledOff(): void {
    // While a full-screen program runs the normal buffer stands still.
    if (!this.isNormal()) return;
    const buf = this.term.buffer.normal;
    const start = this.next.line;
    if (buf.baseY > start) {
      for (let i = start; i < buf.baseY; i++) this.out.row(buf.getLine(i));
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
    this.term.resize(cols, rows);
    if (normal) {
      this.next.unpin();
      this.collectScrolledOff();
    }
  }

  /** All collected lines, without trailing blank ones. */
  finish(): string {
    if (!this.isNormal()) {
      this.captureAltFrame();
      this.placeAltFrames();
    }
    const buf = this.term.buffer.normal;
    for (let i = this.next.line; i < buf.length; i++) this.out.row(buf.getLine(i));
    this.out.end();
    const lines = this.out.lines;
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n');
  }

  private enterAlt(): void {
    this.altEntry?.dispose();
    // The cursor row is where the program's screens belong: after the command that
    // started it, before whatever the shell prints when it exits. Only a resize can
    // move the normal buffer until the program leaves; markers follow that.
    this.altEntry = this.term.registerMarker(0);
    this.altFrames = [];
    this.next.pin();
  }

  private captureAltFrame(): void {
    const frame = rowsOf(this.term.buffer.alternate, 0, this.term.rows).map((l) => l.translateToString(true).trimEnd());
    if (frame.length === 0) return;
    const last = this.altFrames[this.altFrames.length - 1];
    // Programs often redraw the same screen; one copy is enough.
    if (last && last.length === frame.length && last.every((l, i) => l === frame[i])) return;
    this.altFrames.push(frame);
  }

  /** The normal rows above where the full-screen program started, then its frames. */
  private placeAltFrames(): void {
    const entry = this.altEntry;
    this.altEntry = undefined;
    const at = entry && !entry.isDisposed ? entry.line : undefined;
    entry?.dispose();
    const buf = this.term.buffer.normal;
    if (at !== undefined) for (let i = this.next.line; i < at; i++) this.out.row(buf.getLine(i));
    this.out.end();
    for (const frame of this.altFrames) for (const line of frame) this.out.text(line);
    this.altFrames = [];
    if (this.isNormal()) this.next.set(at ?? this.next.line);
  }

  private beforeReset(): void {
    // A full reset throws away both buffers, scrollback included.
    if (!this.isNormal()) {
      this.captureAltFrame();
      this.placeAltFrames();
    }
    const buf = this.term.buffer.normal;
    for (const line of rowsOf(buf, this.next.line, buf.length)) this.out.row(line);
    this.out.end();
    this.next.reset();
  }
}
