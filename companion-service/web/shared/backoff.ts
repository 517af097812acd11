/**
 * How the clients wait before trying again: the first wait after a success, doubled after each failure up to the
 * most. Without the cap a long outage would leave a page waiting minutes after the service came back.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly firstMs: number,
    private readonly mostMs: number,
  ) {}

  /** The wait before the next try; the one after is twice as long (up to the most). */
  next(): number {
    return Math.min(this.mostMs, this.firstMs * 2 ** this.failures++);
  }

  /** A try succeeded: the next failure waits the first wait again. */
  reset(): void {
    this.failures = 0;
  }

  /** No failure since the start or the last success. */
  get fresh(): boolean {
    return this.failures === 0;
  }
}
