import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/schema';
import { describeRedis, RedisConnections } from './connections';
import { InstanceLiveness } from './instances';

/* Redis as the features use it: the connections and this instance's liveness. Started once per process when
 * redis.url is set (server.ts); each feature picks its Redis implementation when it is given one. */

export interface SharedRedis {
  connections: RedisConnections;
  liveness: InstanceLiveness;
}

/** How long a starting instance waits for Redis before it starts anyway (not ready: /readyz answers 503). */
const FIRST_CONNECT_MS = 10_000;

export async function startRedis(settings: Config['redis'], log: FastifyBaseLogger): Promise<SharedRedis> {
  const connections = new RedisConnections(settings, log);
  if (await connections.connect(FIRST_CONNECT_MS)) {
    log.info({ redis: describeRedis(settings.url), instance: connections.instanceId }, 'connected to Redis');
  } else {
    log.warn({ redis: describeRedis(settings.url) }, 'Redis is unreachable; starting anyway and not ready until it is');
  }
  return { connections, liveness: new InstanceLiveness(connections, log) };
}

export async function stopRedis({ connections, liveness }: SharedRedis): Promise<void> {
  await liveness.stop();
  await connections.close();
}
