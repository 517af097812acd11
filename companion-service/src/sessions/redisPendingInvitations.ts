import type { RedisConnections } from '../redis/connections';
import { luaScript, type LuaScript } from '../redis/script';
import { needRedis } from '../redis/unavailable';
import { IndexKey } from './liveIndexes';
import type { PendingInvitations } from './pendingInvitations';

/* One open invitation per visitor, for every instance: `invitation-pending:<visitor>` holds the invitation sent to
 * them ('-' while one is being made), expiring with it. Whether it is still open is read from the invitation's
 * session in the same script (redisLiveSessions.ts): answered, declined or ended, the visitor may be invited again. */

/** A reservation whose invitation was never made (its instance died meanwhile) stops blocking after this. */
const RESERVATION_MS = 30_000;

// KEYS: the visitor's key. ARGV: prefix, now, reservation ms, the invitation lookup's key prefix. Returns 1 if reserved.
const RESERVE = `local sent = redis.call('GET', KEYS[1])
if sent == '-' then return 0 end
if sent then
  local id = redis.call('GET', ARGV[1] .. ARGV[4] .. sent)
  local state = id and redis.call('HGET', ARGV[1] .. 'session:' .. id, 's')
  if state then
    local s = cjson.decode(state)
    if s.status == 'inviting' and s.invitation ~= cjson.null and tonumber(ARGV[2]) < s.invitation.expiresAt then return 0 end
  end
end
redis.call('SET', KEYS[1], '-', 'PX', ARGV[3])
return 1`;

// KEYS: the visitor's key.
const RELEASE = `if redis.call('GET', KEYS[1]) == '-' then redis.call('DEL', KEYS[1]) end
return 0`;

export class RedisPendingInvitations implements PendingInvitations {
  private readonly reserveScript: LuaScript<number>;
  private readonly releaseScript: LuaScript<number>;

  constructor(private readonly redis: RedisConnections) {
    this.reserveScript = luaScript(redis.commands, 1, RESERVE);
    this.releaseScript = luaScript(redis.commands, 1, RELEASE);
  }

  async reserve(visitorKey: string, now: number): Promise<boolean> {
    const reserved = await needRedis('invitations cannot be sent', () =>
      this.reserveScript([this.key(visitorKey)], [this.redis.key(''), now, RESERVATION_MS, IndexKey.invitation('')]),
    );
    return reserved === 1;
  }

  async sent(visitorKey: string, invitationId: string, expiresAt: number): Promise<void> {
    const ttlMs = Math.max(1, expiresAt - Date.now()) + 1000;
    await needRedis('invitations cannot be sent', () =>
      this.redis.commands.set(this.key(visitorKey), invitationId, 'PX', ttlMs),
    );
  }

  async release(visitorKey: string): Promise<void> {
    await needRedis('invitations cannot be sent', () => this.releaseScript([this.key(visitorKey)], []));
  }

  private key(visitorKey: string): string {
    return this.redis.key('invitation-pending', visitorKey);
  }
}
