/* Lets work that can wait (loading the co-browse recorder and its first snapshot, long tasks on a large page) stay
 * out of the way while the call is being set up: it waits for the connection to the agent to be up, for at most a
 * bound. */

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
