import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../src/config/schema';

/* The Redis the tests share (a local one; TANDEM_TEST_REDIS_URL names another). Each test file works under a key
 * prefix of its own, random, and deletes what it left behind: test runs, and other users of that Redis, never see
 * each other's keys or pub/sub channels. */

export const TEST_REDIS_URL = process.env.TANDEM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testKeyPrefix(): string {
  return `tandem-test:${randomBytes(6).toString('hex')}:`;
}

/** The service's `redis` settings for a test: its own prefix, and a short TTL so that a dead instance is noticed
 * quickly. */
export function testRedisSettings(keyPrefix: string, url = TEST_REDIS_URL): Config['redis'] {
  return { url, keyPrefix, instanceTtlSeconds: 2 };
}

/** A plain client of the test Redis, for looking at what the service wrote. */
export function redisClient(): Redis {
  return new Redis(TEST_REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
}

export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** Deletes every key under the prefix. */
export async function dropKeys(client: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  for (let i = 0; i < keys.length; i += 500) await client.unlink(...keys.slice(i, i + 500));
}

/** A logger for code under test that takes one: keeps what was logged at warn and above, prints nothing. */
export function recordingLog(): FastifyBaseLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (first: unknown, second?: unknown) =>
    void lines.push(`${level} ${typeof first === 'string' ? first : String(second ?? '')}`);
  const log = {
    level: 'warn',
    lines,
    fatal: keep('fatal'),
    error: keep('error'),
    warn: keep('warn'),
    info: () => undefined,
    debug: () => undefined,
    trace: () => undefined,
    silent: () => undefined,
    child: () => log,
  };
  return log as unknown as FastifyBaseLogger & { lines: string[] };
}
