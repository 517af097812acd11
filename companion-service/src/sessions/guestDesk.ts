import { randomBytes, randomInt } from 'node:crypto';
import { AttemptLimiter } from '../auth/attemptLimiter';
import type { Config } from '../config/schema';
import { ErrorCode } from '../protocol/codes';
import { generateCode } from './codes';
import type { SessionDirectory } from './directory';
import * as rules from './model';
import type { GuestRules, Session, SessionRules } from './model';
import { issueResumeToken } from './resumeTokens';
import type { SessionWriter } from './sessionWriter';
import type { Result } from './sessionService';

export interface GuestDeskDeps {
  config: Config;
  directory: SessionDirectory;
  writer: SessionWriter;
  rules: SessionRules;
  now: () => number;
}

export type GuestCode = Result<{ code: string; expiresAt: number; extensionsLeft: number }>;

/** Guests' side of the session service: the agent's links, the guest's code (with more time on request), Admit,
 * Eject, Pause. The rules are the model's; this adds what needs I/O or randomness: tokens, codes, the per-session
 * limit on wrong codes. */
export class GuestDesk {
  private readonly guestRules: GuestRules;
  private readonly wrongCodes: AttemptLimiter;

  constructor(private readonly deps: GuestDeskDeps) {
    const { guests, limits } = deps.config;
    this.guestRules = { codeTtlMs: guests.codeTtlSeconds * 1000, maxExtensions: guests.maxExtensions, maxPending: limits.pendingGuestsPerSession };
    this.wrongCodes = new AttemptLimiter(guests.wrongCodesPerSession, 60_000);
  }

  async createInvite(agentId: string): Promise<Result<{ url: string; expiresAt: number }>> {
    const token = randomBytes(24).toString('base64url');
    const now = this.deps.now();
    const ttlMs = this.deps.config.guests.inviteTtlSeconds * 1000;
    const refused = await this.deps.writer.runFor(agentId, (s) => rules.createGuestInvite(s, agentId, { token, now, ttlMs }), 'guest.invite.created');
    if (refused) return { ok: false, code: refused };
    return { ok: true, url: new URL(`/guest#invite=${token}`, this.deps.config.publicUrl).toString(), expiresAt: now + ttlMs };
  }

  /** A guest with an invite asks to join: they get a code to read to the agent. */
  async request(invite: string, name: string, guestId: string): Promise<GuestCode> {
    const session = this.deps.directory.findByInvite(invite);
    if (!session) return { ok: false, code: ErrorCode.InvalidInvite };
    const taken = new Set(session.pendingGuests.map((g) => g.code));
    const code = generateCode(this.deps.config.guests.codeLength, (c) => taken.has(c), () => randomInt(10));
    const request = { invite, participantId: guestId, name, code, now: this.deps.now() };
    const outcome = rules.requestGuest(session, request, { ...this.deps.rules, ...this.guestRules });
    if (!outcome.ok) return outcome;
    await this.deps.writer.record(session.id, 'guest.requested', guestId, { name });
    await this.deps.writer.commit(outcome.session, outcome.effects);
    return codeOf(outcome.session, guestId);
  }

  async extendCode(guestId: string): Promise<GuestCode> {
    const session = this.deps.directory.sessionOfPendingGuest(guestId);
    if (!session) return { ok: false, code: ErrorCode.NotInSession };
    const outcome = rules.extendGuestCode(session, guestId, this.deps.now(), this.guestRules);
    if (!outcome.ok) return outcome;
    await this.deps.writer.commit(outcome.session, outcome.effects);
    return codeOf(outcome.session, guestId);
  }

  /** Admit: the agent types the guest's code. Wrong codes are limited per session. */
  async admit(agentId: string, code: string): Promise<Result<Record<never, never>>> {
    const session = this.deps.directory.sessionOf(agentId);
    if (!session) return { ok: false, code: ErrorCode.NotInSession };
    const now = this.deps.now();
    const wait = this.wrongCodes.retryAfterSeconds(session.id, now);
    if (wait > 0) return { ok: false, code: ErrorCode.RateLimited, retryAfterSeconds: wait };
    const outcome = rules.admitGuest(session, agentId, code, now, this.deps.rules);
    if (!outcome.ok) {
      if (outcome.code === ErrorCode.InvalidCode || outcome.code === ErrorCode.GuestCodeExpired) this.wrongCodes.recordFailure(session.id, now);
      return outcome;
    }
    const guest = outcome.session.participants[outcome.session.participants.length - 1]!;
    await this.deps.writer.record(session.id, 'guest.admitted', guest.id, { by: agentId });
    issueResumeToken(this.deps.directory, guest.id, session.id);
    await this.deps.writer.commit(outcome.session, outcome.effects);
    return { ok: true };
  }

  async eject(agentId: string, guestId: string): Promise<ErrorCode | undefined> {
    return this.deps.writer.runFor(agentId, (s) => rules.ejectGuest(s, agentId, guestId), 'guest.ejected', { guestId });
  }

  /** A waiting guest's socket closed: their code is withdrawn. */
  async withdraw(guestId: string): Promise<void> {
    const session = this.deps.directory.sessionOfPendingGuest(guestId);
    if (!session) return;
    const outcome = rules.withdrawGuest(session, guestId);
    if (outcome.ok) await this.deps.writer.commit(outcome.session, outcome.effects);
  }

  isWaiting(guestId: string): boolean {
    return this.deps.directory.sessionOfPendingGuest(guestId) !== undefined;
  }
}

function codeOf(session: Session, guestId: string): GuestCode {
  const pending = rules.pendingGuest(session, guestId)!;
  return { ok: true, code: pending.code, expiresAt: pending.expiresAt, extensionsLeft: pending.extensionsLeft };
}
