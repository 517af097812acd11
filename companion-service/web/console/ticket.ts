import { HANDOFF_SOURCE, isTicketHandoff, type ConsoleReady } from '../shared/consoleHandoff';

/* Where the console's single-use ticket comes from: the URL fragment (Salesforce, a link the agent opened, or an idle
 * console that loaded again to take the next Join's ticket: nextTicket.ts), or the join page that opened this window,
 * by postMessage (see shared/consoleHandoff.ts). */

/** How long the console waits for its opener's ticket before saying there is no session. */
const HANDOFF_WAIT_MS = 20_000;

/** Whether a ticket is on its way: read before receiveTicket takes it. */
export function ticketExpected(): boolean {
  return !!ticketInFragment() || !!window.opener;
}

export function ticketInFragment(): string | undefined {
  return new URLSearchParams(window.location.hash.slice(1)).get('ticket') ?? undefined;
}

export function receiveTicket(): Promise<string | undefined> {
  const fromUrl = ticketInFragment();
  // Single use anyway, but keep it out of the history and out of anything copied from the address bar.
  history.replaceState(null, '', window.location.pathname);
  if (fromUrl) return Promise.resolve(fromUrl);
  const opener = window.opener as Window | null;
  if (!opener) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const done = (ticket: string | undefined) => {
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      resolve(ticket);
    };
    const onMessage = (event: MessageEvent) => {
      if (event.source === opener && event.origin === window.location.origin && isTicketHandoff(event.data))
        done(event.data.ticket);
    };
    const timer = setTimeout(() => done(undefined), HANDOFF_WAIT_MS);
    window.addEventListener('message', onMessage);
    try {
      const ready: ConsoleReady = { source: HANDOFF_SOURCE.console, type: 'ready' };
      opener.postMessage(ready, window.location.origin);
    } catch {
      done(undefined); // the opener went elsewhere
    }
  });
}
