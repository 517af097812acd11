import type { Config } from '../config/schema';
import { iceServersFor } from '../ice/iceServers';
import type { ServerMessageOf, SessionCreated, SessionJoined, VisitorDevice } from '../protocol/messages';
import { findParticipant, linksFor, visitorOf } from './queries';
import { currentShare, sharesWith, shareView } from './rules/screenShare';
import type { Session } from './state';

/* What a participant is told about their session when they arrive: who they are (as the session state has them),
 * everyone to connect to, ICE servers; and the Customer Info agents see. */

export interface Arrival {
  session: Session;
  participantId: string;
  resumeToken: string;
}

type WelcomeConfig = Pick<Config, 'ice' | 'cobrowse'>;

/** The `session.created` answer to a visitor who started a session. */
export function createdMessage(arrival: Arrival, config: WelcomeConfig, now: number): SessionCreated | undefined {
  const { session } = arrival;
  const self = findParticipant(session, arrival.participantId);
  if (!self) return undefined;
  return {
    type: 'session.created',
    sessionId: session.id,
    code: session.code,
    codeExpiresAt: session.codeExpiresAt,
    self: { id: self.id, role: self.role, media: self.media, privileges: self.privileges },
    resumeToken: arrival.resumeToken,
    iceServers: iceServersFor(self.id, config.ice, now),
    maskSelectors: config.cobrowse.maskSelectors,
  };
}

/** The `session.joined` message for a member who joined, resumed or was admitted. */
export function joinedMessage(
  arrival: Arrival,
  resumed: boolean,
  config: WelcomeConfig,
  now: number,
): SessionJoined | undefined {
  const { session } = arrival;
  const self = findParticipant(session, arrival.participantId);
  if (!self) return undefined;
  return {
    type: 'session.joined',
    sessionId: session.id,
    code: session.code,
    self: { id: self.id, role: self.role, media: self.media, privileges: self.privileges },
    resumeToken: arrival.resumeToken,
    iceServers: iceServersFor(self.id, config.ice, now),
    peers: linksFor(session, self.id),
    resumed,
    maskSelectors: config.cobrowse.maskSelectors,
    control: session.control.state,
    ...shareFor(session, self.id),
  };
}

/** A share under way or asked for, for a member who sees it (a guest never sees the customer's). */
function shareFor(session: Session, memberId: string): Pick<SessionJoined, 'share'> {
  const share = currentShare(session);
  if (share.state === 'off' || !sharesWith(session, share).some((p) => p.id === memberId)) return {};
  return { share: shareView(session, share) };
}

/** Customer Info for agents: the session code and the visitor's device. */
export function sessionInfoMessage(
  session: Session,
  deviceOf: (participantId: string) => VisitorDevice | undefined,
): ServerMessageOf<'session.info'> {
  const visitor = visitorOf(session);
  return { type: 'session.info', code: session.code, visitor: (visitor && deviceOf(visitor.id)) ?? null };
}
