import { randomBytes } from 'node:crypto';
import type { RedisConnections } from '../redis/connections';
import { needRedis } from '../redis/unavailable';
import { sha256Hex } from '../shared/sha256Hex';
import type { AgentClaims } from './agentToken';
import type { ConsoleTicket, ConsoleTickets } from './consoleTickets';

/** Console tickets in Redis, for every instance: the join page may get a ticket from one instance and the console
 * redeem it on another. Keyed by a hash of the ticket (nothing in Redis lets anyone join), expiring with it, taken
 * once (GETDEL). Without Redis both fail (RedisUnavailableError). */
export class RedisConsoleTickets implements ConsoleTickets {
  constructor(
    private readonly redis: RedisConnections,
    private readonly ttlMs: number,
  ) {}

  async issue(claims: AgentClaims, sessionId: string, now: number): Promise<{ ticket: string; expiresAt: number }> {
    const ticket = randomBytes(24).toString('base64url');
    const expiresAt = now + this.ttlMs;
    const value: ConsoleTicket = { claims, sessionId, expiresAt };
    await needRedis('console tickets cannot be issued', () =>
      this.redis.commands.set(this.key(ticket), JSON.stringify(value), 'PX', this.ttlMs),
    );
    return { ticket, expiresAt };
  }

  async redeem(ticket: string, now: number): Promise<ConsoleTicket | undefined> {
    const found = await needRedis('console tickets cannot be redeemed', () =>
      this.redis.commands.getdel(this.key(ticket)),
    );
    if (found === null) return undefined;
    const value = JSON.parse(found) as ConsoleTicket;
    return value.expiresAt > now ? value : undefined;
  }

  private key(ticket: string): string {
    return this.redis.key('console-tickets', sha256Hex(ticket));
  }
}
