// The limiter shared by one run's requests: a 429 halves the window and pauses everyone
// for Retry-After; successes widen it again, one at a time.
import { describe, expect, it } from 'vitest';
import { Limiter } from '../src/api/limiter';

function clock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe('Limiter', () => {
  it('lets at most `max` requests in flight', async () => {
    const l = new Limiter(2, clock());
    await l.acquire();
    await l.acquire();
    let third = false;
    const waiting = l.acquire().then(() => (third = true));
    await Promise.resolve();
    expect(third).toBe(false);
    l.release();
    await waiting;
    expect(third).toBe(true);
  });

  it('a 429 halves the window and pauses new requests for Retry-After', async () => {
    const c = clock();
    const l = new Limiter(8, c);
    l.rateLimited(3000);
    expect(l.limit).toBe(4);
    await l.acquire();
    expect(c.sleeps).toEqual([3000]);
    l.rateLimited(1000);
    l.rateLimited(1000);
    l.rateLimited(1000);
    expect(l.limit).toBe(1);
  });

  it('successes widen the window back, one step per window-full of successes', () => {
    const l = new Limiter(8, clock());
    l.rateLimited(0);
    l.rateLimited(0);
    expect(l.limit).toBe(2);
    l.succeeded();
    expect(l.limit).toBe(2);
    l.succeeded();
    expect(l.limit).toBe(3);
    for (let i = 0; i < 100; i++) l.succeeded();
    expect(l.limit).toBe(8);
  });
});
