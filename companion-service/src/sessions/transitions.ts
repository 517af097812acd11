import { ErrorCode } from '../protocol/codes';
import type { ControlState, Role } from '../protocol/messages';
import type { CommandType, CreationType } from './commands';
import type { EffectKind } from './outcome';
import { SESSION_STATUSES, type SessionStatus } from './state';

/* The session's state machine as data: for every command, who may issue it, the states it is accepted in and the
 * states it leads to, what it tells whom, and why it can be refused. machine.ts executes it (it refuses what the
 * table does not allow before a rule runs, and checks every result against it); docs/architecture.md prints it
 * (transitionsMarkdown.ts); the socket router derives its checks for session commands from it. */

/** Who issues a command when it is not a member of the session. */
export type Outsider =
  /** A socket in no session starts one (code visitor). */
  | 'new visitor'
  /** An agent's 1-click Join for an online visitor. */
  | 'inviting agent'
  /** The logged-in visitor the invitation names, answering it. */
  | 'invited visitor'
  /** An agent joining: with the code, or the agent of the 1-click invitation. */
  | 'arriving agent'
  /** Someone with a live guest link. */
  | 'invite holder'
  /** A guest who asked and is waiting for the agent to type their code. */
  | 'waiting guest'
  /** The service itself: its clock, a dropped socket, a shutdown. */
  | 'service';

/** 'none': before the session exists (the commands that create it). */
export type StateOrNone = 'none' | SessionStatus;

/** Remote control's own state: the states a control command is accepted in and where it moves. */
export interface ControlMoves {
  readonly moves: Partial<Record<ControlState, readonly ControlState[]>>;
  /** In a control state not listed: the command changes nothing, or is refused with this code. */
  readonly otherwise: 'unchanged' | ErrorCode;
}

export interface Transition {
  readonly does: string;
  /** Members with one of these roles, or an outsider. */
  readonly by: readonly Role[] | Outsider;
  /** For each state the command is accepted in, the states it may leave the session in. In a state not listed it is
   * refused: session_ended once the session is over, `otherwise` before. */
  readonly moves: Partial<Record<StateOrNone, readonly SessionStatus[]>>;
  readonly otherwise?: ErrorCode;
  readonly control?: ControlMoves;
  /** The kinds of effect it may have (who is told what). */
  readonly tells: readonly EffectKind[];
  /** The refusals of its own rule, besides those of the state and issuer checks (`guardRefusals`). */
  readonly refuses: readonly ErrorCode[];
}

export const EVERYONE: readonly Role[] = ['visitor', 'agent', 'guest'];

const stays = { inviting: ['inviting'], waiting: ['waiting'], active: ['active'] } as const;
const staysOrEnds = {
  inviting: ['inviting', 'ended'],
  waiting: ['waiting', 'ended'],
  active: ['active', 'ended'],
} as const;
const ends = { inviting: ['ended'], waiting: ['ended'], active: ['ended'] } as const;

export const TRANSITIONS: { readonly [K in CreationType | CommandType]: Transition } = {
  'visitor.start': {
    does: 'starts a session with a code for an agent',
    by: 'new visitor',
    moves: { none: ['waiting'] },
    tells: [],
    refuses: [],
  },
  'invitation.create': {
    does: '1-click: asks an online visitor to accept the terms',
    by: 'inviting agent',
    moves: { none: ['inviting'] },
    tells: [],
    refuses: [],
  },
  'terms.accept': {
    does: 'the visitor joins; waits for the agent unless already there',
    by: 'invited visitor',
    moves: { inviting: ['waiting', 'active'] },
    otherwise: ErrorCode.InvalidInvitation,
    tells: ['peer-joined'],
    refuses: [ErrorCode.InvalidInvitation],
  },
  'terms.decline': {
    does: 'ends the session; the agent is told why',
    by: 'invited visitor',
    moves: { inviting: ['ended'] },
    otherwise: ErrorCode.InvalidInvitation,
    tells: ['session-ended'],
    refuses: [ErrorCode.InvalidInvitation],
  },
  'agent.join': {
    does: 'the one agent joins (by code, or into their own invitation)',
    by: 'arriving agent',
    // An active session has its agent.
    moves: { inviting: ['inviting'], waiting: ['active'] },
    otherwise: ErrorCode.AgentPresent,
    tells: ['peer-joined'],
    refuses: [ErrorCode.CodeExpired, ErrorCode.AgentPresent, ErrorCode.SessionFull],
  },
  'pair.restart': {
    does: "a pair's peer connection starts over at the next generation",
    by: EVERYONE,
    moves: stays,
    tells: ['pair-reset'],
    refuses: [ErrorCode.UnknownPeer, ErrorCode.Forbidden],
  },
  'media.set': {
    does: "turns one's own video on or off, or says one's browser can't make calls",
    by: EVERYONE,
    moves: stays,
    tells: ['peer-media'],
    refuses: [ErrorCode.NoPrivilege, ErrorCode.VideoPaused, ErrorCode.Forbidden],
  },
  'session.leave': {
    does: 'hang-up: the visitor or the agent ends it for everyone, a guest just leaves',
    by: EVERYONE,
    moves: staysOrEnds,
    tells: ['peer-left', 'session-ended'],
    refuses: [],
  },
  'session.end': { does: 'END: over for everyone', by: ['agent'], moves: ends, tells: ['session-ended'], refuses: [] },
  'participant.away': {
    does: 'the socket dropped: the resume grace period starts',
    by: EVERYONE,
    moves: stays,
    tells: ['peer-away'],
    refuses: [],
  },
  'participant.back': {
    does: 'resumed within the grace period',
    by: EVERYONE,
    moves: stays,
    tells: ['peer-back'],
    refuses: [ErrorCode.ResumeFailed],
  },
  clock: {
    does: 'time passes: unanswered invitations, unused codes and members away too long run out',
    by: 'service',
    moves: staysOrEnds,
    tells: ['session-ended', 'peer-left'],
    refuses: [],
  },
  'service.shutdown': {
    does: 'the service goes away and takes the session with it',
    by: 'service',
    moves: ends,
    tells: ['session-ended'],
    refuses: [],
  },
  'guest.invite.create': { does: 'makes a guest link', by: ['agent'], moves: stays, tells: [], refuses: [] },
  'guest.request': {
    does: 'a guest with a link gets a code to read to the agent',
    by: 'invite holder',
    moves: stays,
    tells: [],
    refuses: [ErrorCode.SessionFull, ErrorCode.AlreadyInSession, ErrorCode.TooManyGuestsWaiting],
  },
  'guest.extend': {
    does: 'more time for the same code, a limited number of times',
    by: 'waiting guest',
    moves: stays,
    tells: [],
    refuses: [ErrorCode.NoExtensionsLeft],
  },
  'guest.withdraw': {
    does: 'a waiting guest went away: their code is withdrawn',
    by: 'waiting guest',
    moves: stays,
    tells: [],
    refuses: [],
  },
  'guest.admit': {
    does: "the agent types a waiting guest's code: the guest joins; the code is used up",
    by: ['agent'],
    moves: stays,
    tells: ['admitted', 'peer-joined'],
    refuses: [ErrorCode.InvalidCode, ErrorCode.GuestCodeExpired, ErrorCode.SessionFull, ErrorCode.InvalidInvite],
  },
  'guest.eject': {
    does: 'removes a guest and revokes their link',
    by: ['agent'],
    moves: stays,
    tells: ['peer-left', 'removed'],
    refuses: [ErrorCode.UnknownPeer, ErrorCode.Forbidden],
  },
  'peer.pause': {
    does: 'stops or resumes the video of the customer or a guest, for everyone',
    by: ['agent'],
    moves: stays,
    tells: ['peer-media'],
    refuses: [ErrorCode.UnknownPeer, ErrorCode.Forbidden],
  },
  'control.request': {
    does: "asks to control the visitor's page (needs the privilege)",
    by: ['agent'],
    moves: stays,
    control: { moves: { off: ['requested'] }, otherwise: 'unchanged' },
    tells: ['control-state'],
    refuses: [ErrorCode.NoPrivilege, ErrorCode.UnknownPeer],
  },
  'control.answer': {
    does: 'grants or declines the request',
    by: ['visitor'],
    moves: stays,
    control: { moves: { requested: ['on', 'off'] }, otherwise: ErrorCode.InvalidInvitation },
    tells: ['control-state'],
    refuses: [],
  },
  'control.release': {
    does: 'the agent stops, or the visitor revokes',
    by: ['visitor', 'agent'],
    moves: stays,
    control: { moves: { requested: ['off'], on: ['off'] }, otherwise: 'unchanged' },
    tells: ['control-state'],
    refuses: [],
  },
  // Screen share keeps a state of its own (state.ts, ScreenShare); its rule checks it (rules/screenShare.ts).
  'share.start': {
    does: 'shares a screen with everyone in the call (needs the privilege)',
    by: ['agent'],
    moves: stays,
    tells: ['share-state'],
    refuses: [ErrorCode.NoPrivilege, ErrorCode.ScreenShareBusy],
  },
  'share.request': {
    does: "asks to see the visitor's screen (needs the privilege)",
    by: ['agent'],
    moves: stays,
    tells: ['share-state'],
    refuses: [ErrorCode.NoPrivilege, ErrorCode.UnknownPeer, ErrorCode.ScreenShareBusy],
  },
  'share.answer': {
    does: "shares the visitor's screen with the agents, or declines",
    by: ['visitor'],
    moves: stays,
    tells: ['share-state'],
    refuses: [ErrorCode.InvalidInvitation],
  },
  'share.stop': {
    does: 'the sharer stops; an agent stops any share or withdraws the request',
    by: EVERYONE,
    moves: stays,
    tells: ['share-state'],
    refuses: [ErrorCode.Forbidden],
  },
};

/** How each outsider is checked, and the refusal when the issuer is not who the table says. */
export const OUTSIDER_REFUSAL: Readonly<Record<Outsider, ErrorCode | null>> = {
  'new visitor': null,
  'inviting agent': null,
  'invited visitor': ErrorCode.InvalidInvitation,
  'arriving agent': ErrorCode.Forbidden,
  'invite holder': ErrorCode.InvalidInvite,
  'waiting guest': ErrorCode.NotInSession,
  service: null,
};

/** Why a command is refused in this state, if it is: session_ended once the session is over, else `otherwise`. */
export function stateRefusal(transition: Transition, state: StateOrNone): ErrorCode | undefined {
  if (transition.moves[state]) return undefined;
  return state === 'ended' ? ErrorCode.SessionEnded : (transition.otherwise ?? ErrorCode.Forbidden);
}

/** The refusals of the state, issuer and control checks that machine.ts makes before a command's rule runs. */
export function guardRefusals(transition: Transition): ErrorCode[] {
  const codes: Array<ErrorCode | null | undefined> = [];
  if (!transition.moves.none) for (const state of SESSION_STATUSES) codes.push(stateRefusal(transition, state));
  if (typeof transition.by === 'string') {
    codes.push(OUTSIDER_REFUSAL[transition.by]);
  } else {
    codes.push(ErrorCode.NotInSession);
    if (transition.by.length < EVERYONE.length) codes.push(ErrorCode.Forbidden);
  }
  const control = transition.control?.otherwise;
  if (control && control !== 'unchanged') codes.push(control);
  return [...new Set(codes.filter((code): code is ErrorCode => !!code))];
}

/** The roles a command's issuer must have, when it must be a member of the session. */
export function memberRoles(command: CommandType): readonly Role[] | undefined {
  const by = TRANSITIONS[command].by;
  return typeof by === 'string' ? undefined : by;
}
