// Deterministic randomness. Every value the simulator makes is a pure function of the
// seed and a few integers (a session's index, a request number...), so any session can be
// rebuilt on demand in any order: no state to keep, nothing to replay from the start.

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function mix(h: number, part: number): number {
  let k = Math.imul(part, 0xcc9e2d51);
  k = rotl(k, 15);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = rotl(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** A 32-bit hash of a list of integers (murmur3's mixing steps). */
export function hash32(...values: number[]): number {
  let h = 0x9747b28c;
  for (const value of values) {
    h = mix(h, value >>> 0);
    // Values above 2^32 (seeds, ms timestamps) must not collide with their low half.
    const hi = Math.floor(value / 4294967296) >>> 0;
    if (hi !== 0) h = mix(h, hi);
  }
  h ^= values.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Salts keep the streams drawn for different purposes independent of each other. */
export const Salt = {
  core: 1,
  detail: 2,
  sessionId: 3,
  socketId: 4,
  recording: 5,
  content: 6,
  feistel: 7,
  fault: 8,
  arrival: 9,
  ties: 10,
} as const;

/** mulberry32: small, fast, and good enough for test data. */
export class Rng {
  private state: number;

  constructor(...key: number[]) {
    this.state = hash32(...key);
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** An index into `weights`, chosen in proportion to them. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i] ?? 0;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** Log-uniform in [lo, hi]: durations are mostly short with a long tail. */
  logUniform(lo: number, hi: number): number {
    return Math.round(Math.exp(Math.log(lo) + this.float() * (Math.log(hi) - Math.log(lo))));
  }
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** A version-4-shaped UUID whose first 32 bits are `head` and the rest drawn from `rng`. */
export function uuidV4(head: number, rng: Rng): string {
  const a = rng.next();
  const b = rng.next();
  const c = rng.next();
  // Version nibble 4 in the 7th byte, variant bits 10 in the 9th.
  const w1 = ((a & 0xffff0fff) | 0x00004000) >>> 0;
  const w2 = ((b & 0x3fffffff) | 0x80000000) >>> 0;
  const s1 = hex8(head);
  const s2 = hex8(w1);
  const s3 = hex8(w2);
  const s4 = hex8(c);
  return `${s1}-${s2.slice(0, 4)}-${s2.slice(4)}-${s3.slice(0, 4)}-${s3.slice(4)}${s4}`;
}

/**
 * A keyed bijection on 32-bit integers (a 4-round Feistel network). Session IDs carry
 * permute(index) in their first 32 bits, so an ID can be mapped back to its session
 * without an index of every ID ever issued, and still looks random.
 */
export class Permutation32 {
  private readonly keys: number[];

  constructor(seed: number) {
    this.keys = [0, 1, 2, 3].map((r) => hash32(seed, Salt.feistel, r));
  }

  private round(r: number, half: number): number {
    return hash32(this.keys[r] ?? 0, half) & 0xffff;
  }

  forward(x: number): number {
    let l = (x >>> 16) & 0xffff;
    let r = x & 0xffff;
    for (let i = 0; i < 4; i++) [l, r] = [r, l ^ this.round(i, r)];
    return ((l << 16) | r) >>> 0;
  }

  inverse(y: number): number {
    let l = (y >>> 16) & 0xffff;
    let r = y & 0xffff;
    for (let i = 3; i >= 0; i--) [l, r] = [r ^ this.round(i, l), l];
    return ((l << 16) | r) >>> 0;
  }
}
