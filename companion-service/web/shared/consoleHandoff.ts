/* How the join page hands the agent console its single-use ticket. The join page opens the console window inside
 * the agent's click (popup blockers allow nothing later) and points it at /console straight away, so the console
 * loads and starts the camera while the join page asks the service for the ticket; the ticket then goes over by
 * postMessage between the two same-origin windows, never through a URL sent anywhere. Salesforce opens the console
 * with the ticket in the URL fragment instead (a fragment never leaves the browser).
 *
 * The join page opens the same named window every time, so its Join while a console is still open reaches that
 * console and posts the ticket to it; the console takes the ticket when it is idle and refuses it while it is in a
 * session (console/nextTicket.ts). Salesforce's page, on another origin, can't reach an open console (the service
 * sends Cross-Origin-Opener-Policy: same-origin): each of its Joins opens a window of its own. */

export const HANDOFF_SOURCE = { console: 'tandem-console', join: 'tandem-join' } as const;

/** The name of the console's window: Salesforce's component (force-app tandemJoin) uses the same. */
export const CONSOLE_WINDOW_NAME = 'tandem-console';

/** On the console document's root element: whether the console is in a session ('in-session') or could take one
 * ('idle'). The join page reads it before asking for a ticket; absent while the console is still starting. */
export const CONSOLE_STATE_ATTRIBUTE = 'data-console-state';
export type ConsoleState = 'in-session' | 'idle';

/** In localStorage while a console window of this origin is open: the join page looks for an open console only
 * then, and otherwise opens the window straight at /console, which is faster than opening it empty and pointing it
 * there. */
const CONSOLE_OPEN_KEY = 'tandem.console.open';

/** The console marks itself open (or, gone, no longer). Storage blocked by the browser: no mark, and the join page
 * opens its window at /console as always. */
export function markConsoleOpen(open: boolean): void {
  try {
    if (open) localStorage.setItem(CONSOLE_OPEN_KEY, 'open');
    else localStorage.removeItem(CONSOLE_OPEN_KEY);
  } catch {
    /* storage blocked */
  }
}

/** Whether a console of this origin may be open (it marked itself so). */
export function consoleMayBeOpen(): boolean {
  try {
    return localStorage.getItem(CONSOLE_OPEN_KEY) !== null;
  } catch {
    return false;
  }
}

/** The agent console's address, with a ticket in the fragment when it travels by link (a fragment never reaches a
 * server or its logs). */
export function consoleUrl(ticket?: string): string {
  return ticket === undefined ? '/console' : `/console#ticket=${encodeURIComponent(ticket)}`;
}

/** The console, waiting for its ticket, tells its opener so. */
export interface ConsoleReady {
  source: typeof HANDOFF_SOURCE.console;
  type: 'ready';
}
/** The console's answer to a ticket that came while it was in a session: it kept its session. */
export interface ConsoleBusy {
  source: typeof HANDOFF_SOURCE.console;
  type: 'busy';
}
/** The console tells the window that opened it how a session ended (or that it never started). */
export interface ConsoleEnded {
  source: typeof HANDOFF_SOURCE.console;
  sessionId: string;
  /** An EndReason. */
  reason: string;
  /** Whether the customer was ever in the call. */
  started: boolean;
}
/** The opener's answer. */
export interface TicketHandoff {
  source: typeof HANDOFF_SOURCE.join;
  type: 'ticket';
  ticket: string;
}

const TICKET_PATTERN = /^[A-Za-z0-9_-]{16,256}$/;

export function isConsoleReady(data: unknown): data is ConsoleReady {
  const d = data as Partial<ConsoleReady> | null;
  return !!d && d.source === HANDOFF_SOURCE.console && d.type === 'ready';
}

export function isConsoleBusy(data: unknown): data is ConsoleBusy {
  const d = data as Partial<ConsoleBusy> | null;
  return !!d && d.source === HANDOFF_SOURCE.console && d.type === 'busy';
}

export function isConsoleEnded(data: unknown): data is ConsoleEnded {
  const d = data as Partial<ConsoleEnded> | null;
  return (
    !!d &&
    d.source === HANDOFF_SOURCE.console &&
    typeof d.sessionId === 'string' &&
    typeof d.reason === 'string' &&
    typeof d.started === 'boolean'
  );
}

export function isTicketHandoff(data: unknown): data is TicketHandoff {
  const d = data as Partial<TicketHandoff> | null;
  return (
    !!d &&
    d.source === HANDOFF_SOURCE.join &&
    d.type === 'ticket' &&
    typeof d.ticket === 'string' &&
    TICKET_PATTERN.test(d.ticket)
  );
}
