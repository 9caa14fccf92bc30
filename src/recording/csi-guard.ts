// xterm.js runs some control sequences as a loop over their count, unbounded: measured
// here, one `ESC[9999999S` (scroll up) takes 9 s and one `ESC[9999999999b` (repeat the
// last character) over a minute. A recording is written by the session's user, so
// a few bytes could stall `b0s replay` for hours. Counts past what the screen can show
// change nothing visible, so they are clamped before xterm sees them.

/** C0 controls that xterm executes in the middle of a CSI sequence without ending it. */
const C0_IN_CSI = '\\x00-\\x17\\x19\\x1c-\\x1f\\x7f';

// CSI (7-bit ESC [ or 8-bit U+009B), parameter bytes, intermediate bytes, one of the
// finals whose count drives a loop: SU, SD, IL, DL (lines), REP, CHT, CBT (columns).
const LOOPING_CSI = new RegExp(
  `(\\x1b\\[|\\x9b)([\\x30-\\x3f${C0_IN_CSI}]*)([\\x20-\\x2f${C0_IN_CSI}]*)([STLMbIZ])`,
  'g',
);
const C0_RUN = new RegExp(`[${C0_IN_CSI}]`, 'g');
const UNFINISHED_CSI = new RegExp(`^(?:\\x1b|\\x1b\\[[\\x20-\\x3f${C0_IN_CSI}]*|\\x9b[\\x20-\\x3f${C0_IN_CSI}]*)$`);

// An unfinished sequence is held back until the next piece of output completes it.
// Real ones are a few dozen characters; one this long is garbage and is dropped.
const MAX_CARRY = 1 << 20;

/** Clamps loop counts in CSI sequences to the screen size, across pieces of one stream. */
export class CsiGuard {
  private carry = '';

  constructor(private readonly size: () => { cols: number; rows: number }) {}

  /** The next piece of terminal output, made safe; may hold back an unfinished sequence. */
  feed(data: string): string {
    let s = this.carry + data;
    this.carry = '';
    const start = Math.max(s.lastIndexOf('\x1b'), s.lastIndexOf('\x9b'));
    if (start >= 0 && UNFINISHED_CSI.test(s.slice(start))) {
      if (s.length - start <= MAX_CARRY) this.carry = s.slice(start);
      s = s.slice(0, start);
    }
    return s.replace(LOOPING_CSI, (all, intro: string, params: string, inter: string, final: string) => {
      // Fast path: small counts cost nothing worth a rewrite.
      if (!/\d{3}|[\x00-\x1f\x7f]/.test(params + inter)) return all;
      // Private (`?`, `>`...) and intermediate forms are other functions (graphics
      // queries, column shifts) that xterm already bounds.
      const cleanParams = params.replace(C0_RUN, '');
      const cleanInter = inter.replace(C0_RUN, '');
      if (cleanInter !== '' || /^[<=>?]/.test(cleanParams)) return all;
      // Controls inside a CSI run at that point and the sequence goes on; running them
      // first is the same, and keeps a digit run from being split to dodge the clamp.
      const controls = (params + inter).replace(/[^\x00-\x1f]/g, '');
      const { cols, rows } = this.size();
      const limit = 'STLM'.includes(final) ? rows : cols;
      const clamped = cleanParams.replace(/\d+/g, (d) => (Number(d) > limit ? String(limit) : d));
      return `${controls}${intro}${clamped}${final}`;
    });
  }

  /** Whatever was held back, at the end of the stream. */
  flush(): string {
    const rest = this.carry;
    this.carry = '';
    return rest;
  }
}
