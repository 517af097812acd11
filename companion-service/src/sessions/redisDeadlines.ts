import type { FastifyBaseLogger } from 'fastify';
import type { RedisConnections } from '../redis/connections';
import { luaScript, type LuaScript } from '../redis/script';

/* The sessions' clocks with Redis: each live session's next deadline (the model's nextDeadline: an unused code, an
 * unanswered invitation, a member away too long) is its score in the sorted set `session-timers`, written by the same
 * script that commits the state (redisLiveSessions.ts). Every instance looks for due entries a few times a second and
 * claims them in one script, which moves each a lease ahead: the claimer runs the clock command (a compare-and-set like
 * any other, which writes the next deadline); if it dies before, the lease runs out and another instance claims the
 * entry again. Two runs of one clock are harmless: the state decides, and only one commit of a version wins. So a
 * deadline fires within a poll of its time even when the instance that set it is gone. */

const POLL_MS = 200;
const LEASE_MS = 2_000;
const CLAIM_AT_ONCE = 50;

// KEYS: the timers. ARGV: now (this instance's clock, which the clock command uses too), lease ms, how many.
const CLAIM = `local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local leased = tonumber(ARGV[1]) + tonumber(ARGV[2])
for _, id in ipairs(due) do redis.call('ZADD', KEYS[1], leased, id) end
return due`;

export class RedisDeadlines {
  private readonly claim: LuaScript<string[]>;
  private readonly key: string;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    redis: RedisConnections,
    private readonly onDue: (sessionId: string) => Promise<void>,
    private readonly now: () => number,
    private readonly log: FastifyBaseLogger,
  ) {
    this.key = redis.key('session-timers');
    this.claim = luaScript(redis.commands, 1, CLAIM);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  /** One poll at a time. Never rejects: a failed claim (Redis away) is tried again at the next. */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    let due: string[];
    try {
      due = await this.claim([this.key], [this.now(), LEASE_MS, CLAIM_AT_ONCE]);
    } catch (err) {
      this.log.debug({ err }, 'session clocks not polled');
      return;
    }
    await Promise.all(due.map((sessionId) => this.onDue(sessionId)));
  }
}
