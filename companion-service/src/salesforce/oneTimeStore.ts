import type { SharedRedis } from '../redis/shared';
import { RedisOneTimeStore } from './redisOneTimeStore';

/* Short-lived values taken once by their key: the pending Salesforce sign-ins and their hand-offs to the join page
 * (signIn.ts). In this process, or in Redis so that the OAuth callback and the join page's exchange may reach another
 * instance than the one that started the sign-in. */

export interface OneTimeStore<V> {
  put(key: string, value: V, ttlMs: number, now: number): Promise<void>;
  /** The value, once; undefined when there is none or it has expired. */
  take(key: string, now: number): Promise<V | undefined>;
}

/** `name` keeps each store's keys apart in Redis. */
export function createOneTimeStore<V>(name: string, redis: SharedRedis | undefined): OneTimeStore<V> {
  return redis ? new RedisOneTimeStore<V>(redis.connections, name) : new MemoryOneTimeStore<V>();
}

const MAX_ENTRIES = 10_000;

/** Entries expire; the map is also capped so a flood of abandoned sign-ins can't grow it without bound. */
export class MemoryOneTimeStore<V> implements OneTimeStore<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  async put(key: string, value: V, ttlMs: number, now: number): Promise<void> {
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: now + ttlMs });
  }

  async take(key: string, now: number): Promise<V | undefined> {
    const found = this.entries.get(key);
    this.entries.delete(key);
    return found && found.expiresAt > now ? found.value : undefined;
  }
}
