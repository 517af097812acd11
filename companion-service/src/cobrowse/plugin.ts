import type { FastifyPluginAsync } from 'fastify';
import { Channels, type Bus } from '../bus/bus';
import type { Config } from '../config/schema';
import { ErrorCode } from '../protocol/codes';
import type { ServerMessage } from '../protocol/messages';
import { findParticipant, mayControl, visitorOf } from '../sessions/model';
import type { SessionService } from '../sessions/sessionService';
import type { ConnectionContext, MessageRouter } from '../signaling/router';
import { TokenBucket } from '../signaling/tokenBucket';

export interface CobrowseOptions {
  config: Config;
  sessions: SessionService;
  router: MessageRouter;
  bus: Bus;
}

/** Cobrowse: the visitor's rrweb stream to the session's agents only (size- and rate-limited per session), snapshot
 * requests, remote control with the visitor's consent, navigation, and read-aloud. The DOM work happens in the
 * browsers; the server decides who may send what to whom. */
export const cobrowsePlugin: FastifyPluginAsync<CobrowseOptions> = async (_app, { config, sessions, router, bus }) => {
  const budgets = new Map<string, TokenBucket>();
  const { bytesPerSecond, burstBytes } = config.cobrowse;

  function budgetFor(sessionId: string): TokenBucket {
    let bucket = budgets.get(sessionId);
    if (!bucket) budgets.set(sessionId, (bucket = new TokenBucket(bytesPerSecond, burstBytes, Date.now())));
    return bucket;
  }
  sessions.onEnded(({ sessionId }) => void budgets.delete(sessionId));

  /** The session and role of the socket's participant, or an error reply. */
  function member(connection: ConnectionContext, type: string, role: 'visitor' | 'agent') {
    const id = connection.participantId;
    const session = id ? sessions.sessionOf(id) : undefined;
    if (!id || !session) {
      connection.fail(ErrorCode.NotInSession, type);
      return undefined;
    }
    if (findParticipant(session, id)?.role !== role) {
      connection.fail(ErrorCode.Forbidden, type);
      return undefined;
    }
    return { id, session };
  }

  async function toVisitor(connection: ConnectionContext, type: string, message: ServerMessage, needsControl: boolean) {
    const agent = member(connection, type, 'agent');
    if (!agent) return;
    if (needsControl && !mayControl(agent.session, agent.id)) return connection.fail(ErrorCode.Forbidden, type);
    const visitor = visitorOf(agent.session);
    if (!visitor) return connection.fail(ErrorCode.UnknownPeer, type);
    await sessions.send(visitor.id, message);
  }

  router.on('cobrowse.events', async (connection, message) => {
    const visitor = member(connection, message.type, 'visitor');
    if (!visitor) return;
    const agents = visitor.session.participants.filter((p) => p.role === 'agent');
    if (agents.length === 0) return; // nobody to show it to; the recorder only runs while an agent is there
    const budget = budgetFor(visitor.session.id);
    if (!budget.take(Date.now(), message.data.length)) return connection.fail(ErrorCode.RateLimited, message.type);
    // Field by field: the request's `id` is the visitor's own, not something to pass on to agents.
    const { type, seq, part, parts, snapshot, encoding, data } = message;
    const wire = JSON.stringify({ type, seq, part, parts, snapshot, encoding, data, from: visitor.id });
    const payload = (message.snapshot ? 'S' : 'D') + wire;
    for (const agent of agents) await bus.publish(Channels.cobrowse(agent.id), payload);
  });

  router.on('cobrowse.snapshot.request', (c, m) => toVisitor(c, m.type, { type: 'cobrowse.snapshot.needed' }, false));

  router.on('control.request', async (connection, message) => {
    if (!member(connection, message.type, 'agent')) return;
    const refused = await sessions.requestControl(connection.participantId!);
    if (refused) connection.fail(refused, message.type);
  });

  router.on('control.answer', async (connection, message) => {
    if (!member(connection, message.type, 'visitor')) return;
    const refused = await sessions.answerControl(connection.participantId!, message.granted);
    if (refused) connection.fail(refused, message.type);
  });

  router.on('control.release', async (connection, message) => {
    const refused = connection.participantId ? await sessions.releaseControl(connection.participantId) : ErrorCode.NotInSession;
    if (refused) connection.fail(refused, message.type);
  });

  router.on('control.input', (c, m) => toVisitor(c, m.type, { type: 'control.input', action: m.action }, true));
  router.on('control.navigate', (c, m) => toVisitor(c, m.type, { type: 'control.navigate', action: m.action }, true));
  // Read-aloud guides the visitor without acting on the page, so it needs no remote control.
  router.on('a11y.read', (c, m) => toVisitor(c, m.type, { type: 'a11y.read', nodeId: m.nodeId }, false));
};
