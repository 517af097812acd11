import { PerformanceObserver } from 'node:perf_hooks';

export interface GcPauseSummary {
  /** Sum of the pauses, ms. */
  totalMs: number;
  /** The longest single pause, ms. */
  maxMs: number;
  count: number;
}

/** This process's garbage-collection pauses (V8 stops JavaScript for each). In the load generator a pause delays
 * every message in flight, whichever server is measured; in a server it delays every message it holds. Entries
 * arrive a little after each collection, so a summary taken at the window's edge can miss the last one. */
export class GcPauses {
  private summary: GcPauseSummary = { totalMs: 0, maxMs: 0, count: 0 };
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      this.summary.totalMs += entry.duration;
      this.summary.maxMs = Math.max(this.summary.maxMs, entry.duration);
      this.summary.count++;
    }
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** The pauses since the previous call (or since construction). */
  take(): GcPauseSummary {
    const summary = this.summary;
    this.summary = { totalMs: 0, maxMs: 0, count: 0 };
    return summary;
  }

  stop(): void {
    this.observer.disconnect();
  }
}
