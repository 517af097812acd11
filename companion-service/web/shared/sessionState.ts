import { ErrorCode } from '../../src/protocol/codes';
import type {
  ControlState,
  MediaState,
  PeerInfo,
  Role,
  ServerMessage,
  SessionJoined,
} from '../../src/protocol/messages';
import type { ConnectionState } from './signalingClient';

/* One page's view of its session, as one plain value: who we are, who else is in the call (with their media, away
 * and stream), where the session stands and, once it is over, why. A pure reducer over the server's messages (and
 * four things only the page knows: its socket's state, a remote stream arriving, its own video switch, hanging up);
 * every client (widget, console, guest page) renders from it instead of keeping its own lists and flags.
 * The shape, with an example, is in STATE.md. Pure: no DOM, no sockets, so it is tested with messages in, state out. */

export type SessionStatus =
  /** The first message is on its way (start, join, resume or guest request). */
  | 'connecting'
  /** Code flow: the session exists, with a code to read out; nobody else is here yet. */
  | 'created'
  /** A guest waits, with a code, for the agent to let them in. */
  | 'admission'
  | 'joined'
  /** The socket dropped; the client is resuming with its resume token. */
  | 'reconnecting'
  /** Final: nothing changes the state any more. `end` says why. */
  | 'over';

export interface SessionEnd {
  /** ended: the server ended the session (`reason` is an EndReason); removed: the agent removed this guest;
   * refused: the join, resume or acceptance was refused (`reason` is the ErrorCode); lost: the socket closed for good;
   * left: this page hung up. */
  readonly kind: 'ended' | 'removed' | 'refused' | 'lost' | 'left';
  readonly reason: string;
  /** The server's words, for a refusal. */
  readonly message?: string;
}

export interface SelfState {
  readonly id: string;
  readonly role: Role;
  readonly media: MediaState;
  readonly privileges: readonly string[];
}

export interface ParticipantState {
  readonly id: string;
  readonly role: Role;
  readonly name?: string;
  readonly media: MediaState;
  /** Their socket dropped; the server holds their seat for the grace period. */
  readonly away: boolean;
  /** Their media has arrived over our peer connection (and not closed since). */
  readonly stream: boolean;
}

export interface SessionState {
  readonly status: SessionStatus;
  readonly sessionId?: string;
  readonly code?: string;
  /** Code flow: until when the code works. */
  readonly codeExpiresAt?: number;
  readonly self?: SelfState;
  /** Everyone else, in the order they arrived. */
  readonly participants: readonly ParticipantState[];
  /** Ids that left: ids are never reused, so anything later about them is stale and ignored. */
  readonly departed: readonly string[];
  readonly control: { readonly state: ControlState; readonly agentName?: string };
  readonly maskSelectors: readonly string[];
  /** The last session.joined was a resume. */
  readonly resumed: boolean;
  /** A customer (visitor) other than us has been in the session. */
  readonly visitorSeen: boolean;
  /** Media from someone else has arrived at least once: the call has really started. */
  readonly mediaSeen: boolean;
  /** A guest's code for the agent, while they wait to be let in. */
  readonly admission?: { readonly code: string; readonly expiresAt: number; readonly extensionsLeft: number };
  readonly end?: SessionEnd;
}

/** What the page itself knows, dispatched alongside the server's messages. */
export type ClientEvent =
  | { type: 'client.connection'; state: ConnectionState; detail?: string }
  | { type: 'client.stream'; peerId: string; present: boolean }
  /** Our own video switch, applied at once (frames stop before the server confirms). */
  | { type: 'client.video'; video: boolean }
  | { type: 'client.left'; reason: string };

export type SessionAction = ServerMessage | ClientEvent;

/** Replies to these mean the page never got (or got back) its seat. */
const JOINING = new Set(['agent.join', 'session.resume', 'guest.request', 'terms.accept']);

export function initialSessionState(): SessionState {
  return {
    status: 'connecting',
    participants: [],
    departed: [],
    control: { state: 'off' },
    maskSelectors: [],
    resumed: false,
    visitorSeen: false,
    mediaSeen: false,
  };
}

/** The next state. Returns the same object when the action changes nothing, and once over, always. */
export function reduceSession(state: SessionState, action: SessionAction): SessionState {
  if (state.status === 'over') return state;
  switch (action.type) {
    case 'session.created':
      return {
        ...state,
        status: 'created',
        sessionId: action.sessionId,
        code: action.code,
        codeExpiresAt: action.codeExpiresAt,
        self: selfOf(action.self),
        maskSelectors: action.maskSelectors,
      };
    case 'session.joined':
      return joined(state, action);
    case 'peer.joined':
    case 'pair.reset':
      return upsert(state, action.link.peer);
    case 'peer.left':
      return remove(state, action.peerId);
    case 'peer.away':
    case 'peer.back':
      return update(state, action.peerId, { away: action.type === 'peer.away' });
    case 'peer.media':
      if (action.peerId === state.self?.id) return withSelfMedia(state, action.media);
      return update(state, action.peerId, { media: action.media });
    case 'control.state':
      return { ...state, control: { state: action.state, agentName: action.agentName } };
    case 'guest.code':
      return {
        ...state,
        status: 'admission',
        admission: { code: action.code, expiresAt: action.expiresAt, extensionsLeft: action.extensionsLeft },
      };
    case 'guest.removed':
      return over(state, { kind: 'removed', reason: action.reason });
    case 'session.ended':
      return over(state, { kind: 'ended', reason: action.reason });
    case 'error':
      if (action.inReplyTo !== undefined && JOINING.has(action.inReplyTo))
        return over(state, { kind: 'refused', reason: action.code, message: action.message });
      // The server refused our video because the agent has paused it: we are paused, whatever we thought.
      if (action.code === ErrorCode.VideoPaused && state.self)
        return withSelfMedia(state, { ...state.self.media, paused: true });
      return state;
    case 'client.connection':
      if (action.state === 'reconnecting')
        return state.status === 'reconnecting' ? state : { ...state, status: 'reconnecting' };
      if (action.state === 'closed') return over(state, { kind: 'lost', reason: action.detail || 'connection_lost' });
      return state;
    case 'client.stream': {
      const next = update(state, action.peerId, { stream: action.present });
      return action.present && next !== state && !state.mediaSeen ? { ...next, mediaSeen: true } : next;
    }
    case 'client.video':
      return state.self ? withSelfMedia(state, { ...state.self.media, video: action.video }) : state;
    case 'client.left':
      return over(state, { kind: 'left', reason: action.reason });
    default:
      return state;
  }
}

// --- selectors -------------------------------------------------------------------------------------------------

/** The one rule for whether a participant's picture shows: the server says their video is on and not paused, and
 * their media has arrived. Otherwise their tile shows their initials (their voice still plays). */
export function videoShows(media: MediaState, hasStream: boolean): boolean {
  return hasStream && media.video && !media.paused;
}

export function participant(state: SessionState, id: string): ParticipantState | undefined {
  return state.participants.find((p) => p.id === id);
}

export function participantsWithRole(state: SessionState, role: Role): ParticipantState[] {
  return state.participants.filter((p) => p.role === role);
}

/** Whether this participant's video is on screen; for ourselves, whether the others are shown our video. */
export function isVideoVisible(state: SessionState, participantId: string): boolean {
  if (state.self?.id === participantId) return isSendingVideo(state);
  const p = participant(state, participantId);
  return !!p && videoShows(p.media, p.stream);
}

/** Our own video goes out: our switch is on and the agent has not paused it. */
export function isSendingVideo(state: SessionState): boolean {
  return !!state.self && state.self.media.video && !state.self.media.paused;
}

export function isOver(state: SessionState): boolean {
  return state.status === 'over';
}

// --- transitions -----------------------------------------------------------------------------------------------

function selfOf(self: SessionJoined['self']): SelfState {
  return { id: self.id, role: self.role, media: self.media, privileges: self.privileges };
}

function fresh(info: PeerInfo): ParticipantState {
  return {
    id: info.id,
    role: info.role,
    ...(info.name !== undefined ? { name: info.name } : {}),
    media: info.media,
    away: false,
    stream: false,
  };
}

function merged(existing: ParticipantState, info: PeerInfo): ParticipantState {
  return { ...existing, role: info.role, ...(info.name !== undefined ? { name: info.name } : {}), media: info.media };
}

/** Joined or resumed: the server's list is the truth. Those still here keep their place (and stream); whoever is
 * missing left while we were away. */
function joined(state: SessionState, m: SessionJoined): SessionState {
  const departed = new Set(state.departed);
  const incoming = m.peers.map((link) => link.peer).filter((p) => p.id !== m.self.id && !departed.has(p.id));
  const byId = new Map(incoming.map((p) => [p.id, p]));
  const kept = state.participants.filter((p) => byId.has(p.id)).map((p) => merged(p, byId.get(p.id)!));
  const added = incoming.filter((p) => !kept.some((k) => k.id === p.id)).map(fresh);
  const gone = state.participants.filter((p) => !byId.has(p.id)).map((p) => p.id);
  const participants = [...kept, ...added];
  return {
    ...state,
    status: 'joined',
    sessionId: m.sessionId,
    code: m.code,
    self: selfOf(m.self),
    participants,
    departed: gone.length ? [...state.departed, ...gone] : state.departed,
    control: { state: m.control },
    maskSelectors: m.maskSelectors,
    resumed: m.resumed,
    visitorSeen: state.visitorSeen || participants.some((p) => p.role === 'visitor'),
    admission: undefined,
  };
}

function upsert(state: SessionState, info: PeerInfo): SessionState {
  if (info.id === state.self?.id || state.departed.includes(info.id)) return state;
  const existing = participant(state, info.id);
  const participants = existing
    ? state.participants.map((p) => (p.id === info.id ? merged(p, info) : p))
    : [...state.participants, fresh(info)];
  return { ...state, participants, visitorSeen: state.visitorSeen || info.role === 'visitor' };
}

function remove(state: SessionState, id: string): SessionState {
  if (!participant(state, id)) return state;
  return { ...state, participants: state.participants.filter((p) => p.id !== id), departed: [...state.departed, id] };
}

function update(
  state: SessionState,
  id: string,
  change: Partial<Pick<ParticipantState, 'away' | 'media' | 'stream'>>,
): SessionState {
  const existing = participant(state, id);
  if (!existing) return state;
  const next = { ...existing, ...change };
  if (next.away === existing.away && next.stream === existing.stream && sameMedia(next.media, existing.media))
    return state;
  return { ...state, participants: state.participants.map((p) => (p.id === id ? next : p)) };
}

function withSelfMedia(state: SessionState, media: MediaState): SessionState {
  if (!state.self || sameMedia(state.self.media, media)) return state;
  return { ...state, self: { ...state.self, media } };
}

function over(state: SessionState, end: SessionEnd): SessionState {
  return { ...state, status: 'over', end };
}

function sameMedia(a: MediaState, b: MediaState): boolean {
  return a.video === b.video && a.paused === b.paused && a.webrtc === b.webrtc;
}
