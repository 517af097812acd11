import type { GuestRules, SessionRules, TermsAnswer } from './commands';
import { create, execute } from './machine';
import type { Outcome } from './outcome';
import type { Session } from './state';

/* The session model: one function per command, each run through the state machine (machine.ts executing
 * transitions.ts), so every rule is checked the same way and every accepted change raises the version. No sockets,
 * storage or clocks: the service (sessionService.ts) passes the time in and performs the effects. */

export type { Creation, Command, CommandType, GuestRules, SessionRules, TermsAnswer } from './commands';
export type { Effect, EffectKind, Outcome } from './outcome';
export * from './queries';
export { codeJoinRefusal, invitationOpen, nextDeadline } from './rules/lifecycle';
export * from './state';

export interface NewVisitor {
  sessionId: string;
  participantId: string;
  code: string;
  now: number;
  codeTtlMs: number;
  /** Null (the default) for the service's own pages. */
  siteId?: string | null;
}

/** A visitor starts a session: it waits, with a code, for an agent. */
export function createSession(input: NewVisitor): Session {
  return create({ type: 'visitor.start', ...input, siteId: input.siteId ?? null });
}

export interface NewInvitation {
  sessionId: string;
  invitationId: string;
  code: string;
  visitorIdentity: string;
  /** The invited visitor's site; null (the default) for none. */
  siteId?: string | null;
  agentIdentity: string;
  agentName: string;
  now: number;
  /** How long the visitor has to answer the terms. */
  promptTtlMs: number;
}

/** 1-click connect: the agent asks an online visitor; the session waits for the visitor's answer to the terms. */
export function createInvitation(input: NewInvitation): Session {
  return create({ type: 'invitation.create', ...input, siteId: input.siteId ?? null });
}

/** The invited visitor accepted the terms. `agentWaitMs`: how long they wait for the agent's console. */
export function acceptTerms(
  session: Session,
  answer: TermsAnswer & { participantId: string; agentWaitMs: number },
): Outcome {
  return execute(session, { type: 'terms.accept', ...answer });
}

export function declineTerms(session: Session, answer: TermsAnswer): Outcome {
  return execute(session, {
    type: 'terms.decline',
    invitationId: answer.invitationId,
    visitorIdentity: answer.visitorIdentity,
    now: answer.now,
  });
}

export interface NewAgent {
  participantId: string;
  identity: string;
  name?: string;
  privileges: string[];
  /** Start with the agent's video on (their choice; needs the video privilege). */
  video?: boolean;
  now: number;
}

export function admitAgent(session: Session, agent: NewAgent, rules: Pick<SessionRules, 'maxParticipants'>): Outcome {
  return execute(session, {
    type: 'agent.join',
    ...agent,
    name: agent.name ?? null,
    video: agent.video ?? false,
    maxParticipants: rules.maxParticipants,
  });
}

/** Hang-up. */
export function leave(session: Session, participantId: string, now: number): Outcome {
  return execute(session, { type: 'session.leave', by: participantId, now });
}

export function endByAgent(session: Session, participantId: string, now: number): Outcome {
  return execute(session, { type: 'session.end', by: participantId, now });
}

export function endForShutdown(session: Session, now: number): Outcome {
  return execute(session, { type: 'service.shutdown', now });
}

export function markAway(session: Session, participantId: string, now: number): Outcome {
  return execute(session, { type: 'participant.away', by: participantId, now });
}

export function markBack(
  session: Session,
  participantId: string,
  now: number,
  rules: Pick<SessionRules, 'resumeGraceMs'>,
): Outcome {
  return execute(session, { type: 'participant.back', by: participantId, now, resumeGraceMs: rules.resumeGraceMs });
}

/** Applies every time-based rule due at `now`. */
export function expire(session: Session, now: number, rules: Pick<SessionRules, 'resumeGraceMs'>): Outcome {
  return execute(session, { type: 'clock', now, resumeGraceMs: rules.resumeGraceMs });
}

export function restartPair(session: Session, from: string, peerId: string): Outcome {
  return execute(session, { type: 'pair.restart', by: from, peerId });
}

export function setVideo(session: Session, participantId: string, video: boolean, webrtc?: false): Outcome {
  return execute(session, { type: 'media.set', by: participantId, video, ...(webrtc === false && { webrtc }) });
}

export function createGuestInvite(
  session: Session,
  agentId: string,
  invite: { token: string; now: number; ttlMs: number },
): Outcome {
  return execute(session, { type: 'guest.invite.create', by: agentId, ...invite });
}

export interface GuestRequest {
  invite: string;
  participantId: string;
  name: string;
  code: string;
  now: number;
}

export function requestGuest(session: Session, request: GuestRequest, rules: SessionRules & GuestRules): Outcome {
  return execute(session, { type: 'guest.request', ...request, rules });
}

export function extendGuestCode(
  session: Session,
  guestId: string,
  now: number,
  rules: Pick<GuestRules, 'codeTtlMs'>,
): Outcome {
  return execute(session, { type: 'guest.extend', by: guestId, now, codeTtlMs: rules.codeTtlMs });
}

export function admitGuest(
  session: Session,
  agentId: string,
  code: string,
  now: number,
  rules: Pick<SessionRules, 'maxParticipants'>,
): Outcome {
  return execute(session, { type: 'guest.admit', by: agentId, code, now, maxParticipants: rules.maxParticipants });
}

export function withdrawGuest(session: Session, guestId: string): Outcome {
  return execute(session, { type: 'guest.withdraw', by: guestId });
}

export function ejectGuest(session: Session, agentId: string, guestId: string): Outcome {
  return execute(session, { type: 'guest.eject', by: agentId, peerId: guestId });
}

export function pauseVideo(session: Session, agentId: string, peerId: string, paused: boolean): Outcome {
  return execute(session, { type: 'peer.pause', by: agentId, peerId, paused });
}

export function requestControl(session: Session, agentId: string): Outcome {
  return execute(session, { type: 'control.request', by: agentId });
}

export function answerControl(session: Session, visitorId: string, granted: boolean): Outcome {
  return execute(session, { type: 'control.answer', by: visitorId, granted });
}

export function releaseControl(session: Session, participantId: string): Outcome {
  return execute(session, { type: 'control.release', by: participantId });
}

export function startShare(session: Session, agentId: string, streamId: string): Outcome {
  return execute(session, { type: 'share.start', by: agentId, streamId });
}

export function requestShare(session: Session, agentId: string): Outcome {
  return execute(session, { type: 'share.request', by: agentId });
}

export function answerShare(session: Session, visitorId: string, streamId: string | null): Outcome {
  return execute(session, { type: 'share.answer', by: visitorId, granted: streamId !== null, streamId });
}

export function stopShare(session: Session, participantId: string): Outcome {
  return execute(session, { type: 'share.stop', by: participantId });
}
