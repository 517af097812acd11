import { EndReason, ErrorCode, LeaveReason } from '../../protocol/codes';
import type { Role } from '../../protocol/messages';
import type { CommandOf, SessionRules } from '../commands';
import { ok, refuse, type Effect, type Outcome } from '../outcome';
import { findParticipant, seatsTaken } from '../queries';
import { participant, SCREEN_SHARE_OFF, type Session } from '../state';
import { addMember, startingMedia, tellOthers, withParticipant } from './mesh';

/* A session's life: made, joined, left, ended, and what the clock does to it. The state and issuer checks of each
 * command are done before these run (machine.ts, from transitions.ts); these are the rest of each rule. */

/** A visitor starts a session: it waits, with a code, for an agent. */
export function startSession(c: CommandOf<'visitor.start'>): Session {
  return {
    ...newSession(c.sessionId, c.code, 'waiting', c.now, c.siteId, c.now + c.codeTtlMs),
    participants: [
      participant({
        id: c.participantId,
        role: 'visitor',
        identity: 'anonymous',
        name: null,
        seq: 0,
        awaySince: null,
        media: startingMedia({ role: 'visitor', privileges: [] }),
        privileges: [],
        invite: null,
      }),
    ],
    nextSeq: 1,
  };
}

/** 1-click connect: the agent asks an online visitor; the session waits for the visitor's answer to the terms. */
export function startInvitation(c: CommandOf<'invitation.create'>): Session {
  const expiresAt = c.now + c.promptTtlMs;
  return {
    ...newSession(c.sessionId, c.code, 'inviting', c.now, c.siteId, expiresAt),
    invitation: {
      id: c.invitationId,
      visitorIdentity: c.visitorIdentity,
      agentIdentity: c.agentIdentity,
      agentName: c.agentName,
      expiresAt,
    },
  };
}

/** Version 0: the machine counts the creating command as the first. */
function newSession(
  id: string,
  code: string,
  status: 'waiting' | 'inviting',
  now: number,
  siteId: string | null,
  codeExpiresAt: number,
): Session {
  return {
    id,
    version: 0,
    code,
    status,
    createdAt: now,
    siteId,
    codeExpiresAt,
    participants: [],
    pairGenerations: [],
    nextSeq: 0,
    invitation: null,
    guestInvites: [],
    pendingGuests: [],
    control: { state: 'off', agentId: null },
    share: SCREEN_SHARE_OFF,
    endedAt: null,
    endReason: null,
  };
}

/** The invitation still waits for the visitor's answer. */
export function invitationOpen(session: Session, now: number): boolean {
  return session.status === 'inviting' && session.invitation !== null && now < session.invitation.expiresAt;
}

/** A waiting session's time is up: its code was never used, or an accepted visitor's agent never came. */
function waitRunOut(session: Session, now: number): boolean {
  return session.status === 'waiting' && now >= session.codeExpiresAt;
}

/** Why the session's code does not let an agent in now, if it doesn't. A code admits the first agent of a waiting
 * session until it runs out; 1-click sessions are joined by their own agent through a ticket, never by code. */
export function codeJoinRefusal(session: Session, now: number): ErrorCode | undefined {
  if (session.invitation || session.status !== 'waiting') return ErrorCode.InvalidCode;
  if (waitRunOut(session, now)) return ErrorCode.CodeExpired;
  return undefined;
}

/** The visitor accepted the terms: they join; if the agent's console is not there yet, the session waits for it. */
export function acceptTerms(session: Session, c: CommandOf<'terms.accept'>): Outcome {
  if (!invitationOpen(session, c.now)) return refuse(ErrorCode.InvalidInvitation);
  const added = addMember(session, {
    id: c.participantId,
    role: 'visitor',
    identity: c.visitorIdentity,
    name: null,
    privileges: [],
    invite: null,
  });
  const agentPresent = added.session.participants.some((p) => p.role === 'agent');
  return ok(
    { ...added.session, status: agentPresent ? 'active' : 'waiting', codeExpiresAt: c.now + c.agentWaitMs },
    added.effects,
  );
}

/** The visitor declined: the session ends and the agent is told why. */
export function declineTerms(session: Session, c: CommandOf<'terms.decline'>): Outcome {
  if (!invitationOpen(session, c.now)) return refuse(ErrorCode.InvalidInvitation);
  return endSession(session, EndReason.VisitorDeclined, c.now);
}

/** An authenticated agent joins: with the session's code, or into their own 1-click invitation. One agent per
 * session. */
export function admitAgent(session: Session, c: CommandOf<'agent.join'>): Outcome {
  if (!session.invitation && waitRunOut(session, c.now)) return refuse(ErrorCode.CodeExpired);
  if (session.participants.some((p) => p.role === 'agent')) return refuse(ErrorCode.AgentPresent);
  if (seatsTaken(session) >= c.maxParticipants) return refuse(ErrorCode.SessionFull);
  const added = addMember(
    session,
    { id: c.participantId, role: 'agent', identity: c.identity, name: c.name, privileges: c.privileges, invite: null },
    c.video,
  );
  return ok({ ...added.session, status: session.status === 'waiting' ? 'active' : session.status }, added.effects);
}

function endSession(session: Session, reason: EndReason, now: number): Outcome {
  const effects: Effect[] = session.participants.map((p) => ({ kind: 'session-ended', to: p.id, reason }));
  return ok({ ...session, status: 'ended', endedAt: now, endReason: reason }, effects);
}

/** The visitor or the agent leaving ends the session for everyone; anyone else leaving only removes them. */
const ENDS_WHEN_GONE: Record<'hangup' | 'lost', Partial<Record<Role, EndReason>>> = {
  hangup: { visitor: EndReason.VisitorHangup, agent: EndReason.AgentHangup },
  lost: { visitor: EndReason.VisitorLost, agent: EndReason.AgentLost },
};

function removeOrEnd(session: Session, participantId: string, reason: 'hangup' | 'lost', now: number): Outcome {
  const ends = ENDS_WHEN_GONE[reason][findParticipant(session, participantId)!.role];
  if (ends) return endSession(session, ends, now);
  const remaining = session.participants.filter((p) => p.id !== participantId);
  const effects: Effect[] = remaining.map((p) => ({ kind: 'peer-left', to: p.id, peerId: participantId, reason }));
  return ok({ ...session, participants: remaining }, effects);
}

/** Hang-up. */
export function leave(session: Session, c: CommandOf<'session.leave'>): Outcome {
  return removeOrEnd(session, c.by, LeaveReason.Hangup, c.now);
}

/** Agent END: over for everyone. */
export function endByAgent(session: Session, c: CommandOf<'session.end'>): Outcome {
  return endSession(session, EndReason.AgentEnded, c.now);
}

/** The service is going away (a restart or a deploy) and takes the session with it: it ends for everyone, with a
 * reason that says so, rather than being left open in the store with nobody holding it. */
export function endForShutdown(session: Session, c: CommandOf<'service.shutdown'>): Outcome {
  return endSession(session, EndReason.ServiceRestart, c.now);
}

/** The participant's socket dropped: they stay a member for the grace period. */
export function markAway(session: Session, { by, now }: CommandOf<'participant.away'>): Outcome {
  if (findParticipant(session, by)!.awaySince !== null) return ok(session);
  const next = withParticipant(session, by, (p) => ({ ...p, awaySince: now }));
  return ok(
    next,
    tellOthers(next, by, (to) => ({ kind: 'peer-away', to, peerId: by })),
  );
}

/** The participant came back within the grace period. */
export function markBack(session: Session, { by, now, resumeGraceMs }: CommandOf<'participant.back'>): Outcome {
  const awaySince = findParticipant(session, by)!.awaySince;
  if (awaySince === null) return ok(session);
  if (now - awaySince > resumeGraceMs) return refuse(ErrorCode.ResumeFailed);
  const next = withParticipant(session, by, (p) => ({ ...p, awaySince: null }));
  return ok(
    next,
    tellOthers(next, by, (to) => ({ kind: 'peer-back', to, peerId: by })),
  );
}

/** Applies every time-based rule due at `now`: an unanswered invitation ends as timed out; an unused code (or an
 * accepted visitor whose agent never came) ends its waiting session; a participant away for longer than the grace
 * period leaves as lost. */
export function passTime(session: Session, { now, resumeGraceMs }: CommandOf<'clock'>): Outcome {
  if (session.status === 'inviting' && session.invitation && now >= session.invitation.expiresAt) {
    return endSession(session, EndReason.TermsTimeout, now);
  }
  if (waitRunOut(session, now)) return endSession(session, EndReason.CodeExpired, now);
  let current = session;
  const effects: Effect[] = [];
  for (const p of session.participants) {
    if (p.awaySince === null || now - p.awaySince < resumeGraceMs) continue;
    const outcome = removeOrEnd(current, p.id, LeaveReason.Lost, now);
    if (!outcome.ok) continue;
    current = outcome.session;
    effects.push(...outcome.effects);
    if (current.status === 'ended') break;
  }
  return ok(current, effects);
}

/** When `passTime` next has something to do, or undefined if nothing is pending. */
export function nextDeadline(session: Session, rules: Pick<SessionRules, 'resumeGraceMs'>): number | undefined {
  if (session.status === 'ended') return undefined;
  const times: number[] = [];
  if (session.status === 'waiting') times.push(session.codeExpiresAt);
  if (session.status === 'inviting' && session.invitation) times.push(session.invitation.expiresAt);
  for (const p of session.participants) if (p.awaySince !== null) times.push(p.awaySince + rules.resumeGraceMs);
  return times.length ? Math.min(...times) : undefined;
}
