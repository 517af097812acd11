import { randomBytes } from 'node:crypto';
import type { AgentClaims } from './agentToken';

export interface ConsoleTicket {
  claims: AgentClaims;
  sessionId: string;
  expiresAt: number;
}

/** Single-use tickets that let an agent console window join a session the agent was already admitted to,
 * so the agent token never has to travel in a URL. */
export class ConsoleTicketBook {
  private readonly tickets = new Map<string, ConsoleTicket>();

  constructor(private readonly ttlMs: number) {}

  issue(claims: AgentClaims, sessionId: string, now: number): { ticket: string; expiresAt: number } {
    this.sweep(now);
    const ticket = randomBytes(24).toString('base64url');
    const expiresAt = now + this.ttlMs;
    this.tickets.set(ticket, { claims, sessionId, expiresAt });
    return { ticket, expiresAt };
  }

  /** Returns the ticket once; a second redemption, or one after expiry, gets nothing. */
  redeem(ticket: string, now: number): ConsoleTicket | undefined {
    const found = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    return found && found.expiresAt > now ? found : undefined;
  }

  private sweep(now: number): void {
    for (const [t, v] of this.tickets) if (v.expiresAt <= now) this.tickets.delete(t);
  }
}
