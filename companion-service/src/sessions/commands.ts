/* The commands a session accepts, as plain data: everything a rule needs to decide (the clock and the configured
 * limits included) travels in the command, so the rules read nothing else. `by` is the issuing participant. */

export interface SessionRules {
  maxParticipants: number;
  resumeGraceMs: number;
}

export interface GuestRules {
  codeTtlMs: number;
  maxExtensions: number;
  /** Guests waiting with a code at once: one invite link can't hand out codes without bound. */
  maxPending: number;
}

/** The commands that make a session. */
export type Creation =
  | {
      type: 'visitor.start';
      sessionId: string;
      participantId: string;
      code: string;
      now: number;
      codeTtlMs: number;
      siteId: string | null;
    }
  | {
      type: 'invitation.create';
      sessionId: string;
      invitationId: string;
      code: string;
      visitorIdentity: string;
      siteId: string | null;
      agentIdentity: string;
      agentName: string;
      now: number;
      /** How long the visitor has to answer the terms. */
      promptTtlMs: number;
    };

/** The answer of the visitor an invitation names. */
export interface TermsAnswer {
  invitationId: string;
  visitorIdentity: string;
  now: number;
}

export type Command =
  | ({ type: 'terms.accept'; participantId: string; agentWaitMs: number } & TermsAnswer)
  | ({ type: 'terms.decline' } & TermsAnswer)
  | {
      type: 'agent.join';
      participantId: string;
      identity: string;
      name: string | null;
      privileges: string[];
      /** The agent asked to start with their video on (granted only with the video privilege). */
      video: boolean;
      now: number;
      maxParticipants: number;
    }
  | { type: 'pair.restart'; by: string; peerId: string }
  | { type: 'media.set'; by: string; video: boolean; webrtc?: false }
  | { type: 'session.leave'; by: string; now: number }
  | { type: 'session.end'; by: string; now: number }
  | { type: 'participant.away'; by: string; now: number }
  | { type: 'participant.back'; by: string; now: number; resumeGraceMs: number }
  | { type: 'clock'; now: number; resumeGraceMs: number }
  | { type: 'service.shutdown'; now: number }
  | { type: 'guest.invite.create'; by: string; token: string; now: number; ttlMs: number }
  | {
      type: 'guest.request';
      invite: string;
      participantId: string;
      name: string;
      code: string;
      now: number;
      rules: SessionRules & GuestRules;
    }
  | { type: 'guest.extend'; by: string; now: number; codeTtlMs: number }
  | { type: 'guest.withdraw'; by: string }
  | { type: 'guest.admit'; by: string; code: string; now: number; maxParticipants: number }
  | { type: 'guest.eject'; by: string; peerId: string }
  | { type: 'peer.pause'; by: string; peerId: string; paused: boolean }
  | { type: 'control.request'; by: string }
  | { type: 'control.answer'; by: string; granted: boolean }
  | { type: 'control.release'; by: string }
  | { type: 'share.start'; by: string; streamId: string }
  | { type: 'share.request'; by: string }
  | { type: 'share.answer'; by: string; granted: boolean; streamId: string | null }
  | { type: 'share.stop'; by: string };

export type CommandType = Command['type'];
export type CreationType = Creation['type'];
export type CommandOf<T extends CommandType | CreationType> = Extract<Command | Creation, { type: T }>;
