import type { FastifyPluginAsync } from 'fastify';
import type { Store } from '../store/store';

/** Liveness (the process answers) and readiness (it can reach its store and is not shutting down). */
export const healthPlugin: FastifyPluginAsync<{ store: Store }> = async (app, { store }) => {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (closing) return reply.code(503).send({ status: 'shutting down' });
    try {
      await store.ping();
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'store unavailable' });
    }
  });
};
