import { ErrorCode, Privilege } from '../../protocol/codes';
import type { ShareState } from '../../protocol/messages';
import type { CommandOf } from '../commands';
import { ok, refuse, type Effect, type Outcome } from '../outcome';
import { findParticipant, visitorOf } from '../queries';
import { SCREEN_SHARE_OFF, type Participant, type ScreenShare, type Session } from '../state';

/* Screen share: an agent with the privilege shares a screen with everyone in the call, or asks the customer, who
 * shares theirs with the agents only (a guest never sees the customer's screen) once they agree. The sharer, or any
 * agent, stops it. The media goes peer to peer; the server rules who may start it and tells who sees it. */

/** The share as it stands. One whose sharer (or asking agent) has left is over; a session stored before screen share
 * existed has none. */
export function currentShare(session: Session): ScreenShare {
  const share = (session as Partial<Session>).share ?? SCREEN_SHARE_OFF;
  const holder = share.state === 'on' ? share.sharerId : share.agentId;
  if (share.state === 'off' || (holder !== null && findParticipant(session, holder))) return share;
  return SCREEN_SHARE_OFF;
}

/** Who is told of a share: an agent's goes to everyone; the customer's (asked for or on) to the customer and agents. */
export function sharesWith(session: Session, share: ScreenShare): Participant[] {
  const sharer = share.state === 'on' && share.sharerId !== null ? findParticipant(session, share.sharerId) : undefined;
  if (sharer?.role === 'agent') return session.participants;
  return session.participants.filter((p) => p.role === 'visitor' || p.role === 'agent');
}

/** The share as a member is told it. */
export function shareView(session: Session, share: ScreenShare): ShareState {
  if (share.state === 'off') return { state: 'off' };
  if (share.state === 'requested') return { state: 'requested', name: nameOf(session, share.agentId) };
  return { state: 'on', sharerId: share.sharerId!, streamId: share.streamId!, name: nameOf(session, share.sharerId) };
}

/** The member's name, or what the tiles call someone without one. */
function nameOf(session: Session, id: string | null): string {
  const member = id !== null ? findParticipant(session, id) : undefined;
  return member?.name ?? (member?.role === 'visitor' ? 'Customer' : 'Agent');
}

/** The next share, told to those who see it (or, when it ends, to those who saw the one before). */
function change(session: Session, share: ScreenShare, audienceOf: ScreenShare = share): Outcome {
  const next: Session = { ...session, share };
  const view = shareView(next, share);
  const effects = sharesWith(session, audienceOf).map((p): Effect => ({ kind: 'share-state', to: p.id, share: view }));
  return ok(next, effects);
}

function hasPrivilege(session: Session, agentId: string): boolean {
  return !!findParticipant(session, agentId)?.privileges.includes(Privilege.ScreenShare);
}

/** The agent shares; a new stream of their own share replaces the old one (they picked another window). */
export function startShare(session: Session, { by, streamId }: CommandOf<'share.start'>): Outcome {
  if (!hasPrivilege(session, by)) return refuse(ErrorCode.NoPrivilege);
  const share = currentShare(session);
  if (share.state !== 'off' && share.sharerId !== by) return refuse(ErrorCode.ScreenShareBusy);
  return change(session, { state: 'on', agentId: by, sharerId: by, streamId });
}

/** The agent asks the customer; the customer is prompted with the agent's name. */
export function requestShare(session: Session, { by }: CommandOf<'share.request'>): Outcome {
  if (!hasPrivilege(session, by)) return refuse(ErrorCode.NoPrivilege);
  if (!visitorOf(session)) return refuse(ErrorCode.UnknownPeer);
  if (currentShare(session).state !== 'off') return refuse(ErrorCode.ScreenShareBusy);
  return change(session, { state: 'requested', agentId: by, sharerId: null, streamId: null });
}

/** The customer answers the pending request: shares what they picked, or declines. */
export function answerShare(session: Session, { by, granted, streamId }: CommandOf<'share.answer'>): Outcome {
  const share = currentShare(session);
  if (share.state !== 'requested') return refuse(ErrorCode.InvalidInvitation);
  if (!granted || streamId === null) return change(session, SCREEN_SHARE_OFF, share);
  return change(session, { state: 'on', agentId: share.agentId, sharerId: by, streamId });
}

/** The sharer stops; an agent stops anyone's share or withdraws the request; the customer may turn the request down
 * this way too. Nothing to stop: nothing changes. */
export function stopShare(session: Session, { by }: CommandOf<'share.stop'>): Outcome {
  const share = currentShare(session);
  if (share.state === 'off') return ok(session);
  const member = findParticipant(session, by)!;
  const allowed =
    member.role === 'agent' || share.sharerId === by || (share.state === 'requested' && member.role === 'visitor');
  if (!allowed) return refuse(ErrorCode.Forbidden);
  return change(session, SCREEN_SHARE_OFF, share);
}
