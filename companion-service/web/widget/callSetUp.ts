/* Lets work that can wait (the co-browse recorder's first snapshot, a long task on a large page) stay out of the way
 * while the call is being set up: it waits for the connection to the agent to be up, for at most a bound, then for
 * an idle moment of the page. */

/** Opens once the connection to the agent is up; waiters give up after their own bound. */
export class ConnectionGate {
  private isOpen = false;
  private waiters: Array<() => void> = [];

  open(): void {
    this.isOpen = true;
    for (const wake of this.waiters.splice(0)) wake();
  }

  wait(maxMs: number): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      this.waiters.push(done);
    });
  }
}

/** Resolves in the page's next idle period, or after `maxMs` if it has none. */
export function whenIdle(maxMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (typeof window.requestIdleCallback === 'function') window.requestIdleCallback(() => resolve(), { timeout: maxMs });
    else setTimeout(resolve, 0);
  });
}
