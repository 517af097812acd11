import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/schema';
import type { SharedRedis } from '../redis/shared';
import { LUA_NOW_MS, luaScript, type LuaScript } from '../redis/script';
import { AddressLimits } from './addressLimits';
import type { AddressLimiter } from './addressLimiter';

/* The per-address caps shared by every instance.
 *
 * Open sockets: per address a hash of instance id -> sockets it holds from there. A check adds up the live instances'
 * counts (redis/instances.ts) and takes one in the same script; a dead instance's count is dropped as soon as it is
 * seen, and its reaper clears the rest (per instance, the set of addresses it holds sockets from). Each instance keeps
 * its own counts in memory too and writes them again when Redis may have lost them.
 *
 * Session starts: a token bucket per address (tokens and when they were counted, Redis's clock), expiring once full.
 *
 * These caps protect the service's capacity, so without Redis they are not dropped: each instance applies them to
 * what it sees itself until Redis is back. */

// KEYS: instances, the address's counts, this instance's addresses. ARGV: instance, cap, address. 1: taken.
const OPEN = `${LUA_NOW_MS}
local total = 0
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local inst = all[i]
  local score = inst ~= ARGV[1] and redis.call('ZSCORE', KEYS[1], inst)
  if inst == ARGV[1] or (score and tonumber(score) > now) then total = total + tonumber(all[i + 1])
  elseif not score then redis.call('HDEL', KEYS[2], inst) end
end
if total >= tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('SADD', KEYS[3], ARGV[3])
return 1`;

// KEYS: the address's counts, this instance's addresses. ARGV: instance, address.
const CLOSE = `if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[2], ARGV[2])
end
return 0`;

// KEYS: this instance's addresses. ARGV: instance, counts key prefix, JSON {address: count} of every address this
// instance holds sockets from. Sets its counts to those, and drops the others.
const SYNC = `local counts = cjson.decode(ARGV[3])
for _, address in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if counts[address] == nil then
    redis.call('HDEL', ARGV[2] .. address, ARGV[1])
    redis.call('SREM', KEYS[1], address)
  end
end
for address, n in pairs(counts) do
  redis.call('HSET', ARGV[2] .. address, ARGV[1], n)
  redis.call('SADD', KEYS[1], address)
end
return 0`;

// KEYS: instances, the dead instance's addresses. ARGV: dead instance, counts key prefix. Nothing if it is alive again.
const REAP = `if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
for _, address in ipairs(redis.call('SMEMBERS', KEYS[2])) do redis.call('HDEL', ARGV[2] .. address, ARGV[1]) end
redis.call('DEL', KEYS[2])
return 0`;

// KEYS: the address's bucket. ARGV: tokens per ms, burst. 1: a start taken.
const START = `${LUA_NOW_MS}
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = burst
if b[1] then tokens = math.min(burst, tonumber(b[1]) + math.max(0, now - tonumber(b[2])) * rate) end
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 1000)
return taken`;

export class RedisAddressLimits implements AddressLimiter {
  /** This instance's open sockets per address: what it writes again after an outage. */
  private readonly own = new Map<string, number>();
  /** The caps of this instance alone, used while Redis is away. */
  private readonly fallback: AddressLimits;
  private readonly scripts: {
    open: LuaScript<number>;
    close: LuaScript<number>;
    sync: LuaScript<number>;
    reap: LuaScript<number>;
    start: LuaScript<number>;
  };
  private readonly instance: string;
  private readonly ownAddresses: string;
  private readonly countsPrefix: string;

  constructor(
    private readonly redis: SharedRedis,
    private readonly limits: Config['limits'],
    private readonly log: FastifyBaseLogger,
  ) {
    const { connections, liveness } = redis;
    const c = connections.commands;
    this.scripts = {
      open: luaScript(c, 3, OPEN),
      close: luaScript(c, 2, CLOSE),
      sync: luaScript(c, 1, SYNC),
      reap: luaScript(c, 2, REAP),
      start: luaScript(c, 1, START),
    };
    this.fallback = new AddressLimits(limits.socketsPerAddress, limits.sessionsPerAddressPerMinute);
    this.instance = connections.instanceId;
    this.ownAddresses = this.addressesOf(this.instance);
    this.countsPrefix = connections.key('sockets', '');
    liveness.onRestore(() => this.restore());
    liveness.onReap((dead) => this.reap(dead).then(() => undefined));
  }

  async openSocket(address: string): Promise<boolean> {
    let taken: boolean;
    try {
      taken =
        (await this.scripts.open(
          [this.redis.liveness.key, this.countsPrefix + address, this.ownAddresses],
          [this.instance, this.limits.socketsPerAddress, address],
        )) === 1;
    } catch (err) {
      this.unreachable(err);
      taken = (this.own.get(address) ?? 0) < this.limits.socketsPerAddress;
    }
    if (taken) this.own.set(address, (this.own.get(address) ?? 0) + 1);
    return taken;
  }

  closeSocket(address: string): void {
    const left = (this.own.get(address) ?? 0) - 1;
    if (left > 0) this.own.set(address, left);
    else this.own.delete(address);
    this.scripts
      .close([this.countsPrefix + address, this.ownAddresses], [this.instance, address])
      .catch((err: unknown) => this.unreachable(err));
  }

  async startSession(address: string, now: number): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
    const perMinute = this.limits.sessionsPerAddressPerMinute;
    try {
      const taken = await this.scripts.start(
        [this.redis.connections.key('session-starts', address)],
        [perMinute / 60_000, perMinute],
      );
      if (taken === 1) return { ok: true };
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(60 / perMinute)) };
    } catch (err) {
      this.unreachable(err);
      return this.fallback.startSession(address, now);
    }
  }

  /** Redis put in line with this instance's counts, after it may have lost them. */
  private async restore(): Promise<void> {
    await this.scripts.sync(
      [this.ownAddresses],
      [this.instance, this.countsPrefix, JSON.stringify(Object.fromEntries(this.own))],
    );
  }

  private reap(dead: string): Promise<number> {
    return this.scripts.reap([this.redis.liveness.key, this.addressesOf(dead)], [dead, this.countsPrefix]);
  }

  /** A count not made in Redis is made by the next restore. */
  private unreachable(err: unknown): void {
    this.log.debug({ err }, 'address limits: Redis unreachable, counting on this instance only');
    this.redis.liveness.restoreLater();
  }

  private addressesOf(instance: string): string {
    return this.redis.connections.key('instance', instance, 'addresses');
  }
}
