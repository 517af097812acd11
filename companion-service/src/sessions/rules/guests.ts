import { ErrorCode, LeaveReason } from '../../protocol/codes';
import type { CommandOf } from '../commands';
import { ok, refuse, type Effect, type Outcome } from '../outcome';
import { findParticipant, seatsTaken } from '../queries';
import type { Participant, Session } from '../state';
import { addMember } from './mesh';

/* Guests: the agent's links, the guest's code (with more time on request), Admit, Eject, Pause. The state and issuer
 * checks (only the agent admits, ejects or pauses; only a waiting guest extends) come first, from transitions.ts. */

/** The guest link can still be used at `now`. */
export function inviteIsLive(session: Session, token: string, now: number): boolean {
  return session.guestInvites.some((i) => i.token === token && !i.revoked && now < i.expiresAt);
}

/** Add Guest: the agent gets an unguessable invite bound to this session. */
export function createGuestInvite(session: Session, { token, now, ttlMs }: CommandOf<'guest.invite.create'>): Outcome {
  return ok({ ...session, guestInvites: [...session.guestInvites, { token, expiresAt: now + ttlMs, revoked: false }] });
}

/** A guest with a valid invite asks to join and gets a code to read to the agent. */
export function requestGuest(session: Session, c: CommandOf<'guest.request'>): Outcome {
  if (seatsTaken(session) >= c.rules.maxParticipants) return refuse(ErrorCode.SessionFull);
  if (session.pendingGuests.some((g) => g.id === c.participantId)) return refuse(ErrorCode.AlreadyInSession);
  if (session.pendingGuests.length >= c.rules.maxPending) return refuse(ErrorCode.TooManyGuestsWaiting);
  const pending = {
    id: c.participantId,
    name: c.name,
    code: c.code,
    invite: c.invite,
    expiresAt: c.now + c.rules.codeTtlMs,
    extensionsLeft: c.rules.maxExtensions,
  };
  return ok({ ...session, pendingGuests: [...session.pendingGuests, pending] });
}

/** The guest asks for more time: the same code stays valid for another period, a limited number of times. */
export function extendGuestCode(session: Session, { by, now, codeTtlMs }: CommandOf<'guest.extend'>): Outcome {
  const pending = session.pendingGuests.find((g) => g.id === by)!;
  if (pending.extensionsLeft <= 0) return refuse(ErrorCode.NoExtensionsLeft);
  const extended = { ...pending, expiresAt: now + codeTtlMs, extensionsLeft: pending.extensionsLeft - 1 };
  return ok({ ...session, pendingGuests: session.pendingGuests.map((g) => (g.id === by ? extended : g)) });
}

/** A pending guest went away before being admitted: their code is withdrawn. */
export function withdrawGuest(session: Session, { by }: CommandOf<'guest.withdraw'>): Outcome {
  return ok({ ...session, pendingGuests: session.pendingGuests.filter((g) => g.id !== by) });
}

/** Admit: only with a live code shown by a waiting guest; the code is used up. */
export function admitGuest(session: Session, { code, now, maxParticipants }: CommandOf<'guest.admit'>): Outcome {
  const pending = session.pendingGuests.find((g) => g.code === code);
  if (!pending) return refuse(ErrorCode.InvalidCode);
  if (now >= pending.expiresAt) return refuse(ErrorCode.GuestCodeExpired);
  if (seatsTaken(session) >= maxParticipants) return refuse(ErrorCode.SessionFull);
  if (session.guestInvites.some((i) => i.token === pending.invite && i.revoked)) return refuse(ErrorCode.InvalidInvite);
  const withoutPending = { ...session, pendingGuests: session.pendingGuests.filter((g) => g.id !== pending.id) };
  const added = addMember(withoutPending, {
    id: pending.id,
    role: 'guest',
    identity: `guest:${pending.name}`,
    name: pending.name,
    privileges: [],
    invite: pending.invite,
  });
  // The guest is told first: the others initiate toward them as soon as they hear of them, and the guest's page can
  // take an offer only once its session.joined has named the sender.
  return ok(added.session, [{ kind: 'admitted', to: pending.id }, ...added.effects]);
}

/** The guest an agent's Eject or Pause names, or why it can't name them. */
function targetGuest(session: Session, guestId: string): Participant | ErrorCode {
  const target = findParticipant(session, guestId);
  if (!target) return ErrorCode.UnknownPeer;
  return target.role === 'guest' ? target : ErrorCode.Forbidden;
}

/** Eject: the guest is told, disconnected and cannot return with the same invite. */
export function ejectGuest(session: Session, { peerId }: CommandOf<'guest.eject'>): Outcome {
  const guest = targetGuest(session, peerId);
  if (typeof guest === 'string') return refuse(guest);
  const remaining = session.participants.filter((p) => p.id !== peerId);
  const guestInvites = session.guestInvites.map((i) => (i.token === guest.invite ? { ...i, revoked: true } : i));
  const effects: Effect[] = [
    ...remaining.map((p): Effect => ({ kind: 'peer-left', to: p.id, peerId, reason: LeaveReason.Ejected })),
    { kind: 'removed', to: peerId, reason: LeaveReason.Ejected },
  ];
  // Anyone still waiting with the revoked invite can no longer be admitted.
  const pendingGuests = session.pendingGuests.filter((g) => g.invite !== guest.invite);
  return ok({ ...session, participants: remaining, guestInvites, pendingGuests }, effects);
}
