import type { AgentAdmission } from '../auth/agentAdmission';
import { verifyAgentToken, type AgentClaims } from '../auth/agentToken';
import type { ConsoleTicketBook } from '../auth/consoleTickets';
import type { Config } from '../config/schema';
import { iceServersFor } from '../ice/iceServers';
import { deviceFromUserAgent } from '../identity/device';
import { ErrorCode, isEndReason } from '../protocol/codes';
import { newParticipantId, type Membership, type SessionService } from '../sessions/sessionService';
import type { ConnectionContext, MessageRouter } from './router';

export interface SessionHandlerDeps {
  config: Config;
  sessions: SessionService;
  admission: AgentAdmission;
  tickets: ConsoleTicketBook;
}

function refuseIfInSession(connection: ConnectionContext, type: string): boolean {
  if (!connection.participantId) return false;
  connection.fail(ErrorCode.AlreadyInSession, type);
  return true;
}

/** Runs an operation for the socket's participant; refusals (and sockets in no session) get an error reply. */
async function asParticipant(
  connection: ConnectionContext,
  type: string,
  operation: (participantId: string) => Promise<ErrorCode | undefined>,
): Promise<void> {
  const refused = connection.participantId ? await operation(connection.participantId) : ErrorCode.NotInSession;
  if (refused) connection.fail(refused, type);
}

/** Sends session.joined (and Customer Info to agents) once a join or resume has taken effect. */
export function sendJoined(connection: ConnectionContext, sessions: SessionService, membership: Membership, resumed: boolean): void {
  const joined = sessions.joinedMessage(membership, resumed);
  if (!joined) return;
  connection.reply(joined);
  if (joined.self.role === 'agent') connection.send(sessions.sessionInfo(membership.session));
}

/** The core session messages: start, join, resume, relay, restart a pair, video on/off, hang up, END, report. */
export function registerSessionHandlers(router: MessageRouter, deps: SessionHandlerDeps): void {
  const { sessions } = deps;

  router.on('visitor.start', async (connection, message) => {
    if (refuseIfInSession(connection, message.type)) return;
    const allowed = await connection.startSession();
    if (!allowed.ok) return connection.fail(ErrorCode.RateLimited, message.type, allowed.retryAfterSeconds);
    const participantId = await connection.attach(newParticipantId());
    const membership = await sessions.startVisitor(participantId, connection.siteId, deviceFromUserAgent(connection.userAgent));
    connection.reply({
      type: 'session.created',
      sessionId: membership.session.id,
      code: membership.session.code,
      codeExpiresAt: membership.session.codeExpiresAt,
      self: { id: participantId, role: 'visitor', media: { video: true, paused: false }, privileges: [] },
      resumeToken: membership.resumeToken,
      iceServers: iceServersFor(participantId, deps.config.ice, Date.now()),
      maskSelectors: deps.config.cobrowse.maskSelectors,
    });
  });

  async function joinAsAgent(connection: ConnectionContext, sessionId: string, claims: AgentClaims): Promise<void> {
    const participantId = await connection.attach(newParticipantId());
    const joined = await sessions.joinAgent(sessionId, { sub: claims.sub, name: claims.name, privileges: claims.privileges }, participantId);
    if (!joined.ok) {
      await connection.detach();
      return connection.fail(joined.code, 'agent.join');
    }
    sendJoined(connection, sessions, joined, false);
  }

  router.on('agent.join', async (connection, message) => {
    if (refuseIfInSession(connection, message.type)) return;
    if ('ticket' in message) {
      const redeemed = deps.tickets.redeem(message.ticket, Date.now());
      if (!redeemed) return connection.fail(ErrorCode.InvalidTicket, message.type);
      return joinAsAgent(connection, redeemed.sessionId, redeemed.claims);
    }
    const verified = verifyAgentToken(message.token, deps.config.agentTokenSecret, Date.now());
    if (!verified.ok) return connection.fail(verified.code, message.type);
    const admitted = await deps.admission.checkCode(verified.claims, message.code, connection.ip);
    if (!admitted.ok) return connection.fail(admitted.code, message.type, admitted.retryAfterSeconds);
    await joinAsAgent(connection, admitted.session.id, verified.claims);
  });

  router.on('session.resume', async (connection, message) => {
    if (refuseIfInSession(connection, message.type)) return;
    const known = sessions.participantForResumeToken(message.resumeToken);
    if (known) await connection.attach(known);
    const resumed = await sessions.resume(message.resumeToken, deviceFromUserAgent(connection.userAgent));
    if (!resumed.ok) {
      await connection.detach();
      // The session is over (perhaps ended by a restart of the service): say so, with why, as its members were told.
      // A stored reason the protocol doesn't name gets the plain session_ended error below.
      if ('endReason' in resumed && isEndReason(resumed.endReason)) return connection.reply({ type: 'session.ended', reason: resumed.endReason });
      return connection.fail(resumed.code, message.type);
    }
    sendJoined(connection, sessions, resumed, true);
  });

  router.on('signal', (connection, message, frame) => {
    if (!connection.participantId) return connection.fail(ErrorCode.NotInSession, message.type);
    const refused = sessions.relaySignal(connection.participantId, message, frame);
    if (refused) connection.fail(refused, message.type);
  });

  router.on('pair.restart', (c, m) => asParticipant(c, m.type, (id) => sessions.restartPair(id, m.peerId)));
  router.on('session.leave', (c, m) => asParticipant(c, m.type, (id) => sessions.hangUp(id)));
  router.on('session.end', (c, m) => asParticipant(c, m.type, (id) => sessions.end(id)));
  router.on('media.set', (c, m) => asParticipant(c, m.type, (id) => sessions.setVideo(id, m.video)));

  router.on('problem.report', async (connection, message) => {
    if (!connection.participantId) return connection.fail(ErrorCode.NotInSession, message.type);
    const result = await sessions.reportProblem(connection.participantId, message.description, message.diagnostics);
    if (!result.ok) return connection.fail(result.code, message.type);
    connection.reply({ type: 'problem.reported', referenceId: result.referenceId });
  });
}
