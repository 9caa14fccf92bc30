// Rendering a recording costs far more than its size for some sequences: a few bytes
// can fill a 1000×500 screen (`ESC#8`), erase it, switch to the alternate screen and
// back, resize it, repeat a character a thousand times, and b0s then reads the screen
// back too. The renderer counts that work and gives up past a budget, so no recording,
// however built, keeps `b0s replay` busy for long.
//
// Work is counted in units of about a nanosecond of this code on a 2-core machine (the
// weights below were measured with each kind of sequence repeated). The budget is a
// fixed allowance plus an allowance per character of output: an ordinary session costs
// well under that per character, so it always fits, while a recording that makes the
// terminal do a lot for a little runs out after about as long as it would take to
// render an ordinary recording of its own size, plus a couple of seconds.

export const COST = {
  /** Scanning and parsing one character of output. */
  byte: 10,
  /** xterm placing one character on the screen. */
  printed: 40,
  /** xterm filling, erasing or moving one cell. */
  cell: 3,
  /** Per cell of the line a scroll brings in (a copy of a blank one). */
  scrolled: 1,
  /** Per cell of the screen, switching to or from the alternate screen (its rows are made anew). */
  switched: 5,
  /** Per cell of the buffer, re-wrapping it on a resize. */
  rewrapped: 2,
  /** Per cell b0s scans for the end of a row it reads back. */
  scanned: 1,
  /** Per character b0s reads back from the screen. */
  read: 10,
} as const;

/** About two seconds of the costliest work, whatever the recording's size. */
export const BASE_BUDGET = 2_000_000_000;
/**
 * Per character of output: about twice what the costliest ordinary session needs (short
 * lines scrolling up a 1000-column screen, ~110).
 */
export const BUDGET_PER_CHAR = 200;

export class WorkBudget {
  private spent = 0;

  constructor(readonly limit: number) {}

  /** The budget for a recording with `chars` characters of output. */
  static forOutput(chars: number): WorkBudget {
    return new WorkBudget(BASE_BUDGET + BUDGET_PER_CHAR * chars);
  }

  /** Counts `units` of work; false once the budget is used up (and from then on). */
  spend(units: number): boolean {
    this.spent += units;
    return this.spent <= this.limit;
  }

  /** Reading `text` back from `cells` cells of the screen. */
  read(text: string, cells: number): void {
    this.spent += cells * COST.scanned + text.length * COST.read;
  }

  get exhausted(): boolean {
    return this.spent > this.limit;
  }

  /** The work counted so far. */
  get used(): number {
    return this.spent;
  }
}
