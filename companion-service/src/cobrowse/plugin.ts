import type { FastifyPluginAsync } from 'fastify';
import { Channels, type Bus } from '../bus/bus';
import type { Config } from '../config/schema';
import { ErrorCode } from '../protocol/codes';
import type { ServerMessage } from '../protocol/messages';
import { agentsOf, mayControl, visitorOf } from '../sessions/model';
import type { SessionService } from '../sessions/sessionService';
import type { InSession, MessageRouter } from '../signaling/router';
import { TokenBucket } from '../signaling/tokenBucket';
import { SnapshotRequests } from './snapshotRequests';
import { StreamChannel, streamPayload } from './streamChannel';

export interface CobrowseOptions {
  config: Config;
  sessions: SessionService;
  router: MessageRouter;
  bus: Bus;
}

/** Cobrowse: the visitor's rrweb stream to the session's agents only (size- and rate-limited per session), snapshot
 * requests, remote control with the visitor's consent, navigation, and read-aloud. The DOM work happens in the
 * browsers; the server decides who may send what to whom. */
export const cobrowsePlugin: FastifyPluginAsync<CobrowseOptions> = async (app, { config, sessions, router, bus }) => {
  const budgets = new Map<string, TokenBucket>();
  const { bytesPerSecond, burstBytes } = config.cobrowse;

  function budgetFor(sessionId: string): TokenBucket {
    let bucket = budgets.get(sessionId);
    if (!bucket) budgets.set(sessionId, (bucket = new TokenBucket(bytesPerSecond, burstBytes, Date.now())));
    return bucket;
  }
  // The visitor's socket is on the instance that keeps their budget: dropped when that instance stops holding the session.
  sessions.onGoneHere((sessionId) => void budgets.delete(sessionId));

  /** A message for the agent's visitor: control input needs the control the visitor granted to this agent. */
  async function toVisitor(connection: InSession, type: string, message: ServerMessage, needsControl: boolean) {
    // The router let only an agent in a session through, in this same tick.
    const session = sessions.sessionOf(connection.participantId)!;
    if (needsControl && !mayControl(session, connection.participantId))
      return connection.fail(ErrorCode.Forbidden, type);
    const visitor = visitorOf(session);
    if (!visitor) return connection.fail(ErrorCode.UnknownPeer, type);
    await sessions.send(visitor.id, message);
  }

  // Every participant's socket follows its co-browse channel; agents' get the visitor's stream on it.
  router.addParticipantFeed({
    channel: Channels.cobrowse,
    open: (socket, participantId) =>
      new StreamChannel(socket, config.cobrowse.agentBufferBytes, () => askForSnapshot(participantId)),
  });

  // Every request for a snapshot, the agents' own and the stream's to a slow agent, goes through here.
  const snapshotRequests = new SnapshotRequests((visitorId) =>
    sessions
      .send(visitorId, { type: 'cobrowse.snapshot.needed' })
      .catch((err: unknown) => app.log.warn({ err }, 'a snapshot request could not reach the page')),
  );
  app.addHook('onClose', async () => snapshotRequests.close());

  function askForSnapshot(agentId: string): void {
    const session = sessions.sessionOf(agentId);
    const visitor = session && visitorOf(session);
    if (visitor) snapshotRequests.request(visitor.id);
  }

  router.on('cobrowse.events', { in: 'session', role: ['visitor'] }, async (connection, message) => {
    const visitor = { id: connection.participantId, session: sessions.sessionOf(connection.participantId)! };
    const agents = agentsOf(visitor.session);
    if (agents.length === 0) return; // nobody to show it to; the recorder only runs while an agent is there
    const budget = budgetFor(visitor.session.id);
    if (!budget.take(Date.now(), message.data.length)) return connection.fail(ErrorCode.RateLimited, message.type);
    // Field by field: the request's `id` is the visitor's own, not something to pass on to agents.
    const { type, seq, part, parts, snapshot, encoding, data } = message;
    const wire = JSON.stringify({ type, seq, part, parts, snapshot, encoding, data, from: visitor.id });
    const payload = streamPayload(message, wire);
    for (const agent of agents) await bus.publish(Channels.cobrowse(agent.id), payload);
  });

  const AGENT = { in: 'session', role: ['agent'] } as const;

  router.on('cobrowse.snapshot.request', AGENT, (connection, message) => {
    const visitor = visitorOf(sessions.sessionOf(connection.participantId)!);
    if (!visitor) return connection.fail(ErrorCode.UnknownPeer, message.type);
    snapshotRequests.request(visitor.id);
  });

  router.command('control.request', (connection) => sessions.requestControl(connection.participantId));
  router.command('control.answer', (connection, message) =>
    sessions.answerControl(connection.participantId, message.granted),
  );
  router.command('control.release', (connection) => sessions.releaseControl(connection.participantId));

  router.on('control.input', AGENT, (c, m) =>
    toVisitor(c, m.type, { type: 'control.input', action: m.action, ...(m.seq !== undefined && { seq: m.seq }) }, true),
  );
  router.on('control.navigate', AGENT, (c, m) =>
    toVisitor(c, m.type, { type: 'control.navigate', action: m.action }, true),
  );
  // Read-aloud guides the visitor without acting on the page, so it needs no remote control.
  router.on('a11y.read', AGENT, (c, m) => toVisitor(c, m.type, { type: 'a11y.read', nodeId: m.nodeId }, false));
};
