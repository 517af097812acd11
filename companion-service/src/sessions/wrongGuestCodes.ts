import { AttemptLimiter } from '../auth/attemptLimiter';

/** Wrong guest codes an agent types, counted per session: past the limit, Admit waits until the window that began
 * with the first wrong code is over. In this process, or in Redis for every instance (redisWrongGuestCodes.ts). */
export interface WrongGuestCodes {
  /** Seconds until the session's agent may try again, or 0. */
  retryAfterSeconds(sessionId: string, now: number): Promise<number>;
  recordFailure(sessionId: string, now: number): Promise<void>;
}

export const GUEST_CODE_WINDOW_MS = 60_000;

export class MemoryWrongGuestCodes implements WrongGuestCodes {
  private readonly limiter: AttemptLimiter;

  constructor(limit: number) {
    this.limiter = new AttemptLimiter(limit, GUEST_CODE_WINDOW_MS);
  }

  async retryAfterSeconds(sessionId: string, now: number): Promise<number> {
    return this.limiter.retryAfterSeconds(sessionId, now);
  }

  async recordFailure(sessionId: string, now: number): Promise<void> {
    this.limiter.recordFailure(sessionId, now);
  }
}
