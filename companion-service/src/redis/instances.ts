import type { FastifyBaseLogger } from 'fastify';
import type { RedisConnections } from './connections';
import { LUA_NOW_MS, luaScript, type LuaScript } from './script';

/* Which instances are alive: a sorted set of instance ids scored with the time (Redis's clock) each counts as dead
 * unless it says it is alive again. Each instance does so every third of the TTL, and in the same script claims up to
 * a few instances that have gone past theirs; it then clears what they left behind (their visitors' tabs, their
 * sockets' counts) through the features' reapers. Only one instance claims each dead one (ZREM in the script).
 *
 * What an instance writes to Redis about its own sockets is also kept in its own memory. When that may no longer be
 * in Redis (first beat, after others took it for dead, after the connection was lost) the features write it again
 * through their restorers: Redis converges on what the instance really holds. */

export type Restorer = () => Promise<void>;
export type Reaper = (deadInstanceId: string) => Promise<void>;

const CLAIM_AT_ONCE = 20;

// ARGV: this instance, the TTL, how many dead ones to claim at most (0: none).
const BEAT = `${LUA_NOW_MS}
local added = redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local dead = {}
if tonumber(ARGV[3]) > 0 then
  dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
  for _, id in ipairs(dead) do redis.call('ZREM', KEYS[1], id) end
end
return {added, dead}`;

export class InstanceLiveness {
  /** The sorted set; scripts of the features read it to tell live tabs and sockets from dead ones. */
  readonly key: string;
  private readonly beat: LuaScript<[number, string[]]>;
  private readonly restorers: Restorer[] = [];
  private readonly reapers: Reaper[] = [];
  private timer: NodeJS.Timeout | undefined;
  private restoreNeeded = true;
  /** When the connection to Redis was last (re)made: until a TTL has passed, this instance claims no other as dead. */
  private connectedAt = Date.now();
  private beating: Promise<void> | undefined;

  constructor(
    private readonly redis: RedisConnections,
    private readonly log: FastifyBaseLogger,
  ) {
    this.key = redis.key('instances');
    this.beat = luaScript(redis.commands, 1, BEAT);
    redis.commands.on('close', () => {
      this.restoreNeeded = true;
    });
    // Back after an outage: say so at once rather than at the next tick. The others' last beats may be older than the
    // TTL only because Redis was away for them too: they have a TTL from now to say they are alive before this
    // instance takes any of them for dead (otherwise instances back from one outage together would clear up after
    // each other, and mark away every participant whose socket is still open on them).
    redis.commands.on('ready', () => {
      this.connectedAt = Date.now();
      if (this.timer) void this.tick();
    });
  }

  get instanceId(): string {
    return this.redis.instanceId;
  }

  onRestore(restorer: Restorer): void {
    this.restorers.push(restorer);
  }

  /** Something this instance holds could not be written: write it all again at the next beat. */
  restoreLater(): void {
    this.restoreNeeded = true;
  }

  onReap(reaper: Reaper): void {
    this.reapers.push(reaper);
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(500, Math.floor(this.redis.instanceTtlMs / 3)));
    this.timer.unref();
  }

  /** One beat at a time; a tick while one runs waits for it. Never rejects: a failed beat is retried next tick. */
  tick(): Promise<void> {
    this.beating ??= this.beatOnce().finally(() => (this.beating = undefined));
    return this.beating;
  }

  private async beatOnce(): Promise<void> {
    let added: number;
    let dead: string[];
    try {
      const claim = Date.now() - this.connectedAt >= this.redis.instanceTtlMs ? CLAIM_AT_ONCE : 0;
      [added, dead] = await this.beat([this.key], [this.instanceId, this.redis.instanceTtlMs, claim]);
    } catch (err) {
      this.log.debug({ err }, 'instance heartbeat failed');
      return;
    }
    if (added === 1 || this.restoreNeeded) {
      this.restoreNeeded = false;
      for (const restore of this.restorers) {
        try {
          await restore();
        } catch (err) {
          this.restoreNeeded = true;
          this.log.warn({ err }, "could not write this instance's state to Redis again; retrying");
        }
      }
    }
    for (const id of dead) await this.reap(id);
  }

  private async reap(id: string): Promise<void> {
    this.log.info({ instance: id }, 'clearing up after an instance that stopped');
    try {
      for (const reaper of this.reapers) await reaper(id);
    } catch (err) {
      // Back in the set as long dead, so that the next beat (here or elsewhere) claims it again.
      this.log.warn({ err, instance: id }, 'could not clear up after a stopped instance; retrying');
      await this.redis.commands.zadd(this.key, 'NX', 0, id).catch(() => undefined);
    }
  }

  /** A clean stop: counted as dead at once, so another instance clears up whatever is left. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
    await this.redis.commands.zadd(this.key, 0, this.instanceId).catch(() => undefined);
  }
}
