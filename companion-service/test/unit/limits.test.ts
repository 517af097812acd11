import { AttemptLimiter } from '../../src/auth/attemptLimiter';
import { ConsoleTicketBook } from '../../src/auth/consoleTickets';
import { TokenBucket } from '../../src/signaling/tokenBucket';
import type { AgentClaims } from '../../src/auth/agentToken';

describe('the wrong-attempt limiter', () => {
  it('refuses a key after the limit until its window is over', () => {
    const limiter = new AttemptLimiter(3, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds('agent', 1000 + i)).toBe(0);
      limiter.recordFailure('agent', 1000 + i);
    }
    expect(limiter.retryAfterSeconds('agent', 2000)).toBe(59);
    expect(limiter.retryAfterSeconds('other', 2000)).toBe(0);
    expect(limiter.retryAfterSeconds('agent', 61_000)).toBe(0);
  });

  it('forgets finished windows when swept', () => {
    const limiter = new AttemptLimiter(1, 1000);
    limiter.recordFailure('a', 0);
    limiter.sweep(1000);
    limiter.recordFailure('a', 1001);
    expect(limiter.retryAfterSeconds('a', 1002)).toBe(1);
  });
});

describe('the per-socket token bucket', () => {
  it('allows a burst, then the sustained rate', () => {
    const bucket = new TokenBucket(10, 5, 0);
    const burst = Array.from({ length: 6 }, () => bucket.take(0));
    expect(burst).toEqual([true, true, true, true, true, false]);
    expect(bucket.take(100)).toBe(true); // 100 ms at 10/s refills one
    expect(bucket.take(100)).toBe(false);
  });
});

describe('console tickets', () => {
  const claims: AgentClaims = { v: 1, sub: 'u1', name: 'Ana', org: 'development', privileges: [], iat: 0, exp: 10 };

  it('are redeemed once', async () => {
    const book = new ConsoleTicketBook(60_000);
    const { ticket } = await book.issue(claims, 'session-1', 0);
    expect(await book.redeem(ticket, 1)).toEqual({ claims, sessionId: 'session-1', expiresAt: 60_000 });
    expect(await book.redeem(ticket, 2)).toBeUndefined();
  });

  it('expire', async () => {
    const book = new ConsoleTicketBook(60_000);
    const { ticket } = await book.issue(claims, 'session-1', 0);
    expect(await book.redeem(ticket, 60_000)).toBeUndefined();
  });
});
