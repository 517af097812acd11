import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { EndReason, ErrorCode, LeaveReason, TermsClosedReason } from './codes';
import { ControlInputAction, NavigateAction, NodeId } from './controlActions';
import { GuideAnchor, StrokeFields } from './guideShapes';

export { ControlInputAction, NavigateAction, NodeId };
export type { ControlActionOf } from './controlActions';
export { GUIDE_COORDINATE_MAX, GUIDE_STROKE_POINTS, GuideAnchor, StrokeShape } from './guideShapes';
export type { StrokePoint } from './guideShapes';

/* The wire protocol: one schema per message, in both directions. The server validates every inbound message
 * against these; the browser clients import the types. Every string and array has an upper bound. */

/** The characters and length of an id, shared with the canonical signal reader (`canonicalSignal.ts`). */
export const ID_CHARS = '[A-Za-z0-9_-]{8,64}';
export const Id = Type.String({ pattern: `^${ID_CHARS}$` });
export const Role = Type.Union([Type.Literal('visitor'), Type.Literal('agent'), Type.Literal('guest')]);
export type Role = Static<typeof Role>;
export const SessionCode = Type.String({ pattern: '^[0-9]{4,12}$' });
/** Per-pair generation: bumps each time a pair's peer connection is re-created, so stale signals are ignored. */
export const GENERATION_MAX = 1_000_000;
export const Generation = Type.Integer({ minimum: 1, maximum: GENERATION_MAX });

// --- simple-peer signal payloads, relayed unchanged -----------------------------------------------------------

/** Upper bounds of simple-peer's signal payloads; the canonical signal reader applies the same ones. */
export const SignalLimits = {
  sdp: 60_000,
  candidate: 2048,
  sdpMid: 256,
  usernameFragment: 256,
  sdpMLineIndex: 1024,
} as const;

const Sdp = Type.String({ maxLength: SignalLimits.sdp });
const NullableString = (max: number) => Type.Union([Type.String({ maxLength: max }), Type.Null()]);

/** RTCRtpTransceiverInit as it can travel as JSON (streams can't), every field bounded: the relay forwards signals
 * byte for byte, so nothing of unknown depth or with keys like __proto__ may pass. */
const TransceiverInit = Type.Object(
  {
    direction: Type.Optional(Type.Union(['sendrecv', 'sendonly', 'recvonly', 'inactive'].map((d) => Type.Literal(d)))),
    sendEncodings: Type.Optional(
      Type.Array(
        Type.Object(
          {
            rid: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,16}$' })),
            active: Type.Optional(Type.Boolean()),
            maxBitrate: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
            maxFramerate: Type.Optional(Type.Number({ minimum: 0, maximum: 240 })),
            scaleResolutionDownBy: Type.Optional(Type.Number({ minimum: 1, maximum: 64 })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 4 },
      ),
    ),
  },
  { additionalProperties: false },
);

export const SignalData = Type.Union([
  Type.Object({ type: Type.Literal('offer'), sdp: Sdp }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('answer'), sdp: Sdp }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('candidate'),
      candidate: Type.Object(
        {
          candidate: Type.String({ maxLength: SignalLimits.candidate }),
          sdpMLineIndex: Type.Optional(
            Type.Union([Type.Integer({ minimum: 0, maximum: SignalLimits.sdpMLineIndex }), Type.Null()]),
          ),
          sdpMid: Type.Optional(NullableString(SignalLimits.sdpMid)),
          usernameFragment: Type.Optional(NullableString(SignalLimits.usernameFragment)),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('renegotiate'), renegotiate: Type.Literal(true) }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('transceiverRequest'),
      transceiverRequest: Type.Object(
        {
          kind: Type.Union([Type.Literal('audio'), Type.Literal('video')]),
          init: Type.Optional(TransceiverInit),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
]);
export type SignalData = Static<typeof SignalData>;

export const IceServer = Type.Object({
  urls: Type.Union([Type.String(), Type.Array(Type.String())]),
  username: Type.Optional(Type.String()),
  credential: Type.Optional(Type.String()),
});
export type IceServer = Static<typeof IceServer>;

/** A participant's media as the server rules it: `video` is their own switch; `paused` is set by the agent for a
 * guest, and only the agent can clear it. Clients show someone's video only while video && !paused. `webrtc: false`:
 * their browser can't make calls (WebRTC missing or turned off), so nobody connects to them and their video stays
 * off; they take part in the rest (a customer's page is still seen). */
export const MediaState = Type.Object({
  video: Type.Boolean(),
  paused: Type.Boolean(),
  webrtc: Type.Optional(Type.Literal(false)),
});
export type MediaState = Static<typeof MediaState>;

export const ControlState = Type.Union([Type.Literal('off'), Type.Literal('requested'), Type.Literal('on')]);
export type ControlState = Static<typeof ControlState>;

/** A browser's MediaStream id: the msid a shared screen travels under, so receivers tell it from the camera. */
export const StreamId = Type.String({ pattern: '^[A-Za-z0-9{}_-]{1,64}$' });
/** Screen share as it stands: off; requested (an agent asked the customer); on (`sharerId` shares `streamId`).
 * `name` is the asking agent's (requested) or the sharer's (on). */
export const ShareState = Type.Object(
  {
    state: ControlState,
    sharerId: Type.Optional(Id),
    streamId: Type.Optional(StreamId),
    name: Type.Optional(Type.String({ maxLength: 80 })),
  },
  { additionalProperties: false },
);
export type ShareState = Static<typeof ShareState>;

export const PeerInfo = Type.Object({
  id: Id,
  role: Role,
  name: Type.Optional(Type.String({ maxLength: 80 })),
  media: MediaState,
});
export type PeerInfo = Static<typeof PeerInfo>;

/** A peer the receiver should connect to, with whether the receiver creates the offer. */
export const PeerLink = Type.Object({ peer: PeerInfo, initiator: Type.Boolean(), gen: Generation });
export type PeerLink = Static<typeof PeerLink>;

// --- client -> server ------------------------------------------------------------------------------------------

/** The characters and length of a request id (the validator also uses it to echo the id of a refused message). */
export const REQUEST_ID_PATTERN = '^[A-Za-z0-9_-]{1,40}$';
/** A client's name for one of its requests; the server's direct answer carries it back as `replyTo`. */
export const RequestId = Type.String({ minLength: 1, maxLength: 40, pattern: REQUEST_ID_PATTERN });

const msg = <T extends string, P extends Record<string, TSchema>>(type: T, props: P) =>
  Type.Object({ type: Type.Literal(type), ...props }, { additionalProperties: false });

/** A client message: besides its own fields it may carry an `id`, which the server's answer returns as `replyTo`. */
const request = <T extends string, P extends Record<string, TSchema>>(type: T, props: P) =>
  msg(type, { ...props, id: Type.Optional(RequestId) });

/** A server message that may be the direct answer to a request, so it can carry that request's id. */
const answer = <T extends string, P extends Record<string, TSchema>>(type: T, props: P) =>
  msg(type, { ...props, replyTo: Type.Optional(RequestId) });

/** The values of one of codes.ts's constant objects as a schema (codes.ts stays free of the schema library). */
const oneOf = <T extends Record<string, string>>(values: T) =>
  Type.Union(Object.values(values).map((value) => Type.Literal(value))) as unknown as TUnion<TLiteral<T[keyof T]>[]>;

export const VisitorStart = request('visitor.start', {});
/** The agent's "start my video" choice: their camera's video goes out from the start (only with the video privilege;
 * without it the join goes ahead with video off). Absent: off until the agent turns Video on. */
const StartWithVideo = Type.Optional(Type.Boolean());
export const AgentJoinWithCode = request('agent.join', {
  token: Type.String({ minLength: 1, maxLength: 4096 }),
  code: SessionCode,
  video: StartWithVideo,
});
export const AgentJoinWithTicket = request('agent.join', {
  ticket: Type.String({ minLength: 16, maxLength: 128 }),
  video: StartWithVideo,
});
export const SessionResume = request('session.resume', { resumeToken: Type.String({ minLength: 16, maxLength: 128 }) });
/** The sender names itself in `from`; the server relays the frame only if that is the socket's own participant, and
 * then forwards its bytes unchanged (see `SignalIn`). The one client message without an `id`: the relay's hot path
 * reads signals without parsing them (canonicalSignal.ts), and a signal is never answered unless refused. */
export const SignalOut = msg('signal', { from: Id, to: Id, gen: Generation, data: SignalData });
export const PairRestart = request('pair.restart', { peerId: Id });
export const SessionLeave = request('session.leave', {});
export const SessionEnd = request('session.end', {});

/** Names typed by people are shown as text only; control characters are refused. */
export const PersonName = Type.String({ minLength: 1, maxLength: 80, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });
const Token = Type.String({ minLength: 16, maxLength: 4096 });

/** A logged-in visitor's tab announces itself with the visitor token its site issued (presence, 1-click connect). */
export const VisitorHello = request('visitor.hello', { visitorToken: Token });
/** This tab is the one the visitor is using now; prompts go to the most recently active tab. */
export const VisitorActive = request('visitor.active', {});
export const TermsAccept = request('terms.accept', {
  invitationId: Id,
  /** SHA-256 (hex) of the exact terms text the visitor was shown. */
  termsHash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
});
export const TermsDecline = request('terms.decline', { invitationId: Id });
/** An agent (e.g. the Salesforce component) follows some visitors' presence. */
export const AgentWatch = request('agent.watch', {
  token: Type.String({ minLength: 1, maxLength: 4096 }),
  visitorIds: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 50 }),
});
export const GuestInviteCreate = request('guest.invite.create', {});
export const GuestRequest = request('guest.request', {
  invite: Type.String({ minLength: 16, maxLength: 128 }),
  name: PersonName,
});
export const GuestExtend = request('guest.extend', {});
export const GuestAdmit = request('guest.admit', { code: SessionCode });
export const GuestEject = request('guest.eject', { peerId: Id });
export const PeerPause = request('peer.pause', { peerId: Id, paused: Type.Boolean() });
/** `webrtc: false` (with video false) says the sender's browser can't make calls; it can't be taken back. */
export const MediaSet = request('media.set', { video: Type.Boolean(), webrtc: Type.Optional(Type.Literal(false)) });
export const ProblemReport = request('problem.report', {
  description: Type.String({ minLength: 1, maxLength: 2000 }),
  // The key's limit is a pattern with additionalProperties false: TypeBox drops a key schema's maxLength.
  diagnostics: Type.Record(
    Type.String({ pattern: '^[^\\u0000-\\u001f\\u007f]{1,64}$' }),
    Type.Union([Type.Number(), Type.String({ maxLength: 200 }), Type.Null()]),
    {
      maxProperties: 40,
      additionalProperties: false,
    },
  ),
});
// --- cobrowse ------------------------------------------------------------------------------------------------

/** A batch of rrweb events from the visitor's page, JSON or deflate+base64, split into parts when large. */
export const CobrowseEventsOut = request('cobrowse.events', {
  seq: Type.Integer({ minimum: 0 }),
  part: Type.Integer({ minimum: 0, maximum: 255 }),
  parts: Type.Integer({ minimum: 1, maximum: 256 }),
  /** True on every part of a batch that starts with a full snapshot: a viewer can start from it. */
  snapshot: Type.Boolean(),
  encoding: Type.Union([Type.Literal('json'), Type.Literal('deflate-base64')]),
  data: Type.String({ maxLength: 1_000_000 }),
});
export const CobrowseSnapshotRequest = request('cobrowse.snapshot.request', {});
export const ControlRequest = request('control.request', {});
export const ControlAnswer = request('control.answer', { granted: Type.Boolean() });
/** Either side ends remote control: the agent stops, or the visitor revokes. */
export const ControlRelease = request('control.release', {});
/** `seq` numbers the agent's actions, as their view sends them: the visitor's page says which it had applied when it
 * reports its focus, so the view can tell a report from before the agent's own choice of field from one after it. */
const ActionSeq = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });
export const ControlInputOut = request('control.input', { action: ControlInputAction, seq: Type.Optional(ActionSeq) });
export const ControlNavigateOut = request('control.navigate', { action: NavigateAction });
/** Accessibility mode: have the visitor's screen reader read this element. */
export const A11yReadOut = request('a11y.read', { nodeId: NodeId });

// --- screen share -------------------------------------------------------------------------------------------

/** An agent with the privilege shares a tab, window or screen with everyone in the call, under this stream id. */
export const ShareStart = request('share.start', { streamId: StreamId });
/** An agent with the privilege asks the customer to share their screen (with the agents only). */
export const ShareRequest = request('share.request', {});
/** The customer's answer: granted once they picked what to share (its stream id), or declined. */
export const ShareAnswer = Type.Union([
  request('share.answer', { granted: Type.Literal(true), streamId: StreamId }),
  request('share.answer', { granted: Type.Literal(false) }),
]);
/** The sharer stops, an agent stops any share or withdraws the request. */
export const ShareStop = request('share.stop', {});

// --- guiding: the agent's pointer, gestures and drawings over the visitor's page ------------------------------

/** The agent's pointer over the live view (null: it left the view). Without remote control it only shows. */
export const GuidePointerOut = request('guide.pointer', { at: Type.Union([GuideAnchor, Type.Null()]) });
/** The agent clicked in the live view without remote control: a ripple on that element for the visitor. */
export const GuideGestureOut = request('guide.gesture', { at: GuideAnchor });
export const GuideStrokeOut = request('guide.stroke', StrokeFields);
export const GuideClearOut = request('guide.clear', {});

/** Changes nothing and is answered in turn (messages on one socket are handled and answered in order): once its
 * answer is in, so is the answer to everything the socket sent before it. */
export const Probe = msg('probe', { id: RequestId });

/** Inbound schemas by type. `agent.join` has two forms: with a key (code + agent token) or with a console ticket. */
export const ClientMessages = {
  'visitor.start': VisitorStart,
  'agent.join': Type.Union([AgentJoinWithCode, AgentJoinWithTicket]),
  'session.resume': SessionResume,
  signal: SignalOut,
  'pair.restart': PairRestart,
  'session.leave': SessionLeave,
  'session.end': SessionEnd,
  'visitor.hello': VisitorHello,
  'visitor.active': VisitorActive,
  'terms.accept': TermsAccept,
  'terms.decline': TermsDecline,
  'agent.watch': AgentWatch,
  'guest.invite.create': GuestInviteCreate,
  'guest.request': GuestRequest,
  'guest.extend': GuestExtend,
  'guest.admit': GuestAdmit,
  'guest.eject': GuestEject,
  'peer.pause': PeerPause,
  'media.set': MediaSet,
  'problem.report': ProblemReport,
  'cobrowse.events': CobrowseEventsOut,
  'cobrowse.snapshot.request': CobrowseSnapshotRequest,
  'control.request': ControlRequest,
  'control.answer': ControlAnswer,
  'control.release': ControlRelease,
  'control.input': ControlInputOut,
  'control.navigate': ControlNavigateOut,
  'a11y.read': A11yReadOut,
  'share.start': ShareStart,
  'share.request': ShareRequest,
  'share.answer': ShareAnswer,
  'share.stop': ShareStop,
  'guide.pointer': GuidePointerOut,
  'guide.gesture': GuideGestureOut,
  'guide.stroke': GuideStrokeOut,
  'guide.clear': GuideClearOut,
  probe: Probe,
} as const;
export type ClientMessageType = keyof typeof ClientMessages;
export type ClientMessage = { [K in ClientMessageType]: Static<(typeof ClientMessages)[K]> }[ClientMessageType];

// --- server -> client ------------------------------------------------------------------------------------------

const Self = Type.Object({
  id: Id,
  role: Role,
  media: MediaState,
  /** The agent's privileges (custom permissions); controls without one are hidden, and refused by the server. */
  privileges: Type.Array(Type.String()),
});

export const ErrorMessage = answer('error', {
  code: oneOf(ErrorCode),
  message: Type.String(),
  /** The type of the client message that caused it, when known. */
  inReplyTo: Type.Optional(Type.String()),
  retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
});
export const SessionCreated = answer('session.created', {
  sessionId: Id,
  code: SessionCode,
  codeExpiresAt: Type.Integer(),
  self: Self,
  resumeToken: Type.String(),
  iceServers: Type.Array(IceServer),
  /** What the visitor's recorder masks besides password fields and [data-tandem-mask]. */
  maskSelectors: Type.Array(Type.String()),
});
export const SessionJoined = answer('session.joined', {
  sessionId: Id,
  code: SessionCode,
  self: Self,
  resumeToken: Type.String(),
  iceServers: Type.Array(IceServer),
  /** Everyone already present; they initiate toward the newcomer, unless told otherwise per link. */
  peers: Type.Array(PeerLink),
  resumed: Type.Boolean(),
  /** What the visitor's recorder masks besides password fields and [data-tandem-mask]. */
  maskSelectors: Type.Array(Type.String()),
  /** Remote control as it stands (it survives the visitor's page loads). */
  control: ControlState,
  /** A screen share under way or asked for, when this member is among those who see it. */
  share: Type.Optional(ShareState),
});
/** Fresh ICE servers for the connection a peer.joined or pair.reset asks for, when TURN is configured: TURN
 * credentials expire, and the ones from session.created / session.joined may have by the time that connection is
 * made (a visitor who waited for an agent, a guest admitted an hour into a call). */
const FreshIceServers = Type.Optional(Type.Array(IceServer));
export const PeerJoined = msg('peer.joined', { link: PeerLink, iceServers: FreshIceServers });
export const PeerLeft = msg('peer.left', { peerId: Id, reason: oneOf(LeaveReason) });
export const PeerAway = msg('peer.away', { peerId: Id });
export const PeerBack = msg('peer.back', { peerId: Id });
export const PairReset = msg('pair.reset', { link: PeerLink, iceServers: FreshIceServers });
/** What a signal's recipient gets: the sender's `signal` message byte for byte (`to` is the recipient itself). The
 * server checked `from` against the sending socket, on the same parse the recipient makes (JSON.parse keeps the last
 * of duplicate keys on both ends), so `from` cannot be forged. */
export const SignalIn = SignalOut;
/** To every member when the session ends; also the answer to a resume of a session that is over. */
export const SessionEnded = answer('session.ended', { reason: oneOf(EndReason) });
export const PresenceRegistered = answer('presence.registered', {
  visitorId: Type.String(),
  name: Type.Optional(Type.String()),
});
export const Presence = msg('presence', { visitorId: Type.String(), online: Type.Boolean() });
export const TermsPrompt = msg('terms.prompt', {
  invitationId: Id,
  agentName: Type.String(),
  termsVersion: Type.String(),
  /** Plain text: render with textContent, never as HTML. */
  termsText: Type.String(),
  expiresAt: Type.Integer(),
});
/** The prompt is over without this tab's answer: it timed out. */
export const TermsClosed = msg('terms.closed', { invitationId: Id, reason: oneOf(TermsClosedReason) });
export const GuestInvite = answer('guest.invite', { url: Type.String(), expiresAt: Type.Integer() });
export const GuestCode = answer('guest.code', {
  code: SessionCode,
  expiresAt: Type.Integer(),
  extensionsLeft: Type.Integer(),
});
export const GuestRemoved = msg('guest.removed', { reason: oneOf(LeaveReason) });
export const PeerMedia = msg('peer.media', { peerId: Id, media: MediaState });
export const VisitorDevice = Type.Object({ os: Type.String(), browser: Type.String(), browserVersion: Type.String() });
export type VisitorDevice = Static<typeof VisitorDevice>;
/** Session details for the agent's Customer Info panel. */
export const SessionInfo = msg('session.info', {
  code: SessionCode,
  visitor: Type.Union([VisitorDevice, Type.Null()]),
});
export const ProblemReported = answer('problem.reported', { referenceId: Type.String() });
/** The visitor's rrweb events, forwarded to agents only. */
export const CobrowseEventsIn = msg('cobrowse.events', {
  from: Id,
  seq: Type.Integer(),
  part: Type.Integer(),
  parts: Type.Integer(),
  snapshot: Type.Boolean(),
  encoding: Type.Union([Type.Literal('json'), Type.Literal('deflate-base64')]),
  data: Type.String(),
});
/** To the visitor: record a fresh full snapshot (an agent joined, or fell behind and dropped events). */
export const CobrowseSnapshotNeeded = msg('cobrowse.snapshot.needed', {});
export const ControlStateMessage = msg('control.state', {
  state: ControlState,
  agentName: Type.Optional(Type.String()),
});
export const ControlInputIn = msg('control.input', { action: ControlInputAction, seq: Type.Optional(ActionSeq) });
export const ControlNavigateIn = msg('control.navigate', { action: NavigateAction });
export const A11yReadIn = msg('a11y.read', { nodeId: Type.Integer() });
export const ShareStateMessage = msg('share.state', { share: ShareState });
/** To the visitor: the agent's pointer, named, or null when it left the live view. */
export const GuidePointerIn = msg('guide.pointer', {
  name: Type.String({ maxLength: 80 }),
  at: Type.Union([GuideAnchor, Type.Null()]),
});
export const GuideGestureIn = msg('guide.gesture', { at: GuideAnchor });
export const GuideStrokeIn = msg('guide.stroke', StrokeFields);
export const GuideClearIn = msg('guide.clear', {});
export const ProbeReply = msg('probe', { replyTo: RequestId });

/** Outbound schemas by type (`signal`, `cobrowse.events`, `control.input`, `control.navigate`, `a11y.read` and the
 * `guide.*` messages go both ways, with a schema each way). */
export const ServerMessages = {
  error: ErrorMessage,
  'session.created': SessionCreated,
  'session.joined': SessionJoined,
  'peer.joined': PeerJoined,
  'peer.left': PeerLeft,
  'peer.away': PeerAway,
  'peer.back': PeerBack,
  'pair.reset': PairReset,
  signal: SignalIn,
  'session.ended': SessionEnded,
  'presence.registered': PresenceRegistered,
  presence: Presence,
  'terms.prompt': TermsPrompt,
  'terms.closed': TermsClosed,
  'guest.invite': GuestInvite,
  'guest.code': GuestCode,
  'guest.removed': GuestRemoved,
  'peer.media': PeerMedia,
  'session.info': SessionInfo,
  'problem.reported': ProblemReported,
  'cobrowse.events': CobrowseEventsIn,
  'cobrowse.snapshot.needed': CobrowseSnapshotNeeded,
  'control.state': ControlStateMessage,
  'control.input': ControlInputIn,
  'control.navigate': ControlNavigateIn,
  'a11y.read': A11yReadIn,
  'share.state': ShareStateMessage,
  'guide.pointer': GuidePointerIn,
  'guide.gesture': GuideGestureIn,
  'guide.stroke': GuideStrokeIn,
  'guide.clear': GuideClearIn,
  probe: ProbeReply,
} as const;
export type ServerMessageType = keyof typeof ServerMessages;
export type ServerMessage = { [K in ServerMessageType]: Static<(typeof ServerMessages)[K]> }[ServerMessageType];

export type ErrorMessage = Static<typeof ErrorMessage>;
export type SessionCreated = Static<typeof SessionCreated>;
export type SessionJoined = Static<typeof SessionJoined>;
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** The direct answers: a request of one of these types is answered on its own socket by one of these messages, or
 * by an `error`, carrying the request's `id` as `replyTo`. Every other request is answered only when it is refused
 * (an `error`); what it changes reaches the client as the session's news (peer.*, control.state, ...), which never
 * carries a `replyTo`. A guest's `session.joined` is such news: it follows the agent's Admit. */
export const Replies = {
  'visitor.start': ['session.created'],
  'agent.join': ['session.joined'],
  'session.resume': ['session.joined', 'session.ended'],
  'terms.accept': ['session.joined'],
  'visitor.hello': ['presence.registered'],
  'guest.invite.create': ['guest.invite'],
  'guest.request': ['guest.code'],
  'guest.extend': ['guest.code'],
  'problem.report': ['problem.reported'],
  probe: ['probe'],
} as const satisfies { readonly [K in ClientMessageType]?: readonly ServerMessageType[] };
export type RequestType = keyof typeof Replies;
/** The successful answers to a request of type T. */
export type ReplyOf<T extends RequestType> = ServerMessageOf<(typeof Replies)[T][number]>;
