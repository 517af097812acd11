import type { Config } from '../config/schema';
import { ErrorCode } from '../protocol/codes';
import type { Session } from '../sessions/model';
import type { SessionService } from '../sessions/sessionService';
import type { AgentClaims } from './agentToken';
import { AttemptLimiter } from './attemptLimiter';

export type AdmissionResult =
  | { ok: true; session: Session }
  | { ok: false; code: ErrorCode; retryAfterSeconds?: number };

/** Checks an agent's session key, counting wrong keys per agent and per IP address so codes can't be guessed. */
export class AgentAdmission {
  private readonly perAgent: AttemptLimiter;
  private readonly perIp: AttemptLimiter;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly sessions: SessionService,
    limits: Config['joinAttempts'],
    private readonly now: () => number = Date.now,
  ) {
    const windowMs = limits.windowSeconds * 1000;
    this.perAgent = new AttemptLimiter(limits.perAgent, windowMs);
    this.perIp = new AttemptLimiter(limits.perIp, windowMs);
    this.sweeper = setInterval(() => {
      this.perAgent.sweep(this.now());
      this.perIp.sweep(this.now());
    }, windowMs);
    this.sweeper.unref();
  }

  checkCode(claims: AgentClaims, code: string, ip: string): AdmissionResult {
    const now = this.now();
    const agentKey = claims.sub;
    const wait = Math.max(this.perAgent.retryAfterSeconds(agentKey, now), this.perIp.retryAfterSeconds(ip, now));
    if (wait > 0) return { ok: false, code: ErrorCode.RateLimited, retryAfterSeconds: wait };
    const found = this.sessions.findJoinable(code);
    if (!found.ok) {
      this.perAgent.recordFailure(agentKey, now);
      this.perIp.recordFailure(ip, now);
      return found;
    }
    return { ok: true, session: found.session };
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}
