import { ErrorCode } from '../protocol/codes';
import type { Command, CommandOf, CommandType, Creation, CreationType, TermsAnswer } from './commands';
import { ok, refuse, type Effect, type Outcome } from './outcome';
import { findParticipant, pendingGuest } from './queries';
import * as control from './rules/control';
import * as guests from './rules/guests';
import * as lifecycle from './rules/lifecycle';
import * as mesh from './rules/mesh';
import * as screenShare from './rules/screenShare';
import type { Session } from './state';
import { OUTSIDER_REFUSAL, TRANSITIONS, stateRefusal, type Outsider, type Transition } from './transitions';

/* Executes the transition table (transitions.ts). For a command it refuses what the table does not allow (the
 * session's state, then the issuer, then remote control's state) before the command's rule runs; it checks what the
 * rule did against the table (a rule that strays from it is a bug, thrown, not served); and it numbers the state:
 * every command that changes the session raises its version by one. */

type Rule<T extends CommandType> = (session: Session, command: CommandOf<T>) => Outcome;

const RULES: { readonly [T in CommandType]: Rule<T> } = {
  'terms.accept': lifecycle.acceptTerms,
  'terms.decline': lifecycle.declineTerms,
  'agent.join': lifecycle.admitAgent,
  'pair.restart': mesh.restartPair,
  'media.set': mesh.setVideo,
  'session.leave': lifecycle.leave,
  'session.end': lifecycle.endByAgent,
  'participant.away': lifecycle.markAway,
  'participant.back': lifecycle.markBack,
  clock: lifecycle.passTime,
  'service.shutdown': lifecycle.endForShutdown,
  'guest.invite.create': guests.createGuestInvite,
  'guest.request': guests.requestGuest,
  'guest.extend': guests.extendGuestCode,
  'guest.withdraw': guests.withdrawGuest,
  'guest.admit': guests.admitGuest,
  'guest.eject': guests.ejectGuest,
  'peer.pause': mesh.pauseVideo,
  'control.request': control.requestControl,
  'control.answer': control.answerControl,
  'control.release': control.releaseControl,
  'share.start': screenShare.startShare,
  'share.request': screenShare.requestShare,
  'share.answer': screenShare.answerShare,
  'share.stop': screenShare.stopShare,
};

const CREATIONS: { readonly [T in CreationType]: (command: CommandOf<T>) => Session } = {
  'visitor.start': lifecycle.startSession,
  'invitation.create': lifecycle.startInvitation,
};

/** Whether a command comes from the outsider the table names. */
const IS_OUTSIDER: { readonly [K in Outsider]: (session: Session, command: Command) => boolean } = {
  'new visitor': () => true,
  'inviting agent': () => true,
  'invited visitor': (session, command) => {
    const answer = command as TermsAnswer;
    return (
      session.invitation?.id === answer.invitationId && session.invitation.visitorIdentity === answer.visitorIdentity
    );
  },
  'arriving agent': (session, command) =>
    !session.invitation || session.invitation.agentIdentity === (command as CommandOf<'agent.join'>).identity,
  'invite holder': (session, command) => {
    const request = command as CommandOf<'guest.request'>;
    return guests.inviteIsLive(session, request.invite, request.now);
  },
  'waiting guest': (session, command) => !!pendingGuest(session, (command as CommandOf<'guest.withdraw'>).by),
  service: () => true,
};

function issuerRefusal(session: Session, transition: Transition, command: Command): ErrorCode | undefined {
  const by = transition.by;
  if (typeof by === 'string')
    return IS_OUTSIDER[by](session, command) ? undefined : (OUTSIDER_REFUSAL[by] ?? ErrorCode.Forbidden);
  const member = findParticipant(session, (command as { by: string }).by);
  if (!member) return ErrorCode.NotInSession;
  return by.includes(member.role) ? undefined : ErrorCode.Forbidden;
}

/** A command the session accepts is applied; anything else is refused with the state unchanged. */
export function execute(session: Session, command: Command): Outcome {
  const transition = TRANSITIONS[command.type];
  const wrongState = stateRefusal(transition, session.status);
  if (wrongState) return refuse(wrongState);
  const wrongIssuer = issuerRefusal(session, transition, command);
  if (wrongIssuer) return refuse(wrongIssuer);
  const controlMoves = transition.control;
  if (controlMoves && !controlMoves.moves[session.control.state]) {
    return controlMoves.otherwise === 'unchanged' ? ok(session) : refuse(controlMoves.otherwise);
  }
  const outcome = (RULES[command.type] as Rule<CommandType>)(session, command as never);
  if (!outcome.ok) {
    if (!transition.refuses.includes(outcome.code)) throw strayed(command.type, `refused with ${outcome.code}`);
    return outcome;
  }
  if (outcome.session === session) return outcome;
  checkAgainstTable(command.type, transition, session, outcome.session, outcome.effects);
  return ok({ ...outcome.session, version: session.version + 1 }, outcome.effects);
}

/** Makes a new session (at version 1: its creation is its first command). */
export function create(command: Creation): Session {
  const session = (CREATIONS[command.type] as (c: Creation) => Session)(command);
  if (!TRANSITIONS[command.type].moves.none?.includes(session.status))
    throw strayed(command.type, `made a session ${session.status}`);
  return { ...session, version: 1 };
}

function checkAgainstTable(
  type: CommandType,
  transition: Transition,
  before: Session,
  after: Session,
  effects: Effect[],
): void {
  if (!transition.moves[before.status]?.includes(after.status))
    throw strayed(type, `moved ${before.status} to ${after.status}`);
  const from = before.control.state;
  const to = after.control.state;
  if (from !== to && !transition.control?.moves[from]?.includes(to))
    throw strayed(type, `moved control ${from} to ${to}`);
  for (const effect of effects) if (!transition.tells.includes(effect.kind)) throw strayed(type, `told ${effect.kind}`);
}

function strayed(type: CommandType | CreationType, what: string): Error {
  return new Error(`session command ${type} ${what}, which the transition table does not allow`);
}
