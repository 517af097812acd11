import { randomBytes, randomInt } from 'node:crypto';
import type { Config } from '../config/schema';
import { ErrorCode } from '../protocol/codes';
import { generateCode } from './codes';
import type { Commit, LiveSessions } from './liveSessions';
import * as rules from './model';
import type { GuestRules, Session, SessionRules } from './model';
import type { ParticipantHolds } from './participantHolds';
import { newResumeToken } from './resumeTokens';
import type { SessionCommands } from './sessionCommands';
import type { Result } from './sessionService';
import type { WrongGuestCodes } from './wrongGuestCodes';

export interface GuestDeskDeps {
  config: Config;
  live: LiveSessions;
  commands: SessionCommands;
  holds: ParticipantHolds;
  /** Wrong guest codes per session (shared by every instance with Redis). */
  wrongCodes: WrongGuestCodes;
  rules: SessionRules;
  now: () => number;
}

export type GuestCode = Result<{ code: string; expiresAt: number; extensionsLeft: number }>;

/** Guests' side of the session service: the agent's links, the guest's code (with more time on request), Admit,
 * Eject, Pause. The rules are the model's; this adds what needs I/O or randomness: tokens, codes, the per-session
 * limit on wrong codes. */
export class GuestDesk {
  private readonly guestRules: GuestRules;

  constructor(private readonly deps: GuestDeskDeps) {
    const { guests, limits } = deps.config;
    this.guestRules = {
      codeTtlMs: guests.codeTtlSeconds * 1000,
      maxExtensions: guests.maxExtensions,
      maxPending: limits.pendingGuestsPerSession,
    };
  }

  async createInvite(agentId: string): Promise<Result<{ url: string; expiresAt: number }>> {
    const token = randomBytes(24).toString('base64url');
    const now = this.deps.now();
    const ttlMs = this.deps.config.guests.inviteTtlSeconds * 1000;
    const refused = await this.deps.commands.runFor(
      agentId,
      (s) => rules.createGuestInvite(s, agentId, { token, now, ttlMs }),
      'guest.invite.created',
    );
    if (refused) return { ok: false, code: refused };
    return {
      ok: true,
      url: new URL(`/guest#invite=${token}`, this.deps.config.publicUrl).toString(),
      expiresAt: now + ttlMs,
    };
  }

  /** A guest with an invite asks to join: they get a code to read to the agent. */
  async request(invite: string, name: string, guestId: string): Promise<GuestCode> {
    const now = this.deps.now();
    const applied = await this.deps.commands.run({
      key: { by: 'invite', token: invite },
      missing: ErrorCode.InvalidInvite,
      decide: (session) => {
        const taken = new Set(session.pendingGuests.map((g) => g.code));
        const code = generateCode(
          this.deps.config.guests.codeLength,
          (c) => taken.has(c),
          () => randomInt(10),
        );
        return rules.requestGuest(
          session,
          { invite, participantId: guestId, name, code, now },
          { ...this.deps.rules, ...this.guestRules },
        );
      },
      event: { kind: 'guest.requested', participantId: guestId, detail: { name } },
    });
    if (!applied.ok) return applied;
    await this.deps.holds.hold(guestId);
    return codeOf(applied.session, guestId);
  }

  async extendCode(guestId: string): Promise<GuestCode> {
    const now = this.deps.now();
    const applied = await this.deps.commands.run({
      key: { by: 'pendingGuest', guestId },
      missing: ErrorCode.NotInSession,
      decide: (s) => rules.extendGuestCode(s, guestId, now, this.guestRules),
    });
    return applied.ok ? codeOf(applied.session, guestId) : applied;
  }

  /** Admit: the agent types the guest's code. Wrong codes are limited per session. */
  async admit(agentId: string, code: string): Promise<Result<Record<never, never>>> {
    const session = await this.deps.live.find({ by: 'member', participantId: agentId });
    if (!session) return { ok: false, code: ErrorCode.NotInSession };
    const now = this.deps.now();
    const wait = await this.deps.wrongCodes.retryAfterSeconds(session.id, now);
    if (wait > 0) return { ok: false, code: ErrorCode.RateLimited, retryAfterSeconds: wait };
    const admitted = (s: Session) => s.participants[s.participants.length - 1]!.id;
    const applied = await this.deps.commands.run({
      key: { by: 'member', participantId: agentId },
      missing: ErrorCode.NotInSession,
      decide: (s) => rules.admitGuest(s, agentId, code, now, this.deps.rules),
      // The guest's resume token, handed over in their session.joined.
      tokens: (s) => [{ participantId: admitted(s), token: newResumeToken(s.id) }],
      event: (s) => ({ kind: 'guest.admitted', participantId: admitted(s), detail: { by: agentId } }),
    });
    if (!applied.ok) {
      if (applied.code === ErrorCode.InvalidCode || applied.code === ErrorCode.GuestCodeExpired)
        await this.deps.wrongCodes.recordFailure(session.id, now);
      return applied;
    }
    return { ok: true };
  }

  async eject(agentId: string, guestId: string): Promise<ErrorCode | undefined> {
    return this.deps.commands.runFor(agentId, (s) => rules.ejectGuest(s, agentId, guestId), 'guest.ejected', {
      guestId,
    });
  }

  /** A waiting guest's socket closed: their code is withdrawn. False if they were not waiting. */
  async withdraw(guestId: string, heldBy?: Commit['heldBy']): Promise<boolean> {
    const applied = await this.deps.commands.run({
      key: { by: 'pendingGuest', guestId },
      missing: ErrorCode.NotInSession,
      decide: (s) => rules.withdrawGuest(s, guestId),
      heldBy,
    });
    return applied.ok || applied.code !== ErrorCode.NotInSession;
  }
}

function codeOf(session: Session, guestId: string): GuestCode {
  const pending = rules.pendingGuest(session, guestId)!;
  return { ok: true, code: pending.code, expiresAt: pending.expiresAt, extensionsLeft: pending.extensionsLeft };
}
