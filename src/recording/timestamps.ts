// When each line of a terminal recording's dump was shown, and which lines were
// commands: the line a line feed ends takes the time of the event that sent it, and a
// line ended by the echo of Enter is a command line.
//
// Border0 records output only, so Enter is not in the recording; its echo is. A shell
// echoes Enter as a line ending of its own (`\r\n`, `\r\r\n` once Border0's connector
// has rewritten it), right after the line the user typed, or with the last few
// characters typed when they came in one read. So an output event is taken as the echo
// of Enter when it is a few printable characters and a line ending, and the event
// before it left a line open (a prompt, or typed characters). A program that writes
// half a line, then the rest with a line ending, looks the same and is taken for a
// command too. A recording that holds input events ("i") says when Enter was pressed:
// then the first line feed after it ends the command line.
//
// Stamps are numbers: the event's index times two, plus one for a command line.

import type { Terminal as XTerm } from '@xterm/headless';
import type { AsciicastEvent } from './asciicast';
import type { LineStamps } from './screen';
import type { Internals } from './xterm';

/** A line's time and kind, from its stamp. */
export interface LineTime {
  /** Seconds since the recording started. */
  at: number;
  /** Ended by Enter: a command line. */
  command: boolean;
}

const ECHO = /^[^\u0000-\u001f\u007f-\u009f]{0,16}\r*\n$/;

/** The output events that echo Enter. */
export function enterEchoes(events: readonly AsciicastEvent[]): Set<number> {
  const echoes = new Set<number>();
  if (events.some((e) => e[1] === 'i')) {
    let pressed = false;
    events.forEach(([, code, data], i) => {
      if (code === 'i' && /[\r\n]/.test(data)) pressed = true;
      else if (code === 'o' && pressed && data.includes('\n')) {
        echoes.add(i);
        pressed = false;
      }
    });
    return echoes;
  }
  let lineOpen = false;
  events.forEach(([, code, data], i) => {
    if (code !== 'o' || data === '') return;
    if (lineOpen && ECHO.test(data)) echoes.add(i);
    lineOpen = !data.endsWith('\n');
  });
  return echoes;
}

export function decodeStamp(stamp: number, events: readonly AsciicastEvent[]): LineTime | undefined {
  if (stamp < 0) return undefined;
  const event = events[stamp >> 1];
  return event ? { at: event[0], command: (stamp & 1) === 1 } : undefined;
}

/**
 * Stamps rows as line feeds end them. `at(i, echo)` is called, in the order the
 * output is parsed, just before event i's output when it may change the time shown.
 */
export class RowStamps implements LineStamps {
  private readonly byLine = new WeakMap<object, number>();
  private event = -1;
  private pendingCommand = false;

  constructor(
    private readonly term: XTerm,
    private readonly internals: Internals,
  ) {
    term.onLineFeed(() => this.onLineFeed());
  }

  /** Event i's output comes next; `echo`: it is the echo of Enter. */
  at(i: number, echo: boolean): void {
    this.event = i;
    this.pendingCommand = echo;
  }

  private onLineFeed(): void {
    const buf = this.term.buffer.active;
    if (buf.type !== 'normal' || this.event < 0) return;
    // After the feed, the line it ended is the one above the cursor, scrolled or not.
    const row = buf.baseY + buf.cursorY - 1;
    const line = row >= 0 ? this.internals.lineAt('normal', row) : undefined;
    if (!line) return;
    this.byLine.set(line, this.event * 2 + (this.pendingCommand ? 1 : 0));
    this.pendingCommand = false;
  }

  take(row: number): number | undefined {
    const line = this.internals.lineAt('normal', row);
    if (!line) return undefined;
    const stamp = this.byLine.get(line);
    // xterm reuses a row's object for new lines: a stamp is read once.
    this.byLine.delete(line);
    return stamp;
  }

  now(): number | undefined {
    return this.event < 0 ? undefined : this.event * 2;
  }
}
