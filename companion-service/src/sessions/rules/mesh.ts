import { ErrorCode, Privilege } from '../../protocol/codes';
import type { MediaState } from '../../protocol/messages';
import type { CommandOf } from '../commands';
import { ok, refuse, type Effect, type Outcome } from '../outcome';
import { findParticipant, generationOf, initiatorOf, linkFor, pairKey } from '../queries';
import { participant, type PairGeneration, type Participant, type Session } from '../state';

/* The mesh: who is in it, who connects to whom (pair generations), and everyone's video. */

/** Everyone's video starts on, except an agent's: off unless the agent asked for it as they joined (their "start my
 * video" choice) and holds the video privilege. */
export function startingMedia(
  member: Pick<Participant, 'role' | 'privileges'>,
  agentAskedForVideo = false,
): MediaState {
  const video = member.role !== 'agent' || (agentAskedForVideo && member.privileges.includes(Privilege.AgentVideo));
  return { video, paused: false };
}

function withGeneration(generations: readonly PairGeneration[], pair: string, gen: number): PairGeneration[] {
  return [...generations.filter((g) => g.pair !== pair), { pair, gen }];
}

/** Adds a member at the end of the arrival order; everyone present initiates toward them. */
export function addMember(
  session: Session,
  member: Omit<Participant, 'seq' | 'awaySince' | 'media'>,
  agentAskedForVideo = false,
): { session: Session; effects: Effect[] } {
  const media = startingMedia(member, agentAskedForVideo);
  const newcomer = participant({ ...member, seq: session.nextSeq, awaySince: null, media });
  let pairGenerations = session.pairGenerations;
  for (const p of session.participants)
    pairGenerations = withGeneration(pairGenerations, pairKey(p.id, newcomer.id), 1);
  const next: Session = {
    ...session,
    participants: [...session.participants, newcomer],
    pairGenerations,
    nextSeq: session.nextSeq + 1,
  };
  const effects: Effect[] = session.participants.map((p) => ({
    kind: 'peer-joined',
    to: p.id,
    link: linkFor(next, p, newcomer),
  }));
  return { session: next, effects };
}

export function withParticipant(session: Session, id: string, change: (p: Participant) => Participant): Session {
  return { ...session, participants: session.participants.map((p) => (p.id === id ? participant(change(p)) : p)) };
}

export function tellOthers(session: Session, id: string, make: (to: string) => Effect): Effect[] {
  return session.participants.filter((p) => p.id !== id).map((p) => make(p.id));
}

/** Everyone, the participant included, learns their new media state. */
export function withMedia(session: Session, peerId: string, media: MediaState): Outcome {
  const next = withParticipant(session, peerId, (p) => ({ ...p, media }));
  return ok(
    next,
    next.participants.map((p) => ({ kind: 'peer-media', to: p.id, peerId, media })),
  );
}

/** Either side of a pair asks for a fresh peer connection (ICE failed, or a page reload lost its peers): the pair's
 * generation goes up and both sides are told to start over, the earlier member initiating. The answering side is told
 * first, as a newcomer is on a join: the initiator offers as soon as it hears, and an offer of a generation the other
 * side has not heard of yet is ignored there. */
export function restartPair(session: Session, command: CommandOf<'pair.restart'>): Outcome {
  const a = findParticipant(session, command.by)!;
  const b = findParticipant(session, command.peerId);
  if (!b || b.id === a.id) return refuse(ErrorCode.UnknownPeer);
  // A browser that can't make calls has no connection to start over: nobody connects to it.
  if (a.media.webrtc === false || b.media.webrtc === false) return refuse(ErrorCode.Forbidden);
  const key = pairKey(a.id, b.id);
  const next: Session = {
    ...session,
    pairGenerations: withGeneration(session.pairGenerations, key, generationOf(session.pairGenerations, key) + 1),
  };
  const [answering, initiating] = initiatorOf(a, b) === a ? [b, a] : [a, b];
  return ok(next, [
    { kind: 'pair-reset', to: answering.id, link: linkFor(next, answering, initiating) },
    { kind: 'pair-reset', to: initiating.id, link: linkFor(next, initiating, answering) },
  ]);
}

/** Everyone switches their own video; an agent needs the video privilege to turn it on, and a paused guest can't.
 * Someone whose browser can't make calls says so once (`webrtc: false`): their video is off for good. */
export function setVideo(session: Session, { by, video, webrtc }: CommandOf<'media.set'>): Outcome {
  const who = findParticipant(session, by)!;
  // No calls and video on can't both hold.
  if (video && (webrtc === false || who.media.webrtc === false)) return refuse(ErrorCode.Forbidden);
  if (webrtc === false) {
    if (who.media.webrtc === false) return ok(session);
    return withMedia(session, by, { ...who.media, video: false, webrtc: false });
  }
  if (video && who.role === 'agent' && !who.privileges.includes(Privilege.AgentVideo))
    return refuse(ErrorCode.NoPrivilege);
  if (video && who.media.paused) return refuse(ErrorCode.VideoPaused);
  if (who.media.video === video) return ok(session);
  return withMedia(session, by, { ...who.media, video });
}

/** Pause video: the agent stops (or lets show again) the outgoing video of the customer or a guest; everyone, the
 * paused one included, is told, and that participant can't turn their video on until it is resumed. An agent's video
 * is their own to turn off. */
export function pauseVideo(session: Session, { peerId, paused }: CommandOf<'peer.pause'>): Outcome {
  const target = findParticipant(session, peerId);
  if (!target) return refuse(ErrorCode.UnknownPeer);
  if (target.role === 'agent') return refuse(ErrorCode.Forbidden);
  if (target.media.paused === paused) return ok(session);
  return withMedia(session, peerId, { ...target.media, paused });
}
