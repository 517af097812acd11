/** One timer per session, for the next time its rules have something to do (model's nextDeadline). Unref'd: a
 * pending deadline never keeps the process up. */
export class SessionTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly onDue: (sessionId: string) => void,
    private readonly now: () => number,
  ) {}

  /** Re-arms the session's timer for `deadline`; undefined: nothing pending. */
  set(sessionId: string, deadline: number | undefined): void {
    this.clear(sessionId);
    if (deadline === undefined) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(sessionId);
        this.onDue(sessionId);
      },
      Math.max(0, deadline - this.now()),
    );
    timer.unref();
    this.timers.set(sessionId, timer);
  }

  clear(sessionId: string): void {
    const timer = this.timers.get(sessionId);
    if (timer) clearTimeout(timer);
    this.timers.delete(sessionId);
  }

  clearAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
