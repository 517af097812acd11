import { consoleUrl, HANDOFF_SOURCE, isConsoleReady, type TicketHandoff } from '../shared/consoleHandoff';

/* The agent console's window, opened inside the agent's click and loading /console at once; `deliver` hands it the
 * ticket as soon as both the ticket and the console are ready (see shared/consoleHandoff.ts). */
export class ConsoleWindow {
  private ready = false;
  private ticket: string | undefined;
  private readonly listener = (event: MessageEvent) => {
    if (event.source !== this.win || event.origin !== window.location.origin || !isConsoleReady(event.data)) return;
    this.ready = true;
    this.send();
  };

  private constructor(private readonly win: Window) {
    window.addEventListener('message', this.listener);
  }

  /** Opens (or reuses) the console window; undefined when the browser blocked it. */
  static open(): ConsoleWindow | undefined {
    const win = window.open(consoleUrl(), 'tandem-console');
    return win ? new ConsoleWindow(win) : undefined;
  }

  deliver(ticket: string): void {
    this.ticket = ticket;
    this.send();
  }

  /** The join failed: the empty console goes away. */
  close(): void {
    window.removeEventListener('message', this.listener);
    this.win.close();
  }

  private send(): void {
    if (!this.ready || !this.ticket || this.win.closed) return;
    const message: TicketHandoff = { source: HANDOFF_SOURCE.join, type: 'ticket', ticket: this.ticket };
    this.win.postMessage(message, window.location.origin);
    this.ticket = undefined;
    window.removeEventListener('message', this.listener);
  }
}
