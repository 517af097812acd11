/** Machine-readable error codes carried by `error` messages and HTTP error bodies. Plain constants so browser
 * bundles can import them without pulling in the schema library. */
export const ErrorCode = {
  BadMessage: 'bad_message',
  UnknownType: 'unknown_type',
  TooLarge: 'too_large',
  RateLimited: 'rate_limited',
  Unauthorized: 'unauthorized',
  TokenExpired: 'token_expired',
  Forbidden: 'forbidden',
  InvalidCode: 'invalid_code',
  CodeExpired: 'code_expired',
  InvalidTicket: 'invalid_ticket',
  SessionFull: 'session_full',
  SessionEnded: 'session_ended',
  AgentPresent: 'agent_present',
  AlreadyInSession: 'already_in_session',
  NotInSession: 'not_in_session',
  UnknownPeer: 'unknown_peer',
  WrongSender: 'wrong_sender',
  ResumeFailed: 'resume_failed',
  DevSignInDisabled: 'dev_sign_in_disabled',
  VisitorOffline: 'visitor_offline',
  InvalidInvitation: 'invalid_invitation',
  /** 1-click connect: the visitor already has an invitation waiting for their answer. */
  InvitationPending: 'invitation_pending',
  TermsChanged: 'terms_changed',
  InvalidInvite: 'invalid_invite',
  GuestCodeExpired: 'guest_code_expired',
  NoExtensionsLeft: 'no_extensions_left',
  NoPrivilege: 'no_privilege',
  VideoPaused: 'video_paused',
  TooManyGuestsWaiting: 'too_many_guests_waiting',
  /** Someone is already sharing their screen, or the agent already asked the customer to: one share at a time. */
  ScreenShareBusy: 'screen_share_busy',
  /** Something the answer depends on can't be reached right now (with Redis: Redis), or the session kept changing
   * under the command: nothing was done; try again. */
  Unavailable: 'unavailable',
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** WebSocket close codes the server uses. 4000-4999 are free for applications (RFC 6455 section 7.4.2). */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  /** The instance is stopping for a deploy (with Redis): the session goes on; resume on another instance. */
  ServiceRestart: 1012,
  SessionEnded: 4000,
  Replaced: 4001,
  Removed: 4002,
  /** The socket started, joined or identified nothing within limits.idleSocketSeconds. */
  Idle: 4003,
} as const;

/** Why a session ended, as reported to every member. */
export const EndReason = {
  VisitorHangup: 'visitor_hangup',
  AgentHangup: 'agent_hangup',
  AgentEnded: 'agent_ended',
  VisitorLost: 'visitor_lost',
  AgentLost: 'agent_lost',
  CodeExpired: 'code_expired',
  VisitorDeclined: 'visitor_declined',
  TermsTimeout: 'terms_timeout',
  /** The service restarted or was redeployed while the session was on. */
  ServiceRestart: 'service_restart',
} as const;
export type EndReason = (typeof EndReason)[keyof typeof EndReason];
const END_REASONS: ReadonlySet<string> = new Set(Object.values(EndReason));
/** For reasons read back from the store, which keeps them as text. */
export const isEndReason = (value: string): value is EndReason => END_REASONS.has(value);

/** Why a participant left while the session goes on. */
export const LeaveReason = {
  Hangup: 'hangup',
  Lost: 'lost',
  Ejected: 'ejected',
} as const;
export type LeaveReason = (typeof LeaveReason)[keyof typeof LeaveReason];

/** Why a visitor's terms prompt closed without this tab's answer (`terms.closed`). */
export const TermsClosedReason = {
  /** Nobody answered before the invitation ran out. */
  Expired: 'expired',
} as const;
export type TermsClosedReason = (typeof TermsClosedReason)[keyof typeof TermsClosedReason];

/** Custom permissions (Salesforce) carried in agent tokens. */
export const Privilege = {
  AgentVideo: 'Tandem_Agent_Video',
  RemoteControl: 'Tandem_Remote_Control',
  ScreenShare: 'Tandem_Screen_Share',
} as const;
