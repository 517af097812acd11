/** Wrong keys from one address (or one org): once there have been `threshold` within the window, each further attempt
 * from there must wait a doubling delay after the last wrong one (1 s, 2 s, 4 s ... up to the window). It applies only
 * to agents who have themselves tried a wrong key (AgentAdmission decides): a contact center's agents share one NAT
 * address, and the ones who type their keys right must never be held up by the ones who don't. */
export class AddressBackoff {
  private readonly records = new Map<string, { startedAt: number; failures: number; lastAt: number }>();

  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds until the next attempt from `key` may be made, or 0. */
  retryAfterSeconds(key: string, now: number): number {
    const r = this.records.get(key);
    if (!r || now >= r.startedAt + this.windowMs) return 0;
    if (r.failures < this.threshold) return 0;
    const delayMs = Math.min(this.windowMs, 1000 * 2 ** Math.min(30, r.failures - this.threshold));
    return Math.max(0, Math.ceil((r.lastAt + delayMs - now) / 1000));
  }

  recordFailure(key: string, now: number): void {
    const r = this.records.get(key);
    if (!r || now >= r.startedAt + this.windowMs) this.records.set(key, { startedAt: now, failures: 1, lastAt: now });
    else {
      r.failures++;
      r.lastAt = now;
    }
  }

  sweep(now: number): void {
    for (const [key, r] of this.records) if (now >= r.startedAt + this.windowMs) this.records.delete(key);
  }
}
