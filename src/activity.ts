// Sessions per hour or per day, in a time zone: the buckets of a time window, in order,
// each with its label and the instant it starts. Pure: the window and zone are given.
export type BucketUnit = 'hour' | 'day';

export interface Bucket {
  /** `2026-11-26 10:00` or `2026-11-26`, in the time zone. */
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

function wallClock(fmt: Intl.DateTimeFormat, t: number): { y: number; mo: number; d: number; h: number; mi: number } {
  const parts = Object.fromEntries(fmt.formatToParts(t).map((p) => [p.type, p.value]));
  return { y: Number(parts.year), mo: Number(parts.month), d: Number(parts.day), h: Number(parts.hour), mi: Number(parts.minute) };
}

const two = (x: number) => String(x).padStart(2, '0');

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
    // Every local hour (and so every local day) lasts at least an hour, or is skipped by
    // a clock change: stepping an hour at a time meets each one, in order.
    for (let t = from; ; t = Math.min(t + HOUR, to)) {
      const key = this.keyOf(t);
      if (!this.index.has(key)) {
        const bucket = { key, start: this.startOf(t), count: 0 };
        this.index.set(key, bucket);
        this.buckets.push(bucket);
      }
      if (t >= to) break;
    }
  }

  /** How many buckets a window would have, without building them. */
  static estimate(unit: BucketUnit, from: number, to: number): number {
    return Math.ceil((to - from) / (unit === 'hour' ? HOUR : 24 * HOUR)) + 1;
  }

  add(t: number): void {
    const bucket = this.index.get(this.keyOf(t));
    if (bucket) bucket.count++;
  }

  private keyOf(t: number): string {
    const w = wallClock(this.fmt, t);
    const day = `${w.y}-${two(w.mo)}-${two(w.d)}`;
    return this.unit === 'day' ? day : `${day} ${two(w.h)}:00`;
  }

  /** The instant the bucket holding t begins: its wall-clock start, less the zone's offset at t. */
  private startOf(t: number): number {
    const w = wallClock(this.fmt, t);
    const offset = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi) - Math.floor(t / 60_000) * 60_000;
    return Date.UTC(w.y, w.mo - 1, w.d, this.unit === 'day' ? 0 : w.h) - offset;
  }
}
