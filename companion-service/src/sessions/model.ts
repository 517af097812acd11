import { EndReason, ErrorCode, LeaveReason } from '../protocol/codes';
import type { PeerInfo, PeerLink, Role } from '../protocol/messages';

/* The session model: states and rules, without sockets, storage or clocks. Every function takes the current
 * session and returns a new one plus the effects (who must be told what); the service performs the I/O. */

export type SessionStatus = 'waiting' | 'active' | 'ended';

export interface Participant {
  id: string;
  role: Role;
  /** Who this is outside the session: the agent's user id, or "anonymous" for a code visitor. */
  identity: string;
  name?: string;
  /** Order of arrival; the earlier member of a pair initiates its peer connection. */
  seq: number;
  /** Set while the participant's socket is gone and the resume grace period runs. */
  awaySince?: number;
}

export interface Session {
  id: string;
  code: string;
  status: SessionStatus;
  createdAt: number;
  /** An unused code stops admitting (and the waiting session ends) at this time. */
  codeExpiresAt: number;
  participants: Participant[];
  /** Generation of each pair's peer connection, keyed by pairKey(a, b). */
  pairGenerations: Record<string, number>;
  nextSeq: number;
  endedAt?: number;
  endReason?: EndReason;
}

export interface SessionRules {
  maxParticipants: number;
  resumeGraceMs: number;
}

export type Effect =
  | { kind: 'peer-joined'; to: string; link: PeerLink }
  | { kind: 'peer-left'; to: string; peerId: string; reason: LeaveReason }
  | { kind: 'peer-away'; to: string; peerId: string }
  | { kind: 'peer-back'; to: string; peerId: string }
  | { kind: 'pair-reset'; to: string; link: PeerLink }
  | { kind: 'session-ended'; to: string; reason: EndReason };

export type Outcome = { ok: true; session: Session; effects: Effect[] } | { ok: false; code: ErrorCode };

const ok = (session: Session, effects: Effect[] = []): Outcome => ({ ok: true, session, effects });
const refuse = (code: ErrorCode): Outcome => ({ ok: false, code });

export function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

export function findParticipant(session: Session, id: string): Participant | undefined {
  return session.participants.find((p) => p.id === id);
}

export function isLive(session: Session): boolean {
  return session.status !== 'ended';
}

function peerInfo(p: Participant): PeerInfo {
  return p.name === undefined ? { id: p.id, role: p.role } : { id: p.id, role: p.role, name: p.name };
}

/** The member already present initiates toward the newcomer: the lower arrival number is the initiator. */
export function initiatorOf(a: Participant, b: Participant): Participant {
  return a.seq < b.seq ? a : b;
}

function linkFor(session: Session, receiver: Participant, other: Participant): PeerLink {
  return {
    peer: peerInfo(other),
    initiator: initiatorOf(receiver, other) === receiver,
    gen: session.pairGenerations[pairKey(receiver.id, other.id)] ?? 1,
  };
}

/** The links a participant needs toward everyone else in the session. */
export function linksFor(session: Session, participantId: string): PeerLink[] {
  const self = findParticipant(session, participantId);
  if (!self) return [];
  return session.participants.filter((p) => p.id !== self.id).map((p) => linkFor(session, self, p));
}

export interface NewVisitor {
  sessionId: string;
  participantId: string;
  code: string;
  now: number;
  codeTtlMs: number;
}

/** A visitor starts a session: it waits, with a code, for an agent. */
export function createSession(input: NewVisitor): Session {
  return {
    id: input.sessionId,
    code: input.code,
    status: 'waiting',
    createdAt: input.now,
    codeExpiresAt: input.now + input.codeTtlMs,
    participants: [{ id: input.participantId, role: 'visitor', identity: 'anonymous', seq: 0 }],
    pairGenerations: {},
    nextSeq: 1,
  };
}

export interface NewAgent {
  participantId: string;
  identity: string;
  name?: string;
  now: number;
}

/** An authenticated agent joins with the session's code. One agent per session. */
export function admitAgent(session: Session, agent: NewAgent, rules: SessionRules): Outcome {
  if (session.status === 'ended') return refuse(ErrorCode.SessionEnded);
  if (session.status === 'waiting' && agent.now >= session.codeExpiresAt) return refuse(ErrorCode.CodeExpired);
  if (session.participants.some((p) => p.role === 'agent')) return refuse(ErrorCode.AgentPresent);
  if (session.participants.length >= rules.maxParticipants) return refuse(ErrorCode.SessionFull);

  const newcomer: Participant = { id: agent.participantId, role: 'agent', identity: agent.identity, seq: session.nextSeq };
  if (agent.name !== undefined) newcomer.name = agent.name;
  const pairGenerations = { ...session.pairGenerations };
  for (const p of session.participants) pairGenerations[pairKey(p.id, newcomer.id)] = 1;
  const next: Session = {
    ...session,
    status: 'active',
    participants: [...session.participants, newcomer],
    pairGenerations,
    nextSeq: session.nextSeq + 1,
  };
  const effects: Effect[] = session.participants.map((p) => ({
    kind: 'peer-joined',
    to: p.id,
    link: linkFor(next, p, newcomer),
  }));
  return ok(next, effects);
}

/** Signals travel only between two different live members of the same session. */
export function canRelay(session: Session, from: string, to: string): boolean {
  return isLive(session) && from !== to && !!findParticipant(session, from) && !!findParticipant(session, to);
}

/** The current generation of a pair, for checking that a signal belongs to the live peer connection. */
export function pairGeneration(session: Session, a: string, b: string): number {
  return session.pairGenerations[pairKey(a, b)] ?? 1;
}

function endSession(session: Session, reason: EndReason, now: number): Outcome {
  const effects: Effect[] = session.participants.map((p) => ({ kind: 'session-ended', to: p.id, reason }));
  return ok({ ...session, status: 'ended', endedAt: now, endReason: reason }, effects);
}

const HANGUP_ENDS: Partial<Record<Role, EndReason>> = {
  visitor: EndReason.VisitorHangup,
  agent: EndReason.AgentHangup,
};
const LOSS_ENDS: Partial<Record<Role, EndReason>> = {
  visitor: EndReason.VisitorLost,
  agent: EndReason.AgentLost,
};

/** A participant leaves (hang-up, or gone past the grace period). The visitor or the agent leaving ends the
 * session for everyone; anyone else leaving only removes them. */
export function leave(session: Session, participantId: string, reason: LeaveReason, now: number): Outcome {
  if (!isLive(session)) return refuse(ErrorCode.SessionEnded);
  const leaver = findParticipant(session, participantId);
  if (!leaver) return refuse(ErrorCode.NotInSession);
  const ends = (reason === LeaveReason.Hangup ? HANGUP_ENDS : LOSS_ENDS)[leaver.role];
  if (ends) return endSession(session, ends, now);
  const remaining = session.participants.filter((p) => p.id !== participantId);
  const effects: Effect[] = remaining.map((p) => ({ kind: 'peer-left', to: p.id, peerId: participantId, reason }));
  return ok({ ...session, participants: remaining }, effects);
}

/** Agent END: only the agent may end the session for everyone. */
export function endByAgent(session: Session, participantId: string, now: number): Outcome {
  if (!isLive(session)) return refuse(ErrorCode.SessionEnded);
  const who = findParticipant(session, participantId);
  if (!who) return refuse(ErrorCode.NotInSession);
  if (who.role !== 'agent') return refuse(ErrorCode.Forbidden);
  return endSession(session, EndReason.AgentEnded, now);
}

function withParticipant(session: Session, id: string, change: (p: Participant) => Participant): Session {
  return { ...session, participants: session.participants.map((p) => (p.id === id ? change(p) : p)) };
}

function tellOthers(session: Session, id: string, make: (to: string) => Effect): Effect[] {
  return session.participants.filter((p) => p.id !== id).map((p) => make(p.id));
}

/** The participant's socket dropped: they stay a member for the grace period. */
export function markAway(session: Session, participantId: string, now: number): Outcome {
  if (!isLive(session)) return refuse(ErrorCode.SessionEnded);
  const who = findParticipant(session, participantId);
  if (!who) return refuse(ErrorCode.NotInSession);
  if (who.awaySince !== undefined) return ok(session);
  const next = withParticipant(session, participantId, (p) => ({ ...p, awaySince: now }));
  return ok(next, tellOthers(next, participantId, (to) => ({ kind: 'peer-away', to, peerId: participantId })));
}

/** The participant came back within the grace period. */
export function markBack(session: Session, participantId: string, now: number, rules: SessionRules): Outcome {
  if (!isLive(session)) return refuse(ErrorCode.SessionEnded);
  const who = findParticipant(session, participantId);
  if (!who) return refuse(ErrorCode.ResumeFailed);
  if (who.awaySince === undefined) return ok(session);
  if (now - who.awaySince > rules.resumeGraceMs) return refuse(ErrorCode.ResumeFailed);
  const next = withParticipant(session, participantId, (p) => {
    const { awaySince: _gone, ...rest } = p;
    return rest;
  });
  return ok(next, tellOthers(next, participantId, (to) => ({ kind: 'peer-back', to, peerId: participantId })));
}

/** Either side of a pair asks for a fresh peer connection (ICE failed, or a page reload lost its peers):
 * the pair's generation goes up and both sides are told to start over, the earlier member initiating. */
export function restartPair(session: Session, from: string, peerId: string): Outcome {
  if (!isLive(session)) return refuse(ErrorCode.SessionEnded);
  const a = findParticipant(session, from);
  if (!a) return refuse(ErrorCode.NotInSession);
  const b = findParticipant(session, peerId);
  if (!b || b.id === a.id) return refuse(ErrorCode.UnknownPeer);
  const key = pairKey(a.id, b.id);
  const next: Session = {
    ...session,
    pairGenerations: { ...session.pairGenerations, [key]: (session.pairGenerations[key] ?? 1) + 1 },
  };
  return ok(next, [
    { kind: 'pair-reset', to: a.id, link: linkFor(next, a, b) },
    { kind: 'pair-reset', to: b.id, link: linkFor(next, b, a) },
  ]);
}

/** Applies every time-based rule due at `now`: an unused code ends its waiting session; a participant away for
 * longer than the grace period leaves as lost. */
export function expire(session: Session, now: number, rules: SessionRules): Outcome {
  if (!isLive(session)) return ok(session);
  if (session.status === 'waiting' && now >= session.codeExpiresAt) return endSession(session, EndReason.CodeExpired, now);
  let current = session;
  const effects: Effect[] = [];
  for (const p of session.participants) {
    if (p.awaySince === undefined || now - p.awaySince < rules.resumeGraceMs) continue;
    const outcome = leave(current, p.id, LeaveReason.Lost, now);
    if (!outcome.ok) continue;
    current = outcome.session;
    effects.push(...outcome.effects);
    if (!isLive(current)) break;
  }
  return ok(current, effects);
}

/** When `expire` next has something to do, or undefined if nothing is pending. */
export function nextDeadline(session: Session, rules: SessionRules): number | undefined {
  if (!isLive(session)) return undefined;
  const times: number[] = [];
  if (session.status === 'waiting') times.push(session.codeExpiresAt);
  for (const p of session.participants) if (p.awaySince !== undefined) times.push(p.awaySince + rules.resumeGraceMs);
  return times.length ? Math.min(...times) : undefined;
}
