import { TokenBucket } from './tokenBucket';

/* Per client address: how many sockets it has open, and how fast it may start sessions. One address can't open
 * thousands of sockets or create sessions (each writes rows) without bound. The maps hold only addresses in use:
 * a socket count leaves at zero, a session bucket once it is full again. */

const PRUNE_EVERY = 1000;

export class AddressLimits {
  private readonly sockets = new Map<string, number>();
  private readonly sessionStarts = new Map<string, TokenBucket>();
  private starts = 0;

  constructor(
    private readonly socketsPerAddress: number,
    private readonly sessionsPerMinute: number,
  ) {}

  /** Counts a new socket from `address`; false when the address already has its share open. */
  openSocket(address: string): boolean {
    const open = this.sockets.get(address) ?? 0;
    if (open >= this.socketsPerAddress) return false;
    this.sockets.set(address, open + 1);
    return true;
  }

  closeSocket(address: string): void {
    const open = (this.sockets.get(address) ?? 0) - 1;
    if (open > 0) this.sockets.set(address, open);
    else this.sockets.delete(address);
  }

  /** Takes one session start for `address`; when none is left, how long until one is. */
  startSession(address: string, now: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    if (++this.starts % PRUNE_EVERY === 0) this.prune(now);
    let bucket = this.sessionStarts.get(address);
    if (!bucket)
      this.sessionStarts.set(
        address,
        (bucket = new TokenBucket(this.sessionsPerMinute / 60, this.sessionsPerMinute, now)),
      );
    if (bucket.take(now)) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(60 / this.sessionsPerMinute)) };
  }

  /** Buckets that have filled up again say nothing a new one wouldn't. */
  private prune(now: number): void {
    for (const [address, bucket] of this.sessionStarts) if (bucket.isFull(now)) this.sessionStarts.delete(address);
  }
}
