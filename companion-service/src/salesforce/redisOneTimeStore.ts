import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { RedisConnections } from '../redis/connections';
import { needRedis } from '../redis/unavailable';
import type { OneTimeStore } from './oneTimeStore';

/* One-time values in Redis (SET with an expiry, GETDEL to take). What is kept there is of no use to whoever reads
 * Redis: the key is a hash of the one-time code, and the value (it may hold an agent token) is sealed with AES-256-GCM
 * under a key derived from the code itself, which only the browser holding it knows. Without Redis a sign-in can't
 * start or finish (RedisUnavailableError). */

const IV_BYTES = 12;
const TAG_BYTES = 16;

function sealingKey(code: string): Buffer {
  return Buffer.from(hkdfSync('sha256', code, Buffer.alloc(0), 'tandem one-time value', 32));
}

export function seal(code: string, plain: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(code), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Undefined when the value was not sealed under this code (or was altered). */
export function unseal(code: string, sealed: Buffer): string | undefined {
  if (sealed.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(code), sealed.subarray(0, IV_BYTES));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

export class RedisOneTimeStore<V> implements OneTimeStore<V> {
  constructor(
    private readonly redis: RedisConnections,
    private readonly name: string,
  ) {}

  async put(code: string, value: V, ttlMs: number): Promise<void> {
    const sealed = seal(code, JSON.stringify(value));
    await needRedis('sign-in cannot start', () => this.redis.commands.set(this.keyOf(code), sealed, 'PX', ttlMs));
  }

  async take(code: string): Promise<V | undefined> {
    const sealed = await needRedis('sign-in cannot finish', () => this.redis.commands.getdelBuffer(this.keyOf(code)));
    const plain = sealed ? unseal(code, sealed) : undefined;
    return plain === undefined ? undefined : (JSON.parse(plain) as V);
  }

  private keyOf(code: string): string {
    return this.redis.key(this.name, createHash('sha256').update(code).digest('hex'));
  }
}
