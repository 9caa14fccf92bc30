// Turns a terminal recording into the text a person watching it would have read:
// the output is played into a headless xterm, so cursor movement, backspace edits,
// carriage-return overwrites and colours are interpreted exactly as a terminal would,
// then the screen is read back as plain lines (screen.ts collects every line shown,
// whatever later erased it). Text the recording showed and then took off the screen
// some other way, by writing over it, erasing or deleting it, scrolling it out of a
// region, is caught just before it goes (losses.ts) and, unless the dump shows it
// anyway, returned as hidden (hidden.ts).
//
// Bounded whatever the recording holds: time by a work budget (budget.ts) and a scan
// that looks at each byte once (csi-guard.ts), memory by the caps below; an
// AbortSignal stops it between chunks.

import type { Terminal as XTerm } from '@xterm/headless';
import { CancelledError, FormatError } from '../errors';
import { multilineText } from '../text';
import { parseResize, type Asciicast } from './asciicast';
import { COST, WorkBudget } from './budget';
import { CsiGuard } from './csi-guard';
import { LostLines, type Overwritten } from './hidden';
import { LossWatcher, isLineEdit } from './losses';
import { SCROLLBACK, ScreenCollector } from './screen';
import { decodeStamp, enterEchoes, RowStamps, type LineTime } from './timestamps';
import { internalsOf, loadTerminal } from './xterm';

export interface TerminalTextOptions {
  /** Render at this width instead of the recording's (its resize events still apply). */
  cols?: number;
  /** Checked between chunks: rendering stops with the signal's reason (Ctrl-C). */
  signal?: AbortSignal;
  /** Work allowed, in the budget's units (budget.ts), instead of the default for the recording's size. */
  workBudget?: number;
  /** Also say when each line was shown, and which were commands (timestamps.ts). */
  lineTimes?: boolean;
}

export interface TerminalText {
  /** The dump: every line shown, without control characters. */
  text: string;
  /** Lines shown and then taken off the screen that the dump does not show, made safe to print. */
  hidden: Overwritten;
  /** The work it took, in the budget's units (budget.ts). */
  work: number;
  /** With `lineTimes`: for each line of `text`, when it was shown, if known. */
  times?: Array<LineTime | undefined>;
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
const CHUNK = 2000;
// xterm refuses writes once 50 MB are queued: wait for it well before that.
const MAX_QUEUED = 4 * 1024 * 1024;

// Erasing the screen re-shows it in the dump, so a recording made of `x ESC[2J` grows
// about 30-fold; past this many characters (about 128 MB of memory) the text form is
// refused, not built.
const MAX_TEXT = 64 * 1024 * 1024;
// Real output events are a few kilobytes (what one read of a terminal returns).
const MAX_EVENT = 8 * 1024 * 1024;
// A shell redraws one line at a time; a longer event is output, not line editing.
const MAX_TYPING = 1024;

const OTHER_FORMATS = 'use --format raw -O FILE for the recording as sent, or --format asciicast to play it';

function tooLarge(): FormatError {
  return new FormatError(`recording's text form is over ${MAX_TEXT / 1024 / 1024} MiB; ${OTHER_FORMATS}`);
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(Math.max(Math.trunc(n), min), max);
}

/** The text a person would have seen during the session, without control characters. */
export async function renderTerminalText(cast: Asciicast, opts: TerminalTextOptions = {}): Promise<string> {
  return (await renderTerminal(cast, opts)).text;
}

/** The dump of a terminal recording, and what it showed and then hid. */
export async function renderTerminal(cast: Asciicast, opts: TerminalTextOptions = {}): Promise<TerminalText> {
  const Terminal = await loadTerminal();
  const width = opts.cols !== undefined && opts.cols > 0 ? opts.cols : cast.header.width;
  const term = new Terminal({
    cols: clamp(Number.isFinite(width) ? width : DEFAULT_COLS, MIN_COLS, MAX_COLS),
    rows: clamp(Number.isFinite(cast.header.height) ? cast.header.height : DEFAULT_ROWS, 1, MAX_ROWS),
    scrollback: SCROLLBACK,
    // By default a narrowing leaves the cursor's line for the program to redraw, and
    // cuts off what no longer fits: text gone without anything erasing it.
    reflowCursorLine: true,
    allowProposedApi: true, // for the parser hooks and buffer access
    logLevel: 'off',
  });
  try {
    const { signal } = opts;
    const internals = internalsOf(term);
    let failure: unknown;
    internals.catchParseErrors((err) => {
      failure ??= err;
    });
    let chars = 0;
    for (const [, , data] of cast.events) chars += data.length;
    const budget = opts.workBudget === undefined ? WorkBudget.forOutput(chars) : new WorkBudget(opts.workBudget);
    const stopped = () => budget.exhausted || signal?.aborted === true || failure !== undefined;
    const stamps = opts.lineTimes ? new RowStamps(term, internals) : undefined;
    const echoes = stamps ? enterEchoes(cast.events) : undefined;
    const screen = new ScreenCollector(term, budget, stopped, stamps);
    const lost = new LostLines();
    // Registered after the collector, so its hooks run first (xterm runs the newest first).
    const losses = new LossWatcher(term, internals, screen, lost, budget, stopped);
    const guard = new CsiGuard(() => ({ cols: term.cols, rows: term.rows }));
    // How many events xterm has parsed, for the message when rendering stops early.
    let parsed = 0;
    const writer = new ChunkWriter(term, (through) => {
      if (!stopped()) parsed = through;
      screen.collectScrolledOff();
    });
    let rendered = 0;
    // The second last stamped, and whether that event was an echo of Enter.
    let stampedSecond = NaN;
    let stampedEcho = false;
    for (const [time, code, data] of cast.events) {
      if (stopped() || screen.size > MAX_TEXT) break;
      if (data.length > MAX_EVENT) {
        throw new FormatError(`recording event ${rendered + 1} holds ${(data.length / 1024 / 1024).toFixed(0)} MiB of text, more than b0s renders at once (${MAX_EVENT / 1024 / 1024} MiB); ${OTHER_FORMATS}`);
      }
      budget.spend(data.length * COST.byte);
      writer.event = rendered + 1;
      if (stamps && code === 'o') {
        // Only where the time shown (whole seconds) or the kind of line can change.
        const echo = echoes!.has(rendered);
        const second = Math.floor(time);
        if (echo || stampedEcho || second !== stampedSecond) {
          const i = rendered;
          await writer.mark(() => stamps.at(i, echo));
          stampedSecond = second;
          stampedEcho = echo;
        }
      }
      if (code === 'o') {
        if (data.length <= MAX_TYPING && guard.idle && isLineEdit(data)) await writer.writeApart(guard.feed(data), losses);
        else await writer.write(guard.feed(data));
      } else if (code === 'r') {
        const size = parseResize(data);
        if (size) {
          await writer.drain();
          if (stopped()) break;
          const cols = clamp(size.cols, MIN_COLS, MAX_COLS);
          const rows = clamp(size.rows, 1, MAX_ROWS);
          losses.beforeResize(cols, rows);
          screen.resize(cols, rows);
        }
      }
      // Input ("i") is echoed in the output when it was visible; markers ("m") and
      // unknown codes show nothing.
      rendered++;
      if (code !== 'o') parsed = rendered;
    }
    await writer.write(guard.flush());
    await writer.drain();
    // Checked here, not where the work is done: that runs inside xterm's parser, where
    // a throw would escape as an uncaught exception from a timer.
    if (signal?.aborted) throw signal.reason ?? new CancelledError('interrupted');
    if (failure !== undefined) {
      const reason = failure instanceof Error ? failure.message : 'unknown error';
      throw new FormatError(`cannot show the recording as text: the terminal emulator failed on it (${reason}); ${OTHER_FORMATS}`, { cause: failure });
    }
    if (budget.exhausted) {
      throw new FormatError(
        `recording is too costly to show as text: it makes the terminal do far more work than its size calls for (b0s stopped at about event ${(parsed + 1).toLocaleString('en-US')} of its ${cast.events.length.toLocaleString('en-US')}); ${OTHER_FORMATS}`,
      );
    }
    if (screen.size > MAX_TEXT) throw tooLarge();
    const lines = screen.finish();
    if (screen.size > MAX_TEXT) throw tooLarge();
    const hidden = lost.hiddenFrom(lines);
    const times = screen.stamps?.map((stamp) => decodeStamp(stamp, cast.events));
    return { text: multilineText(lines.join('\n')), hidden: { texts: hidden.texts.map(multilineText), total: hidden.total }, work: budget.used, ...(times ? { times } : {}) };
  } finally {
    term.dispose();
  }
}

/** Queues output in chunks, calling back after each one is parsed. */
class ChunkWriter {
  /** The number of the event being written (1 for the first). */
  event = 0;
  private pending = '';
  private queued = 0;
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly term: XTerm,
    /** Called right after each chunk is parsed, with the number of the last event fully in it. */
    private readonly afterChunk: (through: number) => void,
  ) {}

  async write(data: string): Promise<void> {
    // Many small events become one write: each write has a fixed cost in xterm.
    if (this.pending.length + data.length < CHUNK) {
      this.pending += data;
      return;
    }
    let at = CHUNK - this.pending.length;
    // Never split a surrogate pair between two writes.
    if (isHighSurrogate(data.charCodeAt(at - 1))) at--;
    await this.send(this.pending + data.slice(0, at));
    this.pending = '';
    while (data.length - at >= CHUNK) {
      let end = at + CHUNK;
      if (isHighSurrogate(data.charCodeAt(end - 1))) end--;
      await this.send(data.slice(at, end));
      at = end;
    }
    this.pending = data.slice(at);
  }

  /** Line editing, parsed on its own between the watcher's two calls. */
  async writeApart(data: string, watcher: LossWatcher): Promise<void> {
    if (this.pending !== '') await this.send(this.pending);
    this.pending = '';
    // Write callbacks run in order, each right after its data is parsed.
    this.term.write('', () => watcher.startLineEdit());
    await this.send(data, () => watcher.endLineEdit(), this.event);
  }

  /** Runs `then` once everything written so far is parsed, before anything written after. */
  async mark(then: () => void): Promise<void> {
    if (this.pending !== '') await this.send(this.pending);
    this.pending = '';
    this.term.write('', then);
  }

  async drain(): Promise<void> {
    if (this.pending !== '') await this.send(this.pending, undefined, this.event);
    this.pending = '';
    await this.last;
    this.queued = 0;
  }

  /** `through`: the events whose output is all in this piece or before it. */
  private async send(piece: string, then?: () => void, through = this.event - 1): Promise<void> {
    // The callback runs synchronously right after this chunk is parsed and before the
    // next one starts, so the scrollback is collected at every chunk boundary.
    this.last = new Promise((resolve) =>
      this.term.write(piece, () => {
        then?.();
        this.afterChunk(through);
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

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
