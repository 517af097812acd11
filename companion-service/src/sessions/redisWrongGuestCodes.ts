import type { RedisConnections } from '../redis/connections';
import { luaScript, type LuaScript } from '../redis/script';
import { needRedis } from '../redis/unavailable';
import { GUEST_CODE_WINDOW_MS, type WrongGuestCodes } from './wrongGuestCodes';

/* Wrong guest codes per session in Redis, counted together whichever instance the agent's Admit lands on: a counter
 * (`wrong-guest-codes:<session>`) whose expiry is the window from its first failure, as AttemptLimiter counts in one
 * process. Times are Redis's. Without Redis Admit fails (RedisUnavailableError) rather than skip the limit. */

// KEYS: the counter. ARGV: limit. Returns ms until the window ends when the limit is reached, else 0.
const WAIT = `local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n < tonumber(ARGV[1]) then return 0 end
return math.max(0, redis.call('PTTL', KEYS[1]))`;

// KEYS: the counter. ARGV: window ms.
const FAIL = `if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 0`;

export class RedisWrongGuestCodes implements WrongGuestCodes {
  private readonly wait: LuaScript<number>;
  private readonly fail: LuaScript<number>;

  constructor(
    private readonly redis: RedisConnections,
    private readonly limit: number,
  ) {
    this.wait = luaScript(redis.commands, 1, WAIT);
    this.fail = luaScript(redis.commands, 1, FAIL);
  }

  async retryAfterSeconds(sessionId: string): Promise<number> {
    const ms = await needRedis('guest codes cannot be checked', () => this.wait([this.key(sessionId)], [this.limit]));
    return Math.ceil(ms / 1000);
  }

  async recordFailure(sessionId: string): Promise<void> {
    await needRedis('guest codes cannot be checked', () => this.fail([this.key(sessionId)], [GUEST_CODE_WINDOW_MS]));
  }

  private key(sessionId: string): string {
    return this.redis.key('wrong-guest-codes', sessionId);
  }
}
