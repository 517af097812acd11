/** Counts failed attempts per key in a fixed window and refuses a key once it reaches the limit until the window
 * that started with its first failure is over. Used for wrong session codes per agent. */
export class AttemptLimiter {
  private readonly windows = new Map<string, { startedAt: number; failures: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds until the key may try again, or 0 when it may try now. */
  retryAfterSeconds(key: string, now: number): number {
    const w = this.windows.get(key);
    if (!w) return 0;
    const endsAt = w.startedAt + this.windowMs;
    if (now >= endsAt) {
      this.windows.delete(key);
      return 0;
    }
    return w.failures >= this.limit ? Math.ceil((endsAt - now) / 1000) : 0;
  }

  /** Failures of the key in its current window. */
  failures(key: string, now: number): number {
    const w = this.windows.get(key);
    return w && now < w.startedAt + this.windowMs ? w.failures : 0;
  }

  recordFailure(key: string, now: number): void {
    const w = this.windows.get(key);
    if (!w || now >= w.startedAt + this.windowMs) this.windows.set(key, { startedAt: now, failures: 1 });
    else w.failures++;
  }

  /** Drops finished windows so the map can't grow without bound. */
  sweep(now: number): void {
    for (const [key, w] of this.windows) if (now >= w.startedAt + this.windowMs) this.windows.delete(key);
  }
}
