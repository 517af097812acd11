import type { FastifyPluginAsync } from 'fastify';
import type { ConsoleTickets } from '../auth/consoleTickets';
import { agentFromRequest, sendError } from '../auth/bearer';
import type { Config } from '../config/schema';
import { deviceFromUserAgent } from '../identity/device';
import type { PresenceService } from '../presence/presenceService';
import { ErrorCode } from '../protocol/codes';
import { ErrorBody, InvitationRequest, InvitationResponse } from '../protocol/http';
import { newParticipantId, type SessionService } from '../sessions/sessionService';
import { DuplicateRecordError } from '../store/storeErrors';
import { sendJoined } from '../signaling/sessionHandlers';
import { inviteVisitor } from './inviteVisitor';
import type { MessageRouter } from '../signaling/router';
import type { PromptTimers } from './promptTimers';

export interface TermsOptions {
  config: Config;
  sessions: SessionService;
  presence: PresenceService;
  tickets: ConsoleTickets;
  router: MessageRouter;
  promptTimers: PromptTimers;
}

/** 1-click connect: the agent's Join becomes a terms prompt on the visitor's active tab; the visitor's accept is
 * stored durably before the session goes on; a decline or a timeout is reported to the agent. */
export const termsPlugin: FastifyPluginAsync<TermsOptions> = async (
  app,
  { config, sessions, presence, tickets, router, promptTimers },
) => {
  app.post<{ Body: InvitationRequest }>(
    '/api/agent/invitations',
    { schema: { body: InvitationRequest, response: { 201: InvitationResponse, '4xx': ErrorBody } } },
    async (request, reply) => {
      const agent = agentFromRequest(request, reply, config);
      if (!agent) return reply;
      const result = await inviteVisitor(
        { config, sessions, presence, tickets, promptTimers },
        agent,
        request.body.visitorId,
      );
      if (!result.ok) return sendError(reply, result.code);
      const { invitationId, sessionId, ticket, consoleUrl, promptExpiresAt } = result.invited;
      return reply.code(201).send({ invitationId, sessionId, ticket, consoleUrl, expiresAt: promptExpiresAt });
    },
  );

  // The socket's visitor is (site, visitor id) (presence/plugin.ts): an invitation made for a visitor of one site is
  // answered only from that site's tabs, and the acceptance is stored with the site.
  router.on('terms.accept', { in: 'none', visitor: 'identified' }, async (connection, message) => {
    const visitorId = connection.visitorId;
    const participantId = await connection.attach(newParticipantId());
    let accepted: Awaited<ReturnType<SessionService['acceptTerms']>>;
    try {
      accepted = await sessions.acceptTerms({
        invitationId: message.invitationId,
        visitorId,
        termsHash: message.termsHash,
        participantId,
        ip: connection.ip,
        userAgent: connection.userAgent,
        device: deviceFromUserAgent(connection.userAgent),
      });
    } catch (err) {
      // Not stored, so not accepted: the visitor is told, and this tab may answer again while the prompt is open
      // (the store back). Already stored (an earlier try failed after the acceptance was written): the invitation
      // cannot be answered twice.
      await connection.detach();
      const duplicate = err instanceof DuplicateRecordError;
      app.log.error(
        { err, connection: connection.id, invitationId: message.invitationId },
        'terms acceptance could not be stored',
      );
      return connection.fail(duplicate ? ErrorCode.InvalidInvitation : ErrorCode.Internal, message.type);
    }
    if (!accepted.ok) {
      await connection.detach();
      return connection.fail(accepted.code, message.type);
    }
    await sendJoined(connection, sessions, accepted, false);
  });

  router.on('terms.decline', { in: 'any', visitor: 'identified' }, async (connection, message) => {
    const refused = await sessions.declineTerms(message.invitationId, connection.visitorId);
    if (refused) connection.fail(refused, message.type);
  });
};
