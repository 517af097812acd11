import type { FastifyPluginAsync } from 'fastify';
import type { SessionService } from '../sessions/sessionService';
import type { MessageRouter } from '../signaling/router';

export interface ScreenShareOptions {
  sessions: SessionService;
  router: MessageRouter;
}

/** Screen share: who may start, ask, answer and stop is the session's rule (sessions/rules/screenShare.ts); the
 * screen itself goes over the peer connections the browsers already have. */
export const screenSharePlugin: FastifyPluginAsync<ScreenShareOptions> = async (_app, { sessions, router }) => {
  router.command('share.start', (connection, message) =>
    sessions.startShare(connection.participantId, message.streamId),
  );
  router.command('share.request', (connection) => sessions.requestShare(connection.participantId));
  router.command('share.answer', (connection, message) =>
    sessions.answerShare(connection.participantId, message.granted ? message.streamId : null),
  );
  router.command('share.stop', (connection) => sessions.stopShare(connection.participantId));
};
