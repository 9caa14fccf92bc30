// Shared by every request of one run, so that a 429 slows the whole walk instead of
// the one request that got it: the window of requests in flight halves and everyone
// waits out Retry-After; after a run of successes the window grows back (AIMD).
import { CancelledError } from '../errors';

export interface LimiterClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export class Limiter {
  private window: number;
  private inFlight = 0;
  private pausedUntil = 0;
  private streak = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(
    readonly max: number,
    private readonly clock: LimiterClock,
  ) {
    this.window = max;
  }

  get limit(): number {
    return this.window;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason ?? new CancelledError('interrupted');
      const wait = this.pausedUntil - this.clock.now();
      if (wait > 0) {
        await this.clock.sleep(wait, signal);
        continue;
      }
      if (this.inFlight < this.window) {
        this.inFlight++;
        return;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  release(): void {
    this.inFlight--;
    this.wakeAll();
  }

  rateLimited(retryAfterMs: number): void {
    this.window = Math.max(1, Math.floor(this.window / 2));
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + retryAfterMs);
    this.streak = 0;
  }

  succeeded(): void {
    if (this.window >= this.max) return;
    // Grow by one after as many successes as the window is wide: slow, steady recovery.
    if (++this.streak >= this.window) {
      this.window++;
      this.streak = 0;
      this.wakeAll();
    }
  }

  private wakeAll(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
