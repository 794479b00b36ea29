// A token bucket: `rate` tokens per second, at most `burst` stored. One per association and
// request kind; two numbers of state, O(1) per request, no timers.

export class TokenBucket {
  tokens: number;
  stamp: number;
  /** Whether the last take() was refused (for "started being limited" events). */
  limited = false;

  constructor(now: number, burst: number) {
    this.tokens = burst;
    this.stamp = now;
  }

  /** Takes one token if there is one; refills first. rate <= 0 means unlimited. */
  take(now: number, rate: number, burst: number): boolean {
    if (rate <= 0) return true;
    const elapsed = now - this.stamp;
    if (elapsed > 0) {
      const t = this.tokens + (elapsed * rate) / 1000;
      this.tokens = t > burst ? burst : t;
      this.stamp = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

/** The bucket size for a rate: one second's worth, at least one request. */
export function burstOf(rate: number): number {
  return rate > 1 ? rate : 1;
}
