import type { Config } from '../config/schema';
import type { RedisConnections } from '../redis/connections';
import { LUA_NOW_MS, luaScript, type LuaScript } from '../redis/script';
import { needRedis } from '../redis/unavailable';
import type { KeyAttempt, WrongKeyCounter } from './wrongKeyCounter';

/* Wrong session keys counted in Redis, for every instance together, by the rules of AttemptLimiter (per agent) and
 * AddressBackoff (per address) in one script: check, then count if wrong. Per agent a counter whose expiry is the
 * window from its first failure; per address a hash of the failures in the window and when the last one was, with the
 * same expiry. Times are Redis's, so instances with different clocks agree. Without Redis the attempt fails
 * (RedisUnavailableError): a key is not checked uncounted. */

// KEYS: agent counter, address record. ARGV: per-agent limit, per-address threshold, window ms, 1 if wrong.
// Returns ms to wait (the attempt refused and not counted), or 0.
const ATTEMPT = `${LUA_NOW_MS}
local limit, threshold, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
local wait = 0
if failures >= limit then wait = math.max(0, redis.call('PTTL', KEYS[1])) end
if failures > 0 then
  local r = redis.call('HMGET', KEYS[2], 'n', 'last')
  local n = tonumber(r[1] or '0')
  if n >= threshold then
    -- AddressBackoff's delay: 1 s, 2 s, 4 s ... after the last wrong key, up to the window.
    local delay = math.min(window, 1000 * 2 ^ math.min(30, n - threshold))
    wait = math.max(wait, tonumber(r[2]) + delay - now)
  end
end
if wait > 0 then return math.ceil(wait) end
if ARGV[4] == '1' then
  if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], window) end
  if redis.call('HINCRBY', KEYS[2], 'n', 1) == 1 then redis.call('PEXPIRE', KEYS[2], window) end
  redis.call('HSET', KEYS[2], 'last', now)
end
return 0`;

export class RedisWrongKeyCounter implements WrongKeyCounter {
  private readonly script: LuaScript<number>;
  private readonly args: [number, number, number];

  constructor(
    private readonly redis: RedisConnections,
    limits: Config['joinAttempts'],
  ) {
    this.script = luaScript(redis.commands, 2, ATTEMPT);
    this.args = [limits.perAgent, limits.perIp, limits.windowSeconds * 1000];
  }

  async attempt({ agentKey, addressKey, wrong }: KeyAttempt): Promise<number> {
    const keys = [this.redis.key('wrong-keys', 'agent', agentKey), this.redis.key('wrong-keys', 'address', addressKey)];
    const waitMs = await needRedis('session keys cannot be checked', () =>
      this.script(keys, [...this.args, wrong ? 1 : 0]),
    );
    return Math.ceil(waitMs / 1000);
  }

  sweep(): void {}
}
