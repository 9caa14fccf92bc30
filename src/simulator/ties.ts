// The order of one list answer. Sessions are sorted by start time, newest first; sessions
// that share a start time have no order of their own, and a server that sorts only by
// time may return them differently on every request (as SQL does without a tie-breaker).

import type { Ref, SessionView } from './data';
import { Rng } from './rng';

/**
 * The sessions at positions [from, to) of a view. With a shuffle key, each group sharing
 * a start time is put in an order drawn from the key and that time, and the slice is cut
 * from that ordering: a group straddling `from` or `to` shows other members each time.
 * Groups are contiguous, so only those meeting the slice are looked at.
 */
export function slice(view: SessionView, from: number, to: number, startOf: (ref: Ref) => number, shuffleKey?: readonly number[]): Ref[] {
  const end = Math.min(to, view.length);
  const refs: Ref[] = [];
  let p = Math.max(0, from);
  while (p < end) {
    if (!shuffleKey) {
      refs.push(view.at(p++));
      continue;
    }
    const time = startOf(view.at(p));
    let lo = p;
    while (lo > 0 && startOf(view.at(lo - 1)) === time) lo--;
    let hi = p + 1;
    while (hi < view.length && startOf(view.at(hi)) === time) hi++;
    const group: Ref[] = [];
    for (let q = lo; q < hi; q++) group.push(view.at(q));
    const rng = new Rng(...shuffleKey, time);
    for (let i = group.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [group[i], group[j]] = [group[j] as Ref, group[i] as Ref];
    }
    const stop = Math.min(hi, end);
    for (; p < stop; p++) refs.push(group[p - lo] as Ref);
  }
  return refs;
}
