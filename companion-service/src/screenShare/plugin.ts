import type { FastifyPluginAsync } from 'fastify';
import type { SessionService } from '../sessions/sessionService';
import { issuerOf } from '../signaling/requirements';
import type { MessageRouter } from '../signaling/router';

export interface ScreenShareOptions {
  sessions: SessionService;
  router: MessageRouter;
}

/** Screen share: who may start, ask, answer and stop is the session's rule (sessions/rules/screenShare.ts); the
 * screen itself goes over the peer connections the browsers already have. */
export const screenSharePlugin: FastifyPluginAsync<ScreenShareOptions> = async (_app, { sessions, router }) => {
  router.on('share.start', issuerOf('share.start'), async (connection, message) => {
    const refused = await sessions.startShare(connection.participantId, message.streamId);
    if (refused) connection.fail(refused, message.type);
  });

  router.on('share.request', issuerOf('share.request'), async (connection, message) => {
    const refused = await sessions.requestShare(connection.participantId);
    if (refused) connection.fail(refused, message.type);
  });

  router.on('share.answer', issuerOf('share.answer'), async (connection, message) => {
    const refused = await sessions.answerShare(connection.participantId, message.granted ? message.streamId : null);
    if (refused) connection.fail(refused, message.type);
  });

  router.on('share.stop', issuerOf('share.stop'), async (connection, message) => {
    const refused = await sessions.stopShare(connection.participantId);
    if (refused) connection.fail(refused, message.type);
  });
};
