import type { ErrorMessage } from '../../src/protocol/messages';

/* Messages the clients send on their own: WebRTC signals, pair restarts, the co-browse page stream, activity pings.
 * An error in reply to one of them is a race with someone leaving or the session moving on (a trickled candidate
 * for a guest who just left), not something the person did: it is not shown to them. */
const BACKGROUND: ReadonlySet<string> = new Set(['signal', 'pair.restart', 'cobrowse.events', 'visitor.active']);

export function isBackgroundError(m: ErrorMessage): boolean {
  return m.inReplyTo !== undefined && BACKGROUND.has(m.inReplyTo);
}
