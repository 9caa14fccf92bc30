// Fault injection: what a client meets between itself and the API in real life (rate
// limits, proxies answering HTML or nothing, dropped and cut-off connections, stalls).
// Spec: comma-separated rules KIND[:RATE][@FROM[-TO]], e.g. "429:0.2,reset@3-4,500@10".

import { Rng, Salt } from './rng';

export const FAULT_KINDS = [
  '429',
  '429date',
  '500',
  '502',
  '503',
  '504',
  'html',
  'empty',
  'reset',
  'truncate',
  'slow',
  'malformed',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  kind: FaultKind;
  /** Probability 0..1 that the rule fires on a request inside its window. */
  rate: number;
  /** 1-based request numbers, both included; `to` is Infinity when open-ended. */
  from: number;
  to: number;
}

const RULE = /^([a-z0-9]+)(?::([^@]*))?(?:@(\d+)(?:-(\d*))?)?$/i;

export function parseFaults(spec: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const m = RULE.exec(part);
    const bad = (why: string): Error =>
      new Error(`invalid fault rule "${part}": ${why} (expected KIND[:RATE][@FROM[-TO]], KIND one of ${FAULT_KINDS.join(' ')})`);
    if (!m) throw bad('bad syntax');
    const kind = (m[1] ?? '').toLowerCase();
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw bad(`unknown kind "${m[1]}"`);
    let rate = 1;
    if (m[2] !== undefined) {
      rate = m[2].trim() === '' ? NaN : Number(m[2]);
      if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw bad(`rate "${m[2]}" is not a number from 0 to 1`);
    }
    const from = m[3] === undefined ? 1 : Number(m[3]);
    // "@5" and "@5-" both mean from request 5 on; "@5-5" is request 5 alone.
    const to = m[4] === undefined || m[4] === '' ? Infinity : Number(m[4]);
    if (from < 1) throw bad('request numbers start at 1');
    if (to < from) throw bad(`window ${from}-${to} is empty`);
    rules.push({ kind: kind as FaultKind, rate, from, to });
  }
  return rules;
}

/** Decides the fault for each request in turn, reproducibly for a given seed and spec. */
export class FaultInjector {
  private count = 0;

  constructor(
    private readonly seed: number,
    readonly rules: readonly FaultRule[],
  ) {}

  static fromSpec(seed: number, spec: string): FaultInjector {
    return new FaultInjector(seed, parseFaults(spec));
  }

  /** Counts one request and returns the first rule that fires on it, if any. */
  next(): FaultKind | undefined {
    const n = ++this.count;
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i];
      if (!rule || n < rule.from || n > rule.to) continue;
      // Keyed by the request number, not drawn from one stream, so a rule's decisions do
      // not depend on the other rules in the spec.
      if (rule.rate >= 1 || new Rng(this.seed, Salt.fault, n, i).float() < rule.rate) return rule.kind;
    }
    return undefined;
  }
}
