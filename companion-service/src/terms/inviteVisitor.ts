import type { AgentClaims } from '../auth/agentToken';
import type { ConsoleTickets } from '../auth/consoleTickets';
import type { Config } from '../config/schema';
import type { PresenceService } from '../presence/presenceService';
import { ErrorCode } from '../protocol/codes';
import type { SessionService } from '../sessions/sessionService';
import { tenantSites } from '../tenancy/tenants';
import { visitorKey, type VisitorRef } from '../tenancy/visitorIdentity';
import type { PromptTimers } from './promptTimers';

export interface InviteDeps {
  config: Config;
  sessions: SessionService;
  presence: PresenceService;
  tickets: ConsoleTickets;
  /** Take a prompt down when it expires. */
  promptTimers: PromptTimers;
}

export interface Invited {
  invitationId: string;
  sessionId: string;
  /** Who was invited: the visitor on the site where they were found. */
  visitor: VisitorRef;
  ticket: string;
  consoleUrl: string;
  /** When the visitor's terms prompt times out. */
  promptExpiresAt: number;
  ticketExpiresAt: number;
}

/** 1-click connect, for the join page's POST /api/agent/invitations and for Salesforce's Contact page alike: the
 * visitor is looked for on the agent's tenant's sites only (the agent names just the visitor id), one open invitation
 * per visitor, the invitation in the session service, the terms prompt on the visitor's most recently active tab
 * (taken down when it expires; the session times out by itself, a model rule), and a single-use console ticket. */
export async function inviteVisitor(
  deps: InviteDeps,
  agent: AgentClaims,
  visitorId: string,
): Promise<{ ok: true; invited: Invited } | { ok: false; code: ErrorCode }> {
  const { config, sessions, presence, tickets, promptTimers } = deps;
  const visitor = await presence.findOnline(tenantSites(agent, config), visitorId);
  if (!visitor) return { ok: false, code: ErrorCode.VisitorOffline };
  const key = visitorKey(visitor);
  const pending = sessions.invitations;
  if (!(await pending.reserve(key, Date.now()))) return { ok: false, code: ErrorCode.InvitationPending };
  let created: Awaited<ReturnType<SessionService['createInvitation']>>;
  try {
    created = await sessions.createInvitation(key, agent);
  } catch (err) {
    await pending.release(key);
    throw err;
  }
  const { session, invitationId } = created;
  const expiresAt = session.invitation!.expiresAt;
  await pending.sent(key, invitationId, expiresAt);
  const tab = await presence.sendToActiveTab(visitor, {
    type: 'terms.prompt',
    invitationId,
    agentName: agent.name,
    termsVersion: config.terms.version,
    termsText: config.terms.text,
    expiresAt,
  });
  if (tab)
    promptTimers.at(
      expiresAt,
      () => void presence.sendToTab(tab, { type: 'terms.closed', invitationId, reason: 'expired' }),
    );
  const issued = await tickets.issue(agent, session.id, Date.now());
  const consoleUrl = new URL(`/console#ticket=${issued.ticket}`, config.publicUrl).toString();
  return {
    ok: true,
    invited: {
      invitationId,
      sessionId: session.id,
      visitor,
      ticket: issued.ticket,
      consoleUrl,
      promptExpiresAt: expiresAt,
      ticketExpiresAt: issued.expiresAt,
    },
  };
}
