import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { RedisConnections } from '../redis/connections';
import type { Store } from '../store/store';
import { INSTANCE_HEADER, instanceTag } from './instanceHeader';

export interface HealthOptions {
  store: Store;
  /** When the service shares its live state through Redis: not ready without it. */
  redis?: RedisConnections | undefined;
  /** Set while a stopping instance drains (TandemServer.drain): not ready, though it still serves everything. */
  readiness?: { readonly draining: boolean };
}

/** Liveness (the process answers) and readiness (it can reach its store and Redis, and is not shutting down). Without
 * Redis an instance still serves its own sockets, but a load balancer should send new ones elsewhere. */
const Status = Type.Object({
  status: Type.String({ description: 'ok, ready, or why not: shutting down, store unavailable, redis unavailable' }),
});
/* Outside the HTTP rate limit: the load balancer asks every instance every second or so from one address, and with
 * Redis the limit is counted across instances, so health checks alone would use it up (5 instances checked each
 * second are 300 a minute) and every instance would answer 429 and be taken out at once. */
const LIVENESS = { config: { rateLimit: false }, schema: { response: { 200: Status } } };
const READINESS = { config: { rateLimit: false }, schema: { response: { 200: Status, 503: Status } } };

export const healthPlugin: FastifyPluginAsync<HealthOptions> = async (app, { store, redis, readiness }) => {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Which instance answered (instanceHeader.ts): asked through the load balancer, or of each instance directly.
  if (redis) {
    const tag = instanceTag(redis.instanceId);
    app.addHook('onRequest', async (_request, reply) => void reply.header(INSTANCE_HEADER, tag));
  }
  app.get('/healthz', LIVENESS, async () => ({ status: 'ok' }));
  app.get('/readyz', READINESS, async (_request, reply) => {
    if (closing || readiness?.draining) return reply.code(503).send({ status: 'shutting down' });
    try {
      await store.ping();
    } catch {
      return reply.code(503).send({ status: 'store unavailable' });
    }
    if (
      redis &&
      !(
        redis.isReady() &&
        (await redis.commands.ping().then(
          () => true,
          () => false,
        ))
      )
    ) {
      return reply.code(503).send({ status: 'redis unavailable' });
    }
    return { status: 'ready' };
  });
};
