import type { Config } from '../config/schema';
import type { SharedRedis } from '../redis/shared';
import { AddressBackoff } from './addressBackoff';
import { AttemptLimiter } from './attemptLimiter';
import { RedisWrongKeyCounter } from './redisWrongKeyCounter';

/* The counts that keep session keys from being guessed (AgentAdmission): wrong keys per agent (a strict limit) and per
 * address or org (a backoff for the agents who have failed themselves). Checking a key and counting it if it was wrong
 * happen at once, so concurrent guesses can't all get past the check before the first is counted. In this process
 * (below) or in Redis, where every instance's wrong keys count together (redisWrongKeyCounter.ts). */

export interface KeyAttempt {
  agentKey: string;
  /** The address the key came from, or the org for calls from Salesforce. */
  addressKey: string;
  /** Whether the key was wrong: counted only when the attempt is not refused. */
  wrong: boolean;
  now: number;
}

export interface WrongKeyCounter {
  /** Seconds the agent must wait before trying (the attempt is refused and not counted), or 0: the attempt is made
   * and, if wrong, counted. */
  attempt(attempt: KeyAttempt): Promise<number>;
  /** Drops finished windows from memory (Redis expires them itself). */
  sweep(now: number): void;
}

export function createWrongKeyCounter(limits: Config['joinAttempts'], redis: SharedRedis | undefined): WrongKeyCounter {
  if (!redis) return new MemoryWrongKeyCounter(limits);
  return new RedisWrongKeyCounter(redis.connections, limits);
}

/** One process's counts; synchronous underneath, so nothing runs between the check and the count. */
export class MemoryWrongKeyCounter implements WrongKeyCounter {
  private readonly perAgent: AttemptLimiter;
  private readonly perAddress: AddressBackoff;

  constructor(limits: Config['joinAttempts']) {
    const windowMs = limits.windowSeconds * 1000;
    this.perAgent = new AttemptLimiter(limits.perAgent, windowMs);
    this.perAddress = new AddressBackoff(limits.perIp, windowMs);
  }

  async attempt({ agentKey, addressKey, wrong, now }: KeyAttempt): Promise<number> {
    const hasFailed = this.perAgent.failures(agentKey, now) > 0;
    const wait = Math.max(
      this.perAgent.retryAfterSeconds(agentKey, now),
      hasFailed ? this.perAddress.retryAfterSeconds(addressKey, now) : 0,
    );
    if (wait > 0) return wait;
    if (wrong) {
      this.perAgent.recordFailure(agentKey, now);
      this.perAddress.recordFailure(addressKey, now);
    }
    return 0;
  }

  sweep(now: number): void {
    this.perAgent.sweep(now);
    this.perAddress.sweep(now);
  }
}
