import {
  CONSOLE_STATE_ATTRIBUTE,
  consoleUrl,
  HANDOFF_SOURCE,
  isTicketHandoff,
  markConsoleOpen,
  type ConsoleBusy,
  type ConsoleState,
} from '../shared/consoleHandoff';
import { ticketInFragment } from './ticket';

/* A Join that reaches this console window while it is open (see shared/consoleHandoff.ts): the join page posts the
 * ticket; a console link opened in this window (pasted into its address bar, say) changes only the fragment to
 * #ticket=…, so the page does not load again and only `hashchange` tells. An idle console (no session, or its session
 * over) loads again with the ticket and joins; a console in a session keeps its session, says so, and answers a
 * posted ticket with `busy`. */

export function showConsoleState(state: ConsoleState): void {
  document.documentElement.setAttribute(CONSOLE_STATE_ATTRIBUTE, state);
  markConsoleOpen(true);
}

// Gone with the window (or a load of it, which marks itself again).
window.addEventListener('pagehide', () => markConsoleOpen(false));

/** Call once the first ticket was taken (or found missing), so that it is not taken twice. */
export function followNextTickets(inSession: () => boolean, refused: () => void): void {
  const take = (ticket: string): boolean => {
    if (inSession()) {
      refused();
      return false;
    }
    // Loaded again with the ticket in its own fragment, which the next load takes (and takes out) like any link's.
    history.replaceState(null, '', consoleUrl(ticket));
    window.location.reload();
    return true;
  };
  window.addEventListener('hashchange', () => {
    const ticket = ticketInFragment();
    if (!ticket) return;
    history.replaceState(null, '', window.location.pathname);
    take(ticket);
  });
  window.addEventListener('message', (event) => {
    if (event.origin !== window.location.origin || !isTicketHandoff(event.data)) return;
    if (take(event.data.ticket)) return;
    const busy: ConsoleBusy = { source: HANDOFF_SOURCE.console, type: 'busy' };
    (event.source as Window | null)?.postMessage(busy, window.location.origin);
  });
}
