import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema';
import type { SharedRedis } from '../redis/shared';
import type { AgentClaims } from './agentToken';
import { RedisConsoleTickets } from './redisConsoleTickets';

export interface ConsoleTicket {
  claims: AgentClaims;
  sessionId: string;
  expiresAt: number;
}

/** Single-use tickets that let an agent console window join a session the agent was already admitted to, so the
 * agent token never has to travel in a URL. In this process, or in Redis (redisConsoleTickets.ts), where the console
 * may redeem on another instance the ticket its join page got. */
export interface ConsoleTickets {
  issue(claims: AgentClaims, sessionId: string, now: number): Promise<{ ticket: string; expiresAt: number }>;
  /** Returns the ticket once; a second redemption, or one after expiry, gets nothing. */
  redeem(ticket: string, now: number): Promise<ConsoleTicket | undefined>;
}

export function createConsoleTickets(config: Config, redis: SharedRedis | undefined): ConsoleTickets {
  const ttlMs = config.consoleTicketTtlSeconds * 1000;
  return redis ? new RedisConsoleTickets(redis.connections, ttlMs) : new ConsoleTicketBook(ttlMs);
}

export class ConsoleTicketBook implements ConsoleTickets {
  private readonly tickets = new Map<string, ConsoleTicket>();

  constructor(private readonly ttlMs: number) {}

  async issue(claims: AgentClaims, sessionId: string, now: number): Promise<{ ticket: string; expiresAt: number }> {
    this.sweep(now);
    const ticket = randomBytes(24).toString('base64url');
    const expiresAt = now + this.ttlMs;
    this.tickets.set(ticket, { claims, sessionId, expiresAt });
    return { ticket, expiresAt };
  }

  async redeem(ticket: string, now: number): Promise<ConsoleTicket | undefined> {
    const found = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    return found && found.expiresAt > now ? found : undefined;
  }

  private sweep(now: number): void {
    for (const [t, v] of this.tickets) if (v.expiresAt <= now) this.tickets.delete(t);
  }
}
