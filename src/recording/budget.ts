// Rendering a recording costs far more than its size for some sequences: a few bytes
// can fill a 1000×500 screen (`ESC#8`), erase it, switch to the alternate screen or
// resize it, and b0s then reads the screen back too. The renderer counts that work in
// screen cells (and characters read) and gives up past a budget, so no recording,
// however built, keeps `b0s replay` busy for more than seconds. An ordinary session
// costs a few cells per byte, far below the budget even at the size limit.

/** About 5 s of the worst work on a 2-core machine; a 64 MiB plain session needs ~10% of it. */
export const WORK_BUDGET = 2_000_000_000;

export class WorkBudget {
  private spent = 0;

  constructor(readonly limit: number = WORK_BUDGET) {}

  /** Counts `cells` of work; false once the budget is used up (and from then on). */
  spend(cells: number): boolean {
    this.spent += cells;
    return this.spent <= this.limit;
  }

  get exhausted(): boolean {
    return this.spent > this.limit;
  }
}
