import type { FastifyPluginAsync } from 'fastify';
import { ErrorCode } from '../protocol/codes';
import type { ServerMessage } from '../protocol/messages';
import { findParticipant, mayGuide, visitorOf } from '../sessions/model';
import type { SessionService } from '../sessions/sessionService';
import type { InSession, MessageRouter } from '../signaling/router';
import { TokenBucket } from '../signaling/tokenBucket';

export interface GuideOptions {
  sessions: SessionService;
  router: MessageRouter;
}

/** An agent's guiding messages per second, and the burst above it. The console sends at most 30 a second (pointer and
 * stroke batches together); more is a misbehaving client, refused without being relayed. */
export const GUIDE_MESSAGES_PER_SECOND = 40;
export const GUIDE_BURST = 60;

/** Guiding: the agent's pointer, click gestures and drawings, relayed to the visitor's page to show over it (in the
 * widget's own layer; nothing on the page is acted on). Only an agent of the session sends them, only while the
 * visitor's page is shared, and at a bounded rate; anyone else is refused and nothing reaches the visitor. */
export const guidePlugin: FastifyPluginAsync<GuideOptions> = async (_app, { sessions, router }) => {
  const budgets = new Map<string, TokenBucket>();
  sessions.onGoneHere((sessionId) => {
    for (const key of budgets.keys()) if (key.startsWith(`${sessionId}:`)) budgets.delete(key);
  });

  async function toVisitor(connection: InSession, type: string, message: ServerMessage): Promise<void> {
    // The router let only an agent in a session through, in this same tick.
    const session = sessions.sessionOf(connection.participantId)!;
    if (!mayGuide(session, connection.participantId)) return connection.fail(ErrorCode.UnknownPeer, type);
    const key = `${session.id}:${connection.participantId}`;
    let budget = budgets.get(key);
    if (!budget) budgets.set(key, (budget = new TokenBucket(GUIDE_MESSAGES_PER_SECOND, GUIDE_BURST, Date.now())));
    if (!budget.take(Date.now())) return connection.fail(ErrorCode.RateLimited, type);
    await sessions.send(visitorOf(session)!.id, message);
  }

  const AGENT = { in: 'session', role: ['agent'] } as const;

  router.on('guide.pointer', AGENT, (c, m) => {
    const agent = findParticipant(sessions.sessionOf(c.participantId)!, c.participantId);
    return toVisitor(c, m.type, { type: 'guide.pointer', name: (agent?.name ?? 'Agent').slice(0, 80), at: m.at });
  });
  router.on('guide.gesture', AGENT, (c, m) => toVisitor(c, m.type, { type: 'guide.gesture', at: m.at }));
  router.on('guide.stroke', AGENT, (c, m) => {
    // Field by field: the request's `id` is the agent's own.
    const { stroke, shape, points, end } = m;
    return toVisitor(c, m.type, { type: 'guide.stroke', stroke, shape, points, end });
  });
  router.on('guide.clear', AGENT, (c, m) => toVisitor(c, m.type, { type: 'guide.clear' }));
};
