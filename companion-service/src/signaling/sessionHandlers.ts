import type { AgentAdmission } from '../auth/agentAdmission';
import { verifyAgentToken, type AgentClaims } from '../auth/agentToken';
import type { ConsoleTickets } from '../auth/consoleTickets';
import type { Config } from '../config/schema';
import { deviceFromUserAgent } from '../identity/device';
import { ErrorCode, isEndReason } from '../protocol/codes';
import { newParticipantId, type Membership, type SessionService } from '../sessions/sessionService';
import type { ConnectionContext, MessageRouter } from './router';

export interface SessionHandlerDeps {
  config: Config;
  sessions: SessionService;
  admission: AgentAdmission;
  tickets: ConsoleTickets;
}

/** Answers a refused operation with its error. */
function failIf(connection: ConnectionContext, type: string, refused: ErrorCode | undefined): void {
  if (refused) connection.fail(refused, type);
}

/** Sends session.joined (and Customer Info to agents) once a join or resume has taken effect. */
export async function sendJoined(
  connection: ConnectionContext,
  sessions: SessionService,
  membership: Membership,
  resumed: boolean,
): Promise<void> {
  const joined = sessions.joinedMessage(membership, resumed);
  if (!joined) return;
  connection.reply(joined);
  if (joined.self.role === 'agent') connection.send(await sessions.sessionInfo(membership.session));
}

/** The core session messages: start, join, resume, relay, restart a pair, video on/off, hang up, END, report. Who
 * may send each is declared with its handler; for session commands it is the transition table's. */
export function registerSessionHandlers(router: MessageRouter, deps: SessionHandlerDeps): void {
  const { sessions } = deps;

  router.on('visitor.start', { in: 'none' }, async (connection, message) => {
    const allowed = await connection.startSession();
    if (!allowed.ok) return connection.fail(ErrorCode.RateLimited, message.type, allowed.retryAfterSeconds);
    const participantId = await connection.attach(newParticipantId());
    const membership = await sessions.startVisitor(
      participantId,
      connection.siteId,
      deviceFromUserAgent(connection.userAgent),
    );
    const created = sessions.createdMessage(membership);
    if (created) connection.reply(created);
  });

  async function joinAsAgent(
    connection: ConnectionContext,
    sessionId: string,
    claims: AgentClaims,
    choices: { video?: boolean },
  ): Promise<void> {
    const participantId = await connection.attach(newParticipantId());
    const joined = await sessions.joinAgent(
      sessionId,
      { sub: claims.sub, name: claims.name, privileges: claims.privileges },
      participantId,
      choices,
    );
    if (!joined.ok) {
      await connection.detach();
      return connection.fail(joined.code, 'agent.join');
    }
    await sendJoined(connection, sessions, joined, false);
  }

  router.on('agent.join', { in: 'none' }, async (connection, message) => {
    if ('ticket' in message) {
      const redeemed = await deps.tickets.redeem(message.ticket, Date.now());
      if (!redeemed) return connection.fail(ErrorCode.InvalidTicket, message.type);
      return joinAsAgent(connection, redeemed.sessionId, redeemed.claims, { video: message.video });
    }
    const verified = verifyAgentToken(message.token, deps.config.agentTokenSecret, Date.now());
    if (!verified.ok) return connection.fail(verified.code, message.type);
    const admitted = await deps.admission.checkCode(verified.claims, message.code, connection.ip);
    if (!admitted.ok) return connection.fail(admitted.code, message.type, admitted.retryAfterSeconds);
    await joinAsAgent(connection, admitted.session.id, verified.claims, { video: message.video });
  });

  router.on('session.resume', { in: 'none' }, async (connection, message) => {
    const known = await sessions.participantForResumeToken(message.resumeToken);
    if (known) await connection.attach(known);
    const resumed = await sessions.resume(message.resumeToken, deviceFromUserAgent(connection.userAgent));
    if (!resumed.ok) {
      await connection.detach();
      // The session is over (perhaps ended by a restart of the service): say so, with why, as its members were told.
      // A stored reason the protocol doesn't name gets the plain session_ended error below.
      if ('endReason' in resumed && isEndReason(resumed.endReason))
        return connection.reply({ type: 'session.ended', reason: resumed.endReason });
      return connection.fail(resumed.code, message.type);
    }
    await sendJoined(connection, sessions, resumed, true);
  });

  router.on('signal', { in: 'session' }, (connection, message, frame) => {
    failIf(connection, message.type, sessions.relaySignal(connection.participantId, message, frame));
  });

  router.command('pair.restart', (c, m) => sessions.restartPair(c.participantId, m.peerId));
  router.command('session.leave', (c) => sessions.hangUp(c.participantId));
  router.command('session.end', (c) => sessions.end(c.participantId));
  router.command('media.set', (c, m) => sessions.setVideo(c.participantId, m.video, m.webrtc));
  router.command('peer.pause', (c, m) => sessions.pauseVideo(c.participantId, m.peerId, m.paused));

  router.on('problem.report', { in: 'session', role: ['agent'] }, async (connection, message) => {
    const result = await sessions.reportProblem(connection.participantId, message.description, message.diagnostics);
    if (!result.ok) return connection.fail(result.code, message.type);
    connection.reply({ type: 'problem.reported', referenceId: result.referenceId });
  });
}
