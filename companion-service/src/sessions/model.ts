import { EndReason, ErrorCode, LeaveReason, Privilege } from '../protocol/codes';
import type { ControlState, MediaState, PeerInfo, PeerLink, Role } from '../protocol/messages';

/* The session model: states and rules, without sockets, storage or clocks. Every function takes the current
 * session and returns a new one plus the effects (who must be told what); the service performs the I/O. */

/** inviting: 1-click, the visitor has not answered the terms yet. waiting: the visitor is in, no agent yet.
 * active: visitor and agent have met. ended: over for everyone. */
export type SessionStatus = 'inviting' | 'waiting' | 'active' | 'ended';

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
  media: MediaState;
  /** Agent privileges from the agent token; empty for everyone else. */
  privileges: string[];
  /** For guests: the invite they came in with, revoked if they are ejected. */
  invite?: string;
}

/** A guest who asked to join and shows a code, waiting for the agent to type it. */
export interface PendingGuest {
  id: string;
  name: string;
  code: string;
  invite: string;
  expiresAt: number;
  extensionsLeft: number;
}

/** A 1-click invitation: the agent asked, the visitor has to accept the terms. */
export interface Invitation {
  id: string;
  /** The logged-in visitor's id (from their visitor token). */
  visitorIdentity: string;
  /** The agent who asked; only they may join the session. */
  agentIdentity: string;
  agentName: string;
  expiresAt: number;
  answered?: 'accepted';
}

/** A pair of participants (pairKey) and the generation of its peer connection. A session keeps a list, not an object
 * keyed by pair: participant ids as keys would give every session's object a hidden class of its own in V8, and a
 * room holds a handful of pairs, so a scan is as quick as a lookup. */
export interface PairGeneration {
  readonly pair: string;
  readonly gen: number;
}

export interface Session {
  id: string;
  code: string;
  status: SessionStatus;
  createdAt: number;
  /** The customer's site whose page started it (from the socket's Origin, or the invited visitor's site); null for
   * the service's own pages (demo portal, development). An agent joins by code only within their tenant's sites. */
  siteId: string | null;
  /** An unused code stops admitting (and the waiting session ends) at this time. */
  codeExpiresAt: number;
  participants: Participant[];
  /** Generation of each pair's peer connection that has one; a pair not listed is at generation 1. */
  pairGenerations: readonly PairGeneration[];
  nextSeq: number;
  invitation?: Invitation;
  /** Guest invite tokens: expiry time, or 0 once revoked. */
  invites: Record<string, number>;
  pendingGuests: PendingGuest[];
  /** Remote control of the visitor's page: asked by an agent with the privilege, granted by the visitor. */
  control: { state: ControlState; agentId?: string };
  endedAt?: number;
  endReason?: EndReason;
}

export interface SessionRules {
  maxParticipants: number;
  resumeGraceMs: number;
}

export interface GuestRules {
  codeTtlMs: number;
  maxExtensions: number;
  /** Guests waiting with a code at once: one invite link can't hand out codes without bound. */
  maxPending: number;
}

export type Effect =
  | { kind: 'peer-joined'; to: string; link: PeerLink }
  | { kind: 'peer-left'; to: string; peerId: string; reason: LeaveReason }
  | { kind: 'peer-away'; to: string; peerId: string }
  | { kind: 'peer-back'; to: string; peerId: string }
  | { kind: 'pair-reset'; to: string; link: PeerLink }
  | { kind: 'session-ended'; to: string; reason: EndReason }
  | { kind: 'peer-media'; to: string; peerId: string; media: MediaState }
  /** A pending guest was let in: they get their session.joined. */
  | { kind: 'admitted'; to: string }
  /** An ejected guest is told and disconnected. */
  | { kind: 'removed'; to: string; reason: LeaveReason }
  | { kind: 'control-state'; to: string; state: ControlState; agentName?: string };

export type Outcome = { ok: true; session: Session; effects: Effect[] } | { ok: false; code: ErrorCode };

const ok = (session: Session, effects: Effect[] = []): Outcome => ({ ok: true, session, effects });
const refuse = (code: ErrorCode): Outcome => ({ ok: false, code });

export function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** Every participant object gets the same fields in the same order, set or not, so they all share one hidden class
 * in V8. (A spread of an object that had a field added after its literal made a new hidden class for every copy.) */
function participant(p: Participant): Participant {
  return {
    id: p.id,
    role: p.role,
    identity: p.identity,
    name: p.name,
    seq: p.seq,
    awaySince: p.awaySince,
    media: p.media,
    privileges: p.privileges,
    invite: p.invite,
  };
}

function generationOf(generations: readonly PairGeneration[], pair: string): number {
  for (const g of generations) if (g.pair === pair) return g.gen;
  return 1;
}

function withGeneration(generations: readonly PairGeneration[], pair: string, gen: number): PairGeneration[] {
  return [...generations.filter((g) => g.pair !== pair), { pair, gen }];
}

export function findParticipant(session: Session, id: string): Participant | undefined {
  return session.participants.find((p) => p.id === id);
}

export function isLive(session: Session): boolean {
  return session.status !== 'ended';
}

function peerInfo(p: Participant): PeerInfo {
  const info: PeerInfo = { id: p.id, role: p.role, media: p.media };
  if (p.name !== undefined) info.name = p.name;
  return info;
}

const MEDIA_ON: MediaState = { video: true, paused: false };

/** The member already present initiates toward the newcomer: the lower arrival number is the initiator. */
export function initiatorOf(a: Participant, b: Participant): Participant {
  return a.seq < b.seq ? a : b;
}

function linkFor(session: Session, receiver: Participant, other: Participant): PeerLink {
  return {
    peer: peerInfo(other),
    initiator: initiatorOf(receiver, other) === receiver,
    gen: generationOf(session.pairGenerations, pairKey(receiver.id, other.id)),
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
  /** Null (the default) for the service's own pages. */
  siteId?: string | null;
}

/** A visitor starts a session: it waits, with a code, for an agent. */
export function createSession(input: NewVisitor): Session {
  return {
    id: input.sessionId,
    code: input.code,
    status: 'waiting',
    createdAt: input.now,
    siteId: input.siteId ?? null,
    codeExpiresAt: input.now + input.codeTtlMs,
    participants: [participant({ id: input.participantId, role: 'visitor', identity: 'anonymous', seq: 0, media: MEDIA_ON, privileges: [] })],
    pairGenerations: [],
    nextSeq: 1,
    invites: {},
    pendingGuests: [],
    control: { state: 'off' },
  };
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
  return {
    id: input.sessionId,
    code: input.code,
    status: 'inviting',
    createdAt: input.now,
    siteId: input.siteId ?? null,
    codeExpiresAt: input.now + input.promptTtlMs,
    participants: [],
    pairGenerations: [],
    nextSeq: 0,
    invitation: {
      id: input.invitationId,
      visitorIdentity: input.visitorIdentity,
      agentIdentity: input.agentIdentity,
      agentName: input.agentName,
      expiresAt: input.now + input.promptTtlMs,
    },
    invites: {},
    pendingGuests: [],
    control: { state: 'off' },
  };
}

/** Adds a member at the end of the arrival order; everyone present initiates toward them. */
function addMember(session: Session, member: Omit<Participant, 'seq'>): { session: Session; effects: Effect[] } {
  const newcomer = participant({ ...member, seq: session.nextSeq });
  let pairGenerations = session.pairGenerations;
  for (const p of session.participants) pairGenerations = withGeneration(pairGenerations, pairKey(p.id, newcomer.id), 1);
  const next: Session = {
    ...session,
    participants: [...session.participants, newcomer],
    pairGenerations,
    nextSeq: session.nextSeq + 1,
  };
  const effects: Effect[] = session.participants.map((p) => ({ kind: 'peer-joined', to: p.id, link: linkFor(next, p, newcomer) }));
  return { session: next, effects };
}

export interface TermsAnswer {
  invitationId: string;
  visitorIdentity: string;
  participantId: string;
  now: number;
  /** An accepted visitor waits this long for the agent's console before the session ends. */
  agentWaitMs: number;
}

function checkInvitation(session: Session, answer: { invitationId: string; visitorIdentity: string; now: number }): ErrorCode | undefined {
  const inv = session.invitation;
  if (!inv || inv.id !== answer.invitationId || inv.visitorIdentity !== answer.visitorIdentity) return ErrorCode.InvalidInvitation;
  if (session.status === 'ended') return ErrorCode.SessionEnded;
  if (session.status !== 'inviting' || inv.answered) return ErrorCode.InvalidInvitation;
  if (answer.now >= inv.expiresAt) return ErrorCode.InvalidInvitation;
  return undefined;
}

/** The visitor accepted the terms: they join; if the agent's console is not there yet, the session waits for it. */
export function acceptTerms(session: Session, answer: TermsAnswer): Outcome {
  const problem = checkInvitation(session, answer);
  if (problem) return refuse(problem);
  const added = addMember(session, { id: answer.participantId, role: 'visitor', identity: answer.visitorIdentity, media: MEDIA_ON, privileges: [] });
  const agentPresent = added.session.participants.some((p) => p.role === 'agent');
  return ok(
    {
      ...added.session,
      status: agentPresent ? 'active' : 'waiting',
      codeExpiresAt: answer.now + answer.agentWaitMs,
      invitation: { ...session.invitation!, answered: 'accepted' },
    },
    added.effects,
  );
}

/** The visitor declined: the session ends and the agent is told why. */
export function declineTerms(session: Session, answer: { invitationId: string; visitorIdentity: string; now: number }): Outcome {
  const problem = checkInvitation(session, answer);
  if (problem) return refuse(problem);
  return endSession(session, EndReason.VisitorDeclined, answer.now);
}

export interface NewAgent {
  participantId: string;
  identity: string;
  name?: string;
  privileges: string[];
  now: number;
}

/** An authenticated agent joins: with the session's code, or into their own 1-click invitation. One agent per
 * session. */
export function admitAgent(session: Session, agent: NewAgent, rules: SessionRules): Outcome {
  if (session.status === 'ended') return refuse(ErrorCode.SessionEnded);
  if (session.invitation) {
    if (session.invitation.agentIdentity !== agent.identity) return refuse(ErrorCode.Forbidden);
  } else if (session.status === 'waiting' && agent.now >= session.codeExpiresAt) {
    return refuse(ErrorCode.CodeExpired);
  }
  if (session.participants.some((p) => p.role === 'agent')) return refuse(ErrorCode.AgentPresent);
  if (session.participants.length >= rules.maxParticipants) return refuse(ErrorCode.SessionFull);
  const member: Omit<Participant, 'seq'> = {
    id: agent.participantId,
    role: 'agent',
    identity: agent.identity,
    // Agent video starts off; it needs the video privilege to come on.
    media: { video: false, paused: false },
    privileges: agent.privileges,
  };
  if (agent.name !== undefined) member.name = agent.name;
  const added = addMember(session, member);
  const status = session.status === 'waiting' ? 'active' : session.status;
  return ok({ ...added.session, status }, added.effects);
}

/** Signals travel only between two different live members of the same session. */
export function canRelay(session: Session, from: string, to: string): boolean {
  return isLive(session) && from !== to && !!findParticipant(session, from) && !!findParticipant(session, to);
}

/** The current generation of a pair, for checking that a signal belongs to the live peer connection. */
export function pairGeneration(session: Session, a: string, b: string): number {
  return generationOf(session.pairGenerations, pairKey(a, b));
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

/** The service is going away (a restart or a deploy) and takes the session with it: it ends for everyone, with a
 * reason that says so, rather than being left open in the store with nobody holding it. */
export function endForShutdown(session: Session, now: number): Outcome {
  if (!isLive(session)) return refuse(ErrorCode.SessionEnded);
  return endSession(session, EndReason.ServiceRestart, now);
}

function withParticipant(session: Session, id: string, change: (p: Participant) => Participant): Session {
  return { ...session, participants: session.participants.map((p) => (p.id === id ? participant(change(p)) : p)) };
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
  const next = withParticipant(session, participantId, (p) => ({ ...p, awaySince: undefined }));
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
    pairGenerations: withGeneration(session.pairGenerations, key, generationOf(session.pairGenerations, key) + 1),
  };
  return ok(next, [
    { kind: 'pair-reset', to: a.id, link: linkFor(next, a, b) },
    { kind: 'pair-reset', to: b.id, link: linkFor(next, b, a) },
  ]);
}

/** Applies every time-based rule due at `now`: an unanswered invitation ends as timed out; an unused code (or an
 * accepted visitor whose agent never came) ends its waiting session; a participant away for longer than the grace
 * period leaves as lost. */
export function expire(session: Session, now: number, rules: SessionRules): Outcome {
  if (!isLive(session)) return ok(session);
  if (session.status === 'inviting' && session.invitation && now >= session.invitation.expiresAt) {
    return endSession(session, EndReason.TermsTimeout, now);
  }
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
  if (session.status === 'inviting' && session.invitation) times.push(session.invitation.expiresAt);
  for (const p of session.participants) if (p.awaySince !== undefined) times.push(p.awaySince + rules.resumeGraceMs);
  return times.length ? Math.min(...times) : undefined;
}

// --- guests --------------------------------------------------------------------------------------------------

function requireAgent(session: Session, participantId: string): ErrorCode | undefined {
  if (!isLive(session)) return ErrorCode.SessionEnded;
  const who = findParticipant(session, participantId);
  if (!who) return ErrorCode.NotInSession;
  return who.role === 'agent' ? undefined : ErrorCode.Forbidden;
}

/** Add Guest: the agent gets an unguessable invite bound to this session. */
export function createGuestInvite(session: Session, agentId: string, invite: { token: string; now: number; ttlMs: number }): Outcome {
  const problem = requireAgent(session, agentId);
  if (problem) return refuse(problem);
  return ok({ ...session, invites: { ...session.invites, [invite.token]: invite.now + invite.ttlMs } });
}

export interface GuestRequest {
  invite: string;
  participantId: string;
  name: string;
  code: string;
  now: number;
}

/** A guest with a valid invite asks to join and gets a code to read to the agent. */
export function requestGuest(session: Session, request: GuestRequest, rules: SessionRules & GuestRules): Outcome {
  if (!isLive(session)) return refuse(ErrorCode.SessionEnded);
  const expiresAt = session.invites[request.invite];
  if (!expiresAt || request.now >= expiresAt) return refuse(ErrorCode.InvalidInvite);
  if (session.participants.length >= rules.maxParticipants) return refuse(ErrorCode.SessionFull);
  if (session.pendingGuests.some((g) => g.id === request.participantId)) return refuse(ErrorCode.AlreadyInSession);
  if (session.pendingGuests.length >= rules.maxPending) return refuse(ErrorCode.TooManyGuestsWaiting);
  const pending: PendingGuest = {
    id: request.participantId,
    name: request.name,
    code: request.code,
    invite: request.invite,
    expiresAt: request.now + rules.codeTtlMs,
    extensionsLeft: rules.maxExtensions,
  };
  return ok({ ...session, pendingGuests: [...session.pendingGuests, pending] });
}

/** The guest asks for more time: the same code stays valid for another period, a limited number of times. */
export function extendGuestCode(session: Session, guestId: string, now: number, rules: GuestRules): Outcome {
  if (!isLive(session)) return refuse(ErrorCode.SessionEnded);
  const pending = session.pendingGuests.find((g) => g.id === guestId);
  if (!pending) return refuse(ErrorCode.NotInSession);
  if (pending.extensionsLeft <= 0) return refuse(ErrorCode.NoExtensionsLeft);
  const extended = { ...pending, expiresAt: now + rules.codeTtlMs, extensionsLeft: pending.extensionsLeft - 1 };
  return ok({ ...session, pendingGuests: session.pendingGuests.map((g) => (g.id === guestId ? extended : g)) });
}

export function pendingGuest(session: Session, guestId: string): PendingGuest | undefined {
  return session.pendingGuests.find((g) => g.id === guestId);
}

/** Admit: only the agent, only with a live code shown by a waiting guest; the code is used up. */
export function admitGuest(session: Session, agentId: string, code: string, now: number, rules: SessionRules): Outcome {
  const problem = requireAgent(session, agentId);
  if (problem) return refuse(problem);
  const pending = session.pendingGuests.find((g) => g.code === code);
  if (!pending) return refuse(ErrorCode.InvalidCode);
  if (now >= pending.expiresAt) return refuse(ErrorCode.GuestCodeExpired);
  if (session.participants.length >= rules.maxParticipants) return refuse(ErrorCode.SessionFull);
  if (session.invites[pending.invite] === 0) return refuse(ErrorCode.InvalidInvite);
  const withoutPending = { ...session, pendingGuests: session.pendingGuests.filter((g) => g.id !== pending.id) };
  const added = addMember(withoutPending, {
    id: pending.id,
    role: 'guest',
    identity: `guest:${pending.name}`,
    name: pending.name,
    media: MEDIA_ON,
    privileges: [],
    invite: pending.invite,
  });
  return ok(added.session, [...added.effects, { kind: 'admitted', to: pending.id }]);
}

/** A pending guest went away before being admitted: their code is withdrawn. */
export function withdrawGuest(session: Session, guestId: string): Outcome {
  if (!session.pendingGuests.some((g) => g.id === guestId)) return ok(session);
  return ok({ ...session, pendingGuests: session.pendingGuests.filter((g) => g.id !== guestId) });
}

function requireGuestTarget(session: Session, agentId: string, guestId: string): ErrorCode | undefined {
  const problem = requireAgent(session, agentId);
  if (problem) return problem;
  const target = findParticipant(session, guestId);
  if (!target) return ErrorCode.UnknownPeer;
  return target.role === 'guest' ? undefined : ErrorCode.Forbidden;
}

/** Eject: the agent removes a guest, who is told, disconnected and cannot return with the same invite. */
export function ejectGuest(session: Session, agentId: string, guestId: string): Outcome {
  const problem = requireGuestTarget(session, agentId, guestId);
  if (problem) return refuse(problem);
  const guest = findParticipant(session, guestId)!;
  const remaining = session.participants.filter((p) => p.id !== guestId);
  const invites = guest.invite ? { ...session.invites, [guest.invite]: 0 } : session.invites;
  const effects: Effect[] = [
    ...remaining.map((p): Effect => ({ kind: 'peer-left', to: p.id, peerId: guestId, reason: LeaveReason.Ejected })),
    { kind: 'removed', to: guestId, reason: LeaveReason.Ejected },
  ];
  // Anyone still waiting with the revoked invite can no longer be admitted.
  const pendingGuests = session.pendingGuests.filter((g) => g.invite !== guest.invite);
  return ok({ ...session, participants: remaining, invites, pendingGuests }, effects);
}

function mediaEffects(session: Session, peerId: string, media: MediaState): Effect[] {
  return session.participants.map((p) => ({ kind: 'peer-media', to: p.id, peerId, media }));
}

/** Pause guest video: the agent stops (or resumes) a guest's outgoing video; everyone, the guest included, is told. */
export function pauseGuest(session: Session, agentId: string, guestId: string, paused: boolean): Outcome {
  const problem = requireGuestTarget(session, agentId, guestId);
  if (problem) return refuse(problem);
  const guest = findParticipant(session, guestId)!;
  if (guest.media.paused === paused) return ok(session);
  const media = { ...guest.media, paused };
  const next = withParticipant(session, guestId, (p) => ({ ...p, media }));
  return ok(next, mediaEffects(next, guestId, media));
}

/** Everyone switches their own video; an agent needs the video privilege to turn it on, and a paused guest can't. */
export function setVideo(session: Session, participantId: string, video: boolean): Outcome {
  if (!isLive(session)) return refuse(ErrorCode.SessionEnded);
  const who = findParticipant(session, participantId);
  if (!who) return refuse(ErrorCode.NotInSession);
  if (video && who.role === 'agent' && !who.privileges.includes(Privilege.AgentVideo)) return refuse(ErrorCode.NoPrivilege);
  if (video && who.media.paused) return refuse(ErrorCode.VideoPaused);
  if (who.media.video === video) return ok(session);
  const media = { ...who.media, video };
  const next = withParticipant(session, participantId, (p) => ({ ...p, media }));
  return ok(next, mediaEffects(next, participantId, media));
}

// --- remote control ------------------------------------------------------------------------------------------

function controlEffects(session: Session, state: ControlState, agentName?: string): Effect[] {
  return session.participants
    .filter((p) => p.role === 'visitor' || p.role === 'agent')
    .map((p): Effect => (agentName === undefined ? { kind: 'control-state', to: p.id, state } : { kind: 'control-state', to: p.id, state, agentName }));
}

/** An agent with the remote-control privilege asks; the visitor is prompted. */
export function requestControl(session: Session, agentId: string): Outcome {
  const problem = requireAgent(session, agentId);
  if (problem) return refuse(problem);
  const agent = findParticipant(session, agentId)!;
  if (!agent.privileges.includes(Privilege.RemoteControl)) return refuse(ErrorCode.NoPrivilege);
  if (!session.participants.some((p) => p.role === 'visitor')) return refuse(ErrorCode.UnknownPeer);
  if (session.control.state !== 'off') return ok(session);
  const next: Session = { ...session, control: { state: 'requested', agentId } };
  return ok(next, controlEffects(next, 'requested', agent.name ?? 'The agent'));
}

/** The visitor grants or declines a pending request. */
export function answerControl(session: Session, visitorId: string, granted: boolean): Outcome {
  if (!isLive(session)) return refuse(ErrorCode.SessionEnded);
  if (findParticipant(session, visitorId)?.role !== 'visitor') return refuse(ErrorCode.Forbidden);
  if (session.control.state !== 'requested') return refuse(ErrorCode.InvalidInvitation);
  const next: Session = { ...session, control: granted ? { state: 'on', agentId: session.control.agentId! } : { state: 'off' } };
  return ok(next, controlEffects(next, next.control.state));
}

/** The agent stops, or the visitor revokes, at any time. */
export function releaseControl(session: Session, participantId: string): Outcome {
  if (!isLive(session)) return refuse(ErrorCode.SessionEnded);
  const role = findParticipant(session, participantId)?.role;
  if (role !== 'visitor' && role !== 'agent') return refuse(ErrorCode.Forbidden);
  if (session.control.state === 'off') return ok(session);
  const next: Session = { ...session, control: { state: 'off' } };
  return ok(next, controlEffects(next, 'off'));
}

/** Whether this agent's input may act on the visitor's page right now. */
export function mayControl(session: Session, agentId: string): boolean {
  return isLive(session) && session.control.state === 'on' && session.control.agentId === agentId;
}

/** The visitor of the session, who receives control input, read-aloud requests and snapshot requests. */
export function visitorOf(session: Session): Participant | undefined {
  return session.participants.find((p) => p.role === 'visitor');
}
