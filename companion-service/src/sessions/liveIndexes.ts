import type { Session } from './state';

/* The lookups that find a shared session (by code, member, waiting guest, guest link, 1-click invitation), as keys
 * beside its state (redisLiveSessions.ts), and what one commit changes in them: computed from the state before and
 * after, so the script that writes the state writes them in the same step. Pure. */

export const IndexKey = {
  code: (code: string) => `session-code:${code}`,
  member: (participantId: string) => `session-member:${participantId}`,
  pendingGuest: (guestId: string) => `session-pending:${guestId}`,
  invite: (token: string) => `session-invite:${token}`,
  invitation: (invitationId: string) => `session-invitation:${invitationId}`,
} as const;

export interface IndexChanges {
  /** key, session id, key, session id... */
  set: string[];
  del: string[];
  /** Participants gone from the session: their resume token goes with them. */
  forget: string[];
}

/** What a commit from `previous` (none: a new session) to `next` sets and deletes. A session that ends takes every
 * lookup with it. */
export function indexChanges(previous: Session | undefined, next: Session): IndexChanges {
  const id = next.id;
  const changes: IndexChanges = { set: [], del: [], forget: [] };
  const set = (key: string) => changes.set.push(key, id);
  if (next.status === 'ended') {
    const members = new Set([...(previous?.participants ?? []), ...next.participants].map((p) => p.id));
    const pending = new Set([...(previous?.pendingGuests ?? []), ...next.pendingGuests].map((g) => g.id));
    changes.del.push(IndexKey.code(next.code));
    if (next.invitation) changes.del.push(IndexKey.invitation(next.invitation.id));
    for (const invite of next.guestInvites) changes.del.push(IndexKey.invite(invite.token));
    for (const member of members) changes.del.push(IndexKey.member(member));
    for (const guest of pending) changes.del.push(IndexKey.pendingGuest(guest));
    changes.forget.push(...members);
    return changes;
  }
  if (!previous) set(IndexKey.code(next.code));
  if (next.invitation && next.invitation.id !== previous?.invitation?.id) set(IndexKey.invitation(next.invitation.id));
  const invitesBefore = new Set(previous?.guestInvites.map((i) => i.token));
  for (const invite of next.guestInvites) if (!invitesBefore.has(invite.token)) set(IndexKey.invite(invite.token));
  const membersNow = new Set(next.participants.map((p) => p.id));
  const membersBefore = new Set(previous?.participants.map((p) => p.id));
  for (const member of membersNow) if (!membersBefore.has(member)) set(IndexKey.member(member));
  for (const member of membersBefore) {
    if (membersNow.has(member)) continue;
    changes.del.push(IndexKey.member(member));
    changes.forget.push(member);
  }
  const pendingNow = new Set(next.pendingGuests.map((g) => g.id));
  const pendingBefore = new Set(previous?.pendingGuests.map((g) => g.id));
  for (const guest of pendingNow) if (!pendingBefore.has(guest)) set(IndexKey.pendingGuest(guest));
  for (const guest of pendingBefore) if (!pendingNow.has(guest)) changes.del.push(IndexKey.pendingGuest(guest));
  return changes;
}
