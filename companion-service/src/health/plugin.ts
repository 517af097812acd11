import type { FastifyPluginAsync } from 'fastify';
import type { RedisConnections } from '../redis/connections';
import type { Store } from '../store/store';

export interface HealthOptions {
  store: Store;
  /** When the service shares its live state through Redis: not ready without it. */
  redis?: RedisConnections | undefined;
}

/** Liveness (the process answers) and readiness (it can reach its store and Redis, and is not shutting down). Without
 * Redis an instance still serves its own sockets, but a load balancer should send new ones elsewhere. */
export const healthPlugin: FastifyPluginAsync<HealthOptions> = async (app, { store, redis }) => {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (closing) return reply.code(503).send({ status: 'shutting down' });
    try {
      await store.ping();
    } catch {
      return reply.code(503).send({ status: 'store unavailable' });
    }
    if (redis && !(redis.isReady() && (await redis.commands.ping().then(() => true, () => false)))) {
      return reply.code(503).send({ status: 'redis unavailable' });
    }
    return { status: 'ready' };
  });
};
