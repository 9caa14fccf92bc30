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
    // A clock change moves a zone's clock by half an hour or more, so a local hour lasts at
    // least half an hour (Lord Howe Island's repeated half hour) or is skipped: stepping a
    // quarter of an hour at a time meets each one, in order; each day, an hour at a time.
    const step = unit === 'hour' ? HOUR / 4 : HOUR;
    let before: { t: number; id: string; offset: number } | undefined;
    for (let t = from; ; t = Math.min(t + step, to)) {
      const id = this.idOf(t);
      const offset = offsetAt(wallClock(this.fmt, t), t);
      if (!this.index.has(id)) {
        // Where the clock changed since the last step, the bucket begins no earlier than the change.
        const changed = before && before.offset !== offset ? this.firstChange(before.t, t, before.id) : -Infinity;
        const bucket = { key: this.labelOf(t), start: Math.max(this.startOf(t), changed), count: 0 };
        this.index.set(id, bucket);
        this.buckets.push(bucket);
      }
      before = { t, id, offset };
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

  /**
   * The instant the bucket holding t begins: its wall-clock start, less the zone's offset
   * then (which for a day may differ from the offset at t).
   */
  private startOf(t: number): number {
    const w = wallClock(this.fmt, t);
    const wallStart = Date.UTC(w.y, w.mo - 1, w.d, this.unit === 'day' ? 0 : w.h);
    const guess = wallStart - offsetAt(w, t);
    return wallStart - offsetAt(wallClock(this.fmt, guess), guess);
  }

  /** The first whole minute after a, up to b, that is in another bucket than a's (`id`). */
  private firstChange(a: number, b: number, id: string): number {
    let inside = a;
    let outside = b;
    for (;;) {
      const mid = Math.floor((inside + outside) / 2 / 60_000) * 60_000;
      if (mid <= inside || mid >= outside) return outside;
      if (this.idOf(mid) === id) inside = mid;
      else outside = mid;
    }
  }
}
