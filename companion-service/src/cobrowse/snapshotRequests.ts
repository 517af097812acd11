import { SNAPSHOT_REQUEST_INTERVAL_MS } from '../protocol/cobrowseLimits';

/* How often a customer's page is asked for a full snapshot. Each one serialises their whole page on their main thread
 * (tens of milliseconds on a desktop for 5,000 elements, several times that on a phone), so an agent's console, or
 * the stream to a slow agent, asking again and again must not freeze the customer's page. */

interface PageState {
  /** A request came in since the last one went out. */
  pending: boolean;
  timer: NodeJS.Timeout;
}

/** The first request to a page goes at once; those within the interval after it become one, sent when the interval
 * ends, so no agent is left without the snapshot it asked for. */
export class SnapshotRequests {
  private readonly pages = new Map<string, PageState>();

  constructor(
    /** Asks the page (the visitor's participant id) for a snapshot. */
    private readonly ask: (visitorId: string) => void,
    private readonly intervalMs = SNAPSHOT_REQUEST_INTERVAL_MS,
  ) {}

  request(visitorId: string): void {
    const page = this.pages.get(visitorId);
    if (page) {
      page.pending = true;
      return;
    }
    this.send(visitorId);
  }

  /** Stops the timers (the service is closing). */
  close(): void {
    for (const page of this.pages.values()) clearTimeout(page.timer);
    this.pages.clear();
  }

  private send(visitorId: string): void {
    this.ask(visitorId);
    const timer = setTimeout(() => {
      const page = this.pages.get(visitorId);
      this.pages.delete(visitorId);
      if (page?.pending) this.send(visitorId);
    }, this.intervalMs);
    timer.unref();
    this.pages.set(visitorId, { pending: false, timer });
  }
}
