import { EndReason } from '../../src/protocol/codes';
import { HANDOFF_SOURCE, type ConsoleEnded } from '../shared/consoleHandoff';
import { el } from '../shared/dom';

/* How the console says a session is over (or never started): the words for each end reason, the outcome card that
 * replaces the stage, and the note to the join page that opened this window. */

const ENDED_TEXT: Record<string, string> = {
  [EndReason.AgentEnded]: 'You ended the session.',
  [EndReason.AgentHangup]: 'You hung up.',
  [EndReason.VisitorHangup]: 'The customer hung up.',
  [EndReason.VisitorLost]: 'The customer\u2019s connection was lost.',
  [EndReason.AgentLost]: 'Your connection to the session was lost.',
  [EndReason.CodeExpired]: 'The session expired before it started.',
  [EndReason.VisitorDeclined]: 'The customer declined the invitation. The session did not start.',
  [EndReason.TermsTimeout]: 'The customer did not answer the invitation in time. The session did not start.',
  [EndReason.ServiceRestart]:
    'The Tandem service restarted, which ended the session. Join the customer again if needed.',
};

export function endedTitle(reason: string): string {
  if (reason === EndReason.VisitorDeclined) return 'The customer declined';
  if (reason === EndReason.TermsTimeout) return 'No answer from the customer';
  return 'Session ended';
}

export function endedText(reason: string): string {
  return ENDED_TEXT[reason] ?? 'The session has ended.';
}

/** Replaces the stage with the outcome. `calm` (an ordinary end) is a status; a problem is an alert. */
export function showOutcome(title: string, text: string, code: string | undefined, calm = false): void {
  const $ = (id: string) => document.getElementById(id) as HTMLElement;
  for (const id of ['stage', 'toolbar', 'status', 'alert']) $(id).hidden = true;
  const box = $('outcome');
  box.replaceChildren(el('h2', {}, title), el('p', { role: calm ? 'status' : 'alert' }, text));
  box.hidden = false;
  $('session-label').textContent = code ? `Session ${code}` : '';
}

/** The join page that opened this window says how the session it asked for ended (it knows them by id). */
export function tellOpener(sessionId: string | undefined, reason: string, started: boolean): void {
  if (sessionId === undefined) return;
  const ended: ConsoleEnded = { source: HANDOFF_SOURCE.console, sessionId, reason, started };
  try {
    const opener = window.opener as Window | null;
    opener?.postMessage(ended, window.location.origin);
  } catch {
    /* the opener went elsewhere: nothing to tell */
  }
}
