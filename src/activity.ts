// Sessions per hour or per day, in a time zone: the buckets of a time window, in order,
// each with its label and the instant it starts. Pure: the window and zone are given.
export type BucketUnit = 'hour' | 'day';

export interface Bucket {
  /**
   * `2026-11-26 10:00` or `2026-11-26`, in the time zone. An hour that the clock goes
   * through twice (as it is turned back) is two buckets: `2026-11-01 01:00 (UTC-04:00)`
   * and `2026-11-01 01:00 (UTC-05:00)`.
   */
  key: string;
  /** The instant the bucket starts (ms): possibly before the window's start. */
  start: number;
  count: number;
}

const HOUR = 3_600_000;

/** `UTC`, `local` (the system's zone) or an IANA name, as the time-zone setting holds it. */
function formatter(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timeZone === 'local' ? undefined : timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
}

interface WallClock {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
}

function wallClock(fmt: Intl.DateTimeFormat, t: number): WallClock {
  const parts = Object.fromEntries(fmt.formatToParts(t).map((p) => [p.type, p.value]));
  return { y: Number(parts.year), mo: Number(parts.month), d: Number(parts.day), h: Number(parts.hour), mi: Number(parts.minute) };
}

const two = (x: number) => String(x).padStart(2, '0');

/** How far the zone's wall clock (w, at t) is ahead of UTC (ms). */
function offsetAt(w: WallClock, t: number): number {
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi) - Math.floor(t / 60_000) * 60_000;
}

/** Counts sessions into buckets; `add` takes a start time (ms) and ignores any outside the window. */
export class ActivityBuckets {
  readonly buckets: Bucket[] = [];
  private readonly index = new Map<string, Bucket>();
  private readonly fmt: Intl.DateTimeFormat;

  constructor(
    readonly unit: BucketUnit,
    timeZone: string,
    from: number,
    to: number,
  ) {
    this.fmt = formatter(timeZone);
    // A local hour lasts at least a quarter of an hour (Chatham's clock moves from 02:45
    // to 03:45, leaving 15 minutes of its 03:00) or is skipped, and a local day at least
    // 22 hours: stepping by a quarter of an hour, or half a day, meets each one, in order.
    const step = unit === 'hour' ? HOUR / 4 : 12 * HOUR;
    let before: { t: number; id: string } | undefined;
    for (let t = from; ; t = Math.min(t + step, to)) {
      const id = this.idOf(t);
      if (!this.index.has(id)) {
        // Each bucket begins where the one before ended; the first, where its own began.
        const start = before ? this.firstChange(before.t, t, before.id) : this.firstStart(t, id, step);
        const bucket = { key: this.labelOf(t), start, count: 0 };
        this.index.set(id, bucket);
        this.buckets.push(bucket);
      }
      before = { t, id };
      if (t >= to) break;
    }
    // An hour met twice: each says which of the zone's offsets it was in.
    const seen = new Map<string, number>();
    for (const b of this.buckets) seen.set(b.key, (seen.get(b.key) ?? 0) + 1);
    for (const [id, b] of this.index) if ((seen.get(b.key) ?? 0) > 1) b.key = `${b.key} (UTC${id.slice(id.lastIndexOf(' ') + 1)})`;
  }

  /** How many buckets a window would have, without building them. */
  static estimate(unit: BucketUnit, from: number, to: number): number {
    return Math.ceil((to - from) / (unit === 'hour' ? HOUR : 24 * HOUR)) + 1;
  }

  add(t: number): void {
    const bucket = this.index.get(this.idOf(t));
    if (bucket) bucket.count++;
  }

  private labelOf(t: number): string {
    return this.label(wallClock(this.fmt, t));
  }

  private label(w: WallClock): string {
    const day = `${w.y}-${two(w.mo)}-${two(w.d)}`;
    return this.unit === 'day' ? day : `${day} ${two(w.h)}:00`;
  }

  /** The bucket of t: its label, and for an hour the zone's offset, which tells a repeated hour's two apart. */
  private idOf(t: number): string {
    const w = wallClock(this.fmt, t);
    if (this.unit === 'day') return this.label(w);
    const minutes = Math.round(offsetAt(w, t) / 60_000);
    const sign = minutes < 0 ? '-' : '+';
    return `${this.label(w)} ${sign}${two(Math.floor(Math.abs(minutes) / 60))}:${two(Math.abs(minutes) % 60)}`;
  }

  /** Where the bucket holding t (`id`) began: found by stepping back out of it, then narrowing down. */
  private firstStart(t: number, id: string, step: number): number {
    let outside = t - step;
    while (this.idOf(outside) === id) outside -= step;
    return this.firstChange(outside, t, this.idOf(outside));
  }

  /**
   * The first instant after a, up to b, that is in another bucket than a's (`id`). Buckets
   * begin on whole minutes, so the minute a is in, and the one b is in or before, are in
   * the same buckets as a and b: the search is over whole minutes.
   */
  private firstChange(a: number, b: number, id: string): number {
    let inside = Math.floor(a / 60_000);
    let outside = Math.ceil(b / 60_000);
    while (outside - inside > 1) {
      const mid = Math.floor((inside + outside) / 2);
      if (this.idOf(mid * 60_000) === id) inside = mid;
      else outside = mid;
    }
    return outside * 60_000;
  }

}
