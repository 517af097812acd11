import type { Session } from './state';
import type { RelayRoute } from './relayRoutes';

/** A participant's place in the current state of their session. A new seat is made for every state, so what is
 * derived from the state and kept on the seat (the relay's routes) is dropped with it. */
export interface Seat {
  readonly session: Session;
  relayRoutes?: RelayRoute[];
}

/** Live sessions in this process, indexed by id, code, participant, pending guest, guest invite, 1-click invitation
 * and resume token. State only: the rules are in model.ts and the I/O in sessionService.ts. */
export class SessionDirectory {
  private readonly sessions = new Map<string, Session>();
  private readonly byCode = new Map<string, string>();
  /** To the participant's seat in the current state, not the session id: the relay looks a sender up per signal. */
  private readonly byParticipant = new Map<string, Seat>();
  private readonly byPendingGuest = new Map<string, string>();
  private readonly byInvite = new Map<string, string>();
  private readonly byInvitation = new Map<string, string>();
  private readonly resumeTokens = new Map<string, string>();
  private readonly tokenOf = new Map<string, string>();
  private readonly removed: Array<(sessionId: string) => void> = [];

  get size(): number {
    return this.sessions.size;
  }

  get(sessionId: string): Session | undefined {
    return this.sessions.get(sessionId);
  }

  findByCode(code: string): Session | undefined {
    return this.lookup(this.byCode, code);
  }

  isCodeTaken(code: string): boolean {
    return this.byCode.has(code);
  }

  sessionOf(participantId: string): Session | undefined {
    return this.byParticipant.get(participantId)?.session;
  }

  seatOf(participantId: string): Seat | undefined {
    return this.byParticipant.get(participantId);
  }

  sessionOfPendingGuest(guestId: string): Session | undefined {
    return this.lookup(this.byPendingGuest, guestId);
  }

  findByInvite(invite: string): Session | undefined {
    return this.lookup(this.byInvite, invite);
  }

  findByInvitation(invitationId: string): Session | undefined {
    return this.lookup(this.byInvitation, invitationId);
  }

  resumeTokenOf(participantId: string): string | undefined {
    return this.tokenOf.get(participantId);
  }

  participantForResumeToken(token: string): string | undefined {
    return this.resumeTokens.get(token);
  }

  /** Stores the session's new state and keeps every index in step with it. */
  put(session: Session): void {
    const previous = this.sessions.get(session.id);
    this.sessions.set(session.id, session);
    this.byCode.set(session.code, session.id);
    if (session.invitation) this.byInvitation.set(session.invitation.id, session.id);
    for (const invite of session.guestInvites) this.byInvite.set(invite.token, session.id);
    const current = new Set(session.participants.map((p) => p.id));
    for (const p of previous?.participants ?? []) if (!current.has(p.id)) this.forgetParticipant(p.id);
    for (const id of current) this.byParticipant.set(id, { session });
    for (const g of previous?.pendingGuests ?? []) this.byPendingGuest.delete(g.id);
    for (const g of session.pendingGuests) this.byPendingGuest.set(g.id, session.id);
  }

  /** The participant's one valid resume token: the one it had before stops working. */
  setResumeToken(participantId: string, token: string): void {
    const previous = this.tokenOf.get(participantId);
    if (previous !== undefined) this.resumeTokens.delete(previous);
    this.resumeTokens.set(token, participantId);
    this.tokenOf.set(participantId, token);
  }

  /** Called with each session that leaves the directory. */
  onRemove(listener: (sessionId: string) => void): void {
    this.removed.push(listener);
  }

  remove(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    for (const listener of this.removed) listener(sessionId);
    this.sessions.delete(sessionId);
    if (this.byCode.get(session.code) === sessionId) this.byCode.delete(session.code);
    if (session.invitation) this.byInvitation.delete(session.invitation.id);
    for (const invite of session.guestInvites) this.byInvite.delete(invite.token);
    for (const g of session.pendingGuests) this.byPendingGuest.delete(g.id);
    for (const p of session.participants) this.forgetParticipant(p.id);
  }

  all(): IterableIterator<Session> {
    return this.sessions.values();
  }

  private lookup(index: Map<string, string>, key: string): Session | undefined {
    const id = index.get(key);
    return id === undefined ? undefined : this.sessions.get(id);
  }

  private forgetParticipant(participantId: string): void {
    this.byParticipant.delete(participantId);
    const token = this.tokenOf.get(participantId);
    if (token !== undefined) this.resumeTokens.delete(token);
    this.tokenOf.delete(participantId);
  }
}
