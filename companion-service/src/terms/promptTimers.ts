/** The timers that take terms prompts down when they expire, for every way an invitation is sent (the join page,
 * Salesforce): one set per service, cleared when it closes. Unref'd: a pending prompt never keeps the process up. */
export class PromptTimers {
  private readonly timers = new Set<NodeJS.Timeout>();

  at(dueAt: number, run: () => void): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        run();
      },
      Math.max(0, dueAt - Date.now()),
    );
    timer.unref();
    this.timers.add(timer);
  }

  clearAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
