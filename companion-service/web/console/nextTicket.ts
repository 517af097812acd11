import {
  CONSOLE_OPEN_KEY,
  CONSOLE_STATE_ATTRIBUTE,
  HANDOFF_SOURCE,
  isTicketHandoff,
  type ConsoleBusy,
  type ConsoleState,
} from '../shared/consoleHandoff';
import { carryTicketOverReload, ticketInFragment } from './ticket';

/* A Join that reaches this console window while it is open (see shared/consoleHandoff.ts): the join page posts the
 * ticket; a console link opened in this window (pasted into its address bar, say) changes only the fragment to
 * #ticket=…, so the page does not load again and only `hashchange` tells. An idle console (no session, or its session over) loads again with the ticket and joins; a console in a
 * session keeps its session, says so, and answers a posted ticket with `busy`. */

export function showConsoleState(state: ConsoleState): void {
  document.documentElement.setAttribute(CONSOLE_STATE_ATTRIBUTE, state);
  localStorage.setItem(CONSOLE_OPEN_KEY, state);
}

// Gone with the window (or a load of it, which says its state again).
window.addEventListener('pagehide', () => localStorage.removeItem(CONSOLE_OPEN_KEY));

/** Call once the first ticket was taken (or found missing), so that it is not taken twice. */
export function followNextTickets(inSession: () => boolean, refused: () => void): void {
  const take = (ticket: string): boolean => {
    if (inSession()) {
      refused();
      return false;
    }
    carryTicketOverReload(ticket);
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
