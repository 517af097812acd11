import type { Config } from '../config/schema';
import { ErrorCode } from '../protocol/codes';
import type { Session } from '../sessions/model';
import type { SessionService } from '../sessions/sessionService';
import type { AgentClaims } from './agentToken';
import { AddressBackoff } from './addressBackoff';
import { AttemptLimiter } from './attemptLimiter';
import { tenantMayReachSite } from '../tenancy/tenants';

export type AdmissionResult =
  | { ok: true; session: Session }
  | { ok: false; code: ErrorCode; retryAfterSeconds?: number };

/** Checks an agent's session key so codes can't be guessed: wrong keys are counted per agent (a strict limit) and
 * per address or org (a backoff for the agents who have failed themselves, see AddressBackoff). A key is either good
 * or wrong: one whose session already has its agent, or is on another tenant's site, is answered like a wrong one. */
export class AgentAdmission {
  private readonly perAgent: AttemptLimiter;
  private readonly perIp: AddressBackoff;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly sessions: SessionService,
    private readonly config: Config,
    private readonly now: () => number = Date.now,
  ) {
    const limits = config.joinAttempts;
    const windowMs = limits.windowSeconds * 1000;
    this.perAgent = new AttemptLimiter(limits.perAgent, windowMs);
    this.perIp = new AddressBackoff(limits.perIp, windowMs);
    this.sweeper = setInterval(() => {
      this.perAgent.sweep(this.now());
      this.perIp.sweep(this.now());
    }, windowMs);
    this.sweeper.unref();
  }

  checkCode(claims: AgentClaims, code: string, ip: string): AdmissionResult {
    const now = this.now();
    const agentKey = claims.sub;
    const hasFailed = this.perAgent.failures(agentKey, now) > 0;
    const wait = Math.max(this.perAgent.retryAfterSeconds(agentKey, now), hasFailed ? this.perIp.retryAfterSeconds(ip, now) : 0);
    if (wait > 0) return { ok: false, code: ErrorCode.RateLimited, retryAfterSeconds: wait };
    // A code already used by an agent is refused by the session as a wrong one (model: codeJoinRefusal). A session
    // that started on a site outside the agent's tenant is answered exactly like a wrong key too, so neither live codes
    // nor other customers' codes are confirmed.
    const found = this.sessions.findJoinable(code);
    const joinable = found.ok && tenantMayReachSite(claims, found.session.siteId, this.config);
    const session = joinable ? found.session : undefined;
    if (!session) {
      this.perAgent.recordFailure(agentKey, now);
      this.perIp.recordFailure(ip, now);
      return found.ok ? { ok: false, code: ErrorCode.InvalidCode } : found;
    }
    return { ok: true, session };
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}
