import type { Config } from '../config/schema';
import { ErrorCode } from '../protocol/codes';
import type { Session } from '../sessions/model';
import type { SessionService } from '../sessions/sessionService';
import type { AgentClaims } from './agentToken';
import { MemoryWrongKeyCounter, type WrongKeyCounter } from './wrongKeyCounter';
import { tenantMayReachSite } from '../tenancy/tenants';

export type AdmissionResult =
  { ok: true; session: Session } | { ok: false; code: ErrorCode; retryAfterSeconds?: number };

/** Checks an agent's session key so codes can't be guessed: wrong keys are counted per agent (a strict limit) and
 * per address or org (a backoff for the agents who have failed themselves, see AddressBackoff). A key is either good
 * or wrong: one whose session already has its agent, or is on another tenant's site, is answered like a wrong one. */
export class AgentAdmission {
  private readonly wrongKeys: WrongKeyCounter;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly sessions: SessionService,
    private readonly config: Config,
    /** In Redis when it is configured, so that wrong keys on every instance count together. */
    wrongKeys?: WrongKeyCounter,
    private readonly now: () => number = Date.now,
  ) {
    this.wrongKeys = wrongKeys ?? new MemoryWrongKeyCounter(config.joinAttempts);
    this.sweeper = setInterval(() => this.wrongKeys.sweep(this.now()), config.joinAttempts.windowSeconds * 1000);
    this.sweeper.unref();
  }

  async checkCode(claims: AgentClaims, code: string, ip: string): Promise<AdmissionResult> {
    const now = this.now();
    const agentKey = claims.sub;
    // A code already used by an agent is refused by the session as a wrong one (model: codeJoinRefusal). A session
    // that started on a site outside the agent's tenant is answered exactly like a wrong key too, so neither live codes
    // nor other customers' codes are confirmed.
    const found = await this.sessions.findJoinable(code);
    const joinable = found.ok && tenantMayReachSite(claims, found.session.siteId, this.config);
    const session = joinable ? found.session : undefined;
    // An agent who must wait is told so whether the key was right or not; a wrong key is counted.
    const wait = await this.wrongKeys.attempt({ agentKey, addressKey: ip, wrong: !session, now });
    if (wait > 0) return { ok: false, code: ErrorCode.RateLimited, retryAfterSeconds: wait };
    if (!session) return found.ok ? { ok: false, code: ErrorCode.InvalidCode } : found;
    return { ok: true, session };
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}
