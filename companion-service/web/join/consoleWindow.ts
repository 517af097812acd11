import {
  CONSOLE_STATE_ATTRIBUTE,
  CONSOLE_WINDOW_NAME,
  consoleMayBeOpen,
  consoleUrl,
  HANDOFF_SOURCE,
  isConsoleBusy,
  isConsoleReady,
  type ConsoleState,
  type TicketHandoff,
} from '../shared/consoleHandoff';

/** How long the join page listens for a reused console's refusal of the ticket it was handed. */
const BUSY_ANSWER_WAIT_MS = 10_000;

/** What the join page says when the agent's console is in a session already. */
export const CONSOLE_BUSY_TEXT =
  'Your console is in a session. End that session before you join another customer (the console window is in front now).';

/* The agent console's window, opened inside the agent's click. A new window loads /console at once, and `deliver`
 * hands it the ticket as soon as both the ticket and the console are ready (see shared/consoleHandoff.ts). A console
 * window that is still open from an earlier Join is reused as it is, without loading it again: when it is idle it
 * takes the ticket; when it is in a session (`inSession`), nothing is asked for and the agent is told. */
export class ConsoleWindow {
  private ready: boolean;
  private ticket: string | undefined;
  private readonly listener = (event: MessageEvent) => {
    if (event.source !== this.win || event.origin !== window.location.origin) return;
    if (isConsoleReady(event.data)) {
      this.ready = true;
      this.send();
    } else if (isConsoleBusy(event.data)) {
      window.removeEventListener('message', this.listener);
      this.onBusy();
    }
  };

  private constructor(
    private readonly win: Window,
    /** A console window left open by an earlier Join, loaded and listening. */
    private readonly reused: boolean,
    private readonly onBusy: () => void,
  ) {
    this.ready = reused;
    window.addEventListener('message', this.listener);
  }

  /** Opens the console window, or finds the one still open; undefined when the browser blocked it. `onBusy`: the
   * console refused the ticket after all, because a session started in it meanwhile. */
  static open(onBusy: () => void): ConsoleWindow | undefined {
    if (!consoleMayBeOpen()) {
      const win = window.open(consoleUrl(), CONSOLE_WINDOW_NAME);
      return win ? new ConsoleWindow(win, false, onBusy) : undefined;
    }
    // No address here: an open console would load again and drop its session.
    const win = window.open('', CONSOLE_WINDOW_NAME);
    if (!win) return undefined;
    const reused = consoleStateOf(win) !== undefined;
    if (!reused) win.location.replace(consoleUrl());
    return new ConsoleWindow(win, reused, onBusy);
  }

  /** The window is a console in a session: it can't take a ticket now. */
  get inSession(): boolean {
    return this.reused && consoleStateOf(this.win) === 'in-session';
  }

  /** Brings the console window to the front and stops following it. */
  show(): void {
    window.removeEventListener('message', this.listener);
    this.win.focus();
  }

  deliver(ticket: string): void {
    this.ticket = ticket;
    this.send();
  }

  /** The join failed: an empty console we opened goes away; one that was open already stays as it was. */
  close(): void {
    window.removeEventListener('message', this.listener);
    if (!this.reused) this.win.close();
  }

  private send(): void {
    if (!this.ready || !this.ticket || this.win.closed) return;
    const message: TicketHandoff = { source: HANDOFF_SOURCE.join, type: 'ticket', ticket: this.ticket };
    this.win.postMessage(message, window.location.origin);
    this.ticket = undefined;
    // A reused console answers at once if it is busy (otherwise it loads again); a new one has nothing more to say.
    if (this.reused) setTimeout(() => window.removeEventListener('message', this.listener), BUSY_ANSWER_WAIT_MS);
    else window.removeEventListener('message', this.listener);
  }
}

/** The state a loaded console window of this origin shows, or undefined (a new window, another page, another
 * origin, a console still starting). */
function consoleStateOf(win: Window): ConsoleState | undefined {
  try {
    if (win.location.pathname !== new URL(consoleUrl(), window.location.href).pathname) return undefined;
    const state = win.document.documentElement.getAttribute(CONSOLE_STATE_ATTRIBUTE);
    return state === 'in-session' || state === 'idle' ? state : undefined;
  } catch {
    return undefined; // another origin's page: not ours to reuse
  }
}
