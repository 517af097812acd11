import type { AgentClaims } from '../auth/agentToken';
import type { ConsoleTicketBook } from '../auth/consoleTickets';
import type { Config } from '../config/schema';
import type { PresenceService } from '../presence/presenceService';
import { ErrorCode } from '../protocol/codes';
import type { SfJoinResponse } from '../protocol/salesforce';
import type { SessionService } from '../sessions/sessionService';

export interface InviteDeps {
  config: Config;
  sessions: SessionService;
  presence: PresenceService;
  tickets: ConsoleTicketBook;
  /** Timers that take a prompt down when it expires; cleared when the service closes. */
  promptTimers: Set<NodeJS.Timeout>;
}

/** 1-click connect for an agent on a Contact page, built from the same pieces as POST /api/agent/invitations
 * (terms/plugin.ts): presence check, invitation in the session service, terms prompt on the visitor's most recently
 * active tab (taken down when it expires), and a single-use console ticket. */
export async function inviteVisitor(
  deps: InviteDeps,
  agent: AgentClaims,
  visitorId: string,
): Promise<{ ok: true; response: SfJoinResponse } | { ok: false; code: ErrorCode }> {
  const { config, sessions, presence, tickets, promptTimers } = deps;
  if (!presence.isOnline(visitorId)) return { ok: false, code: ErrorCode.VisitorOffline };
  const { session, invitationId } = await sessions.createInvitation(visitorId, agent);
  const expiresAt = session.invitation!.expiresAt;
  const tab = await presence.sendToActiveTab(visitorId, {
    type: 'terms.prompt',
    invitationId,
    agentName: agent.name,
    termsVersion: config.terms.version,
    termsText: config.terms.text,
    expiresAt,
  });
  if (tab) {
    const timer = setTimeout(() => {
      promptTimers.delete(timer);
      void presence.sendToTab(tab, { type: 'terms.closed', invitationId, reason: 'expired' });
    }, Math.max(0, expiresAt - Date.now()));
    timer.unref();
    promptTimers.add(timer);
  }
  const issued = tickets.issue(agent, session.id, Date.now());
  const consoleUrl = new URL(`/console#ticket=${issued.ticket}`, config.publicUrl).toString();
  return { ok: true, response: { sessionId: session.id, ticket: issued.ticket, consoleUrl, expiresAt: issued.expiresAt } };
}
