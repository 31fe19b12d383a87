/** A token bucket: `burst` at once, then one more every `everyMs`. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly burst: number,
    private readonly everyMs: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.at = now();
  }

  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (t - this.at) / this.everyMs);
    this.at = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** One bucket per key (a kiosk, an account, an address), forgotten when full again. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly burst: number,
    private readonly everyMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): boolean {
    if (this.buckets.size > 10_000) this.buckets.clear();
    const b = this.buckets.get(key) ?? new TokenBucket(this.burst, this.everyMs, this.now);
    this.buckets.set(key, b);
    return b.take();
  }
}
