// xterm.js runs some control sequences as a loop over their count, unbounded: measured
// here, one `ESC[9999999S` (scroll up) takes 9 s and one `ESC[9999999999b` (repeat the
// last character) over a minute. A recording is written by the session's user, so
// a few bytes could stall `b0s replay` for hours. Counts past what the screen can show
// change nothing visible, so they are clamped before xterm sees them.
//
// The guard is a streaming scanner that follows xterm's own parser (the VT500 state
// table) just far enough to find CSI sequences: it looks at each character once, keeps
// at most one sequence's worth of state between pieces of output, and so runs in time
// linear in the recording, whatever it holds (an unfinished sequence fed one byte per
// event, a sequence padded with 160,000 ignored DEL characters).

/** Finals whose count drives a loop: SU, SD, IL, DL (lines), REP, CHT, CBT (columns). */
const LOOPING_LINES = new Set(['S', 'T', 'L', 'M']);
const LOOPING_COLUMNS = new Set(['b', 'I', 'Z']);

// xterm keeps at most 32 parameters (the rest are rejected) and clamps each to 2^31 - 1.
const MAX_PARAMS = 32;
const MAX_VALUE = 2147483647;
// xterm folds intermediates into one small identifier; real sequences have one or two.
const MAX_INTERMEDIATES = 4;

const enum State {
  Ground,
  /** After ESC: C0 controls still run, DEL is ignored, `[` starts a CSI. */
  Escape,
  /** Inside a CSI: parameters, then intermediates, then the final. */
  Csi,
  /** A CSI xterm will not dispatch: passed through until its final. */
  CsiIgnore,
}

/** C0 controls xterm executes inside ESC and CSI sequences without ending them. */
function isExecutable(c: number): boolean {
  return c <= 0x17 || c === 0x19 || (c >= 0x1c && c <= 0x1f);
}

/** Bytes that end any sequence (VT500 "anywhere" transitions); ESC and CSI restart one. */
function endsSequence(c: number): boolean {
  return c === 0x18 || c === 0x1a || (c >= 0x80 && c <= 0x9f);
}

/** Clamps loop counts in CSI sequences to the screen size, across pieces of one stream. */
export class CsiGuard {
  private state = State.Ground;
  /** The sequence held back (normalised), until its final shows whether to clamp it. */
  private intro = '';
  private prefix = '';
  private params: string[] = [''];
  private paramSeps: string[] = [];
  private intermediates = '';
  private out: string[] = [];

  constructor(private readonly size: () => { cols: number; rows: number }) {}

  /** True when no sequence is held back: the next piece starts in plain text. */
  get idle(): boolean {
    return this.state === State.Ground;
  }

  /** The next piece of terminal output, made safe; may hold back an unfinished sequence. */
  feed(data: string): string {
    const out = this.out;
    let runStart = 0;
    for (let i = 0; i < data.length; i++) {
      const c = data.charCodeAt(i);
      switch (this.state) {
        case State.Ground:
          if (c === 0x1b || c === 0x9b) {
            if (i > runStart) out.push(data.slice(runStart, i));
            this.begin(c);
          } else {
            continue;
          }
          break;
        case State.Escape:
          if (c === 0x5b) {
            this.intro = '\x1b[';
            this.state = State.Csi;
          } else if (isExecutable(c)) {
            out.push(data[i]!);
          } else if (c === 0x7f) {
            // ignored by xterm
          } else {
            // Any other escape (or an abort): not ours to change.
            out.push('\x1b');
            this.state = State.Ground;
            runStart = i;
            i--;
            continue;
          }
          break;
        case State.Csi:
          this.csiChar(c, data[i]!);
          break;
        case State.CsiIgnore:
          if (c === 0x1b || c === 0x9b) {
            this.begin(c);
          } else {
            out.push(data[i]!);
            if (endsSequence(c) || (c >= 0x40 && c <= 0x7e)) this.state = State.Ground;
          }
          break;
      }
      runStart = i + 1;
    }
    if (this.state === State.Ground && runStart < data.length) out.push(data.slice(runStart));
    this.out = [];
    return out.join('');
  }

  /** Whatever was held back, at the end of the stream (an unfinished sequence does nothing). */
  flush(): string {
    const rest = this.state === State.Escape ? '\x1b' : this.state === State.Csi ? this.held() : '';
    this.state = State.Ground;
    return rest;
  }

  private begin(c: number): void {
    this.prefix = '';
    this.params = [''];
    this.paramSeps = [];
    this.intermediates = '';
    if (c === 0x1b) {
      this.state = State.Escape;
    } else {
      this.intro = '\x9b';
      this.state = State.Csi;
    }
  }

  private csiChar(c: number, ch: string): void {
    const noIntermediates = this.intermediates === '';
    if (c >= 0x30 && c <= 0x3f && noIntermediates) {
      if (c <= 0x39) this.digit(c - 0x30);
      else if (c === 0x3a || c === 0x3b) this.separator(ch);
      else if (this.params.length === 1 && this.params[0] === '' && this.prefix === '') this.prefix = ch;
      else this.ignoreRest(ch);
    } else if (c >= 0x30 && c <= 0x3f) {
      this.ignoreRest(ch);
    } else if (c >= 0x20 && c <= 0x2f) {
      if (this.intermediates.length < MAX_INTERMEDIATES) this.intermediates += ch;
    } else if (c >= 0x40 && c <= 0x7e) {
      this.out.push(this.dispatch(ch));
      this.state = State.Ground;
    } else if (isExecutable(c)) {
      // Controls inside a CSI run at that point and the sequence goes on: running them
      // first is the same, and keeps a digit run from being split to dodge the clamp.
      this.out.push(ch);
    } else if (c === 0x7f) {
      // ignored by xterm
    } else if (c === 0x1b || c === 0x9b) {
      this.out.push(this.held());
      this.begin(c);
    } else {
      // An abort (CAN, SUB, C1) or a character xterm refuses inside a CSI: it drops the
      // sequence; hand it over as it was so xterm does exactly that.
      this.out.push(this.held(), ch);
      this.state = State.Ground;
    }
  }

  private digit(d: number): void {
    const i = this.params.length - 1;
    if (i >= MAX_PARAMS) return;
    const current = this.params[i]!;
    const value = current === '' ? d : Math.min(Number(current) * 10 + d, MAX_VALUE);
    this.params[i] = String(value);
  }

  private separator(ch: string): void {
    if (this.params.length > MAX_PARAMS) return;
    this.paramSeps.push(ch);
    this.params.push('');
  }

  private ignoreRest(ch: string): void {
    this.out.push(this.held(), ch);
    this.state = State.CsiIgnore;
  }

  private paramText(clampTo?: number): string {
    let s = this.prefix;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i]!;
      s += clampTo !== undefined && p !== '' && Number(p) > clampTo ? String(clampTo) : p;
      if (i < this.paramSeps.length) s += this.paramSeps[i];
    }
    return s;
  }

  private held(): string {
    return `${this.intro}${this.paramText()}${this.intermediates}`;
  }

  private dispatch(final: string): string {
    // Private (`?`, `>`...) and intermediate forms are other functions (graphics
    // queries, column shifts) that xterm already bounds.
    const looping = this.prefix === '' && this.intermediates === '';
    let limit: number | undefined;
    if (looping && LOOPING_LINES.has(final)) limit = this.size().rows;
    else if (looping && LOOPING_COLUMNS.has(final)) limit = this.size().cols;
    return `${this.intro}${this.paramText(limit)}${this.intermediates}${final}`;
  }
}
