/** A token bucket: `ratePerSecond` tokens refill continuously up to `burst`; each message takes one (or `cost`). */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Whether the bucket has refilled completely by `now` (it then holds nothing a fresh one wouldn't). */
  isFull(now: number): boolean {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    return this.tokens + elapsed * this.ratePerSecond >= this.burst;
  }

  take(now: number, cost = 1): boolean {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.ratePerSecond);
    this.updatedAt = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}
