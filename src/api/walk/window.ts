// Which page to ask for so that the answer starts on a session the walk has already
// passed. The API pages by number (page p of size s covers positions (p-1)·s to p·s-1),
// so a page of the usual size always starts where the previous one ended, and nothing
// in its answer would show whether something was skipped. Varying the size moves where
// pages start: among the sizes allowed, this picks the page that covers `target` (the
// last position already read) and reaches furthest past it.

export interface Window {
  page: number;
  size: number;
  /** Position of the window's first session in the list. */
  start: number;
}

/**
 * The window covering `target` that reaches furthest beyond it, with a size of at most
 * `widest`; `fixedSize` when the server ignores the size asked for. Pages listed in
 * `avoid` are not chosen unless nothing else covers the target.
 */
export function chooseWindow(target: number, widest: number, opts: { fixedSize?: number; avoid?: ReadonlySet<number> } = {}): Window {
  if (opts.fixedSize !== undefined) {
    const size = opts.fixedSize;
    const page = Math.floor(Math.max(0, target) / size) + 1;
    return { page, size, start: (page - 1) * size };
  }
  if (target < 0) return { page: 1, size: widest, start: 0 };
  const pick = (skip?: ReadonlySet<number>): Window | undefined => {
    let best: Window | undefined;
    let reach = -1;
    // Widest first: of two windows reaching as far, the one starting earlier overlaps more.
    for (let size = widest; size >= 1; size--) {
      const page = Math.floor(target / size) + 1;
      if (skip?.has(page)) continue;
      const beyond = page * size - 1 - target;
      if (beyond > reach) {
        best = { page, size, start: (page - 1) * size };
        reach = beyond;
      }
    }
    return best;
  };
  return (pick(opts.avoid) ?? pick()) as Window;
}

/** A window starting exactly at `position` (> 0): the largest size that divides it, on a page not avoided. */
export function windowStartingAt(position: number, widest: number, opts: { fixedSize?: number; avoid?: ReadonlySet<number> } = {}): Window {
  if (opts.fixedSize !== undefined) return chooseWindow(position, widest, opts);
  let fallback: Window | undefined;
  for (let size = Math.min(widest, position); size >= 1; size--) {
    if (position % size !== 0) continue;
    const w = { page: position / size + 1, size, start: position };
    if (!opts.avoid?.has(w.page)) return w;
    fallback ??= w;
  }
  return fallback as Window;
}
