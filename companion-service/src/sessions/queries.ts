import type { PeerInfo, PeerLink } from '../protocol/messages';
import type { PairGeneration, Participant, PendingGuest, Session } from './state';

/* Questions about a session's state that change nothing. */

export function findParticipant(session: Session, id: string): Participant | undefined {
  return session.participants.find((p) => p.id === id);
}

export function isLive(session: Session): boolean {
  return session.status !== 'ended';
}

/** The visitor of the session, who receives control input, read-aloud requests and snapshot requests. */
export function visitorOf(session: Session): Participant | undefined {
  return session.participants.find((p) => p.role === 'visitor');
}

/** Seats taken: the members, and the invited visitor's seat while a 1-click invitation waits for their answer (the
 * customer is who the call is for: guests can't fill the room before they accept). */
export function seatsTaken(session: Session): number {
  const awaited = session.invitation !== null && !session.participants.some((p) => p.role === 'visitor') ? 1 : 0;
  return session.participants.length + awaited;
}

export function agentsOf(session: Session): Participant[] {
  return session.participants.filter((p) => p.role === 'agent');
}

export function pendingGuest(session: Session, guestId: string): PendingGuest | undefined {
  return session.pendingGuests.find((g) => g.id === guestId);
}

export function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

export function generationOf(generations: readonly PairGeneration[], pair: string): number {
  for (const g of generations) if (g.pair === pair) return g.gen;
  return 1;
}

/** The current generation of a pair, for checking that a signal belongs to the live peer connection. */
export function pairGeneration(session: Session, a: string, b: string): number {
  return generationOf(session.pairGenerations, pairKey(a, b));
}

/** Signals travel only between two different live members of the same session. */
export function canRelay(session: Session, from: string, to: string): boolean {
  return isLive(session) && from !== to && !!findParticipant(session, from) && !!findParticipant(session, to);
}

/** Whether this agent's input may act on the visitor's page right now. */
export function mayControl(session: Session, agentId: string): boolean {
  return isLive(session) && session.control.state === 'on' && session.control.agentId === agentId;
}

/** Whether this agent may guide the visitor's page (pointer, gestures, drawings): the page is shared, which it is while
 * the session is live with both of them in it and the visitor's socket there (not away between page loads). */
export function mayGuide(session: Session, agentId: string): boolean {
  const agent = findParticipant(session, agentId);
  const visitor = visitorOf(session);
  return isLive(session) && agent?.role === 'agent' && !!visitor && visitor.awaySince === null;
}

function peerInfo(p: Participant): PeerInfo {
  const info: PeerInfo = { id: p.id, role: p.role, media: p.media };
  if (p.name !== null) info.name = p.name;
  return info;
}

/** The member already present initiates toward the newcomer: the lower arrival number is the initiator. */
export function initiatorOf(a: Participant, b: Participant): Participant {
  return a.seq < b.seq ? a : b;
}

export function linkFor(session: Session, receiver: Participant, other: Participant): PeerLink {
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
