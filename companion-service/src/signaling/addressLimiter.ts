import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/schema';
import type { SharedRedis } from '../redis/shared';
import { AddressLimits } from './addressLimits';
import { RedisAddressLimits } from './redisAddressLimits';

/** The per-address caps as the signaling plugin uses them: this process's (addressLimits.ts), or Redis's, where the
 * sockets and session starts of one address on every instance count together (redisAddressLimits.ts). */
export interface AddressLimiter {
  /** Counts a new socket from `address`; false when the address already has its share open. */
  openSocket(address: string): Promise<boolean>;
  /** Never fails. */
  closeSocket(address: string): void;
  /** Takes one session start for `address`; when none is left, how long until one is. */
  startSession(address: string, now: number): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }>;
}

export function createAddressLimiter(
  limits: Config['limits'],
  redis: SharedRedis | undefined,
  log: FastifyBaseLogger,
): AddressLimiter {
  if (redis) return new RedisAddressLimits(redis, limits, log);
  const local = new AddressLimits(limits.socketsPerAddress, limits.sessionsPerAddressPerMinute);
  return {
    openSocket: async (address) => local.openSocket(address),
    closeSocket: (address) => local.closeSocket(address),
    startSession: async (address, now) => local.startSession(address, now),
  };
}
