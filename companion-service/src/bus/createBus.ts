import type { FastifyBaseLogger } from 'fastify';
import type { SharedRedis } from '../redis/shared';
import type { Bus } from './bus';
import { MemoryBus } from './memoryBus';
import { RedisBus } from './redisBus';

/** On Redis when it is configured (every instance reaches every other), in this process otherwise. */
export function createBus(redis: SharedRedis | undefined, log: FastifyBaseLogger): Bus {
  if (!redis) return new MemoryBus();
  const { connections } = redis;
  return new RedisBus(connections.commands, connections.subscriber, connections.keyPrefix, log);
}
