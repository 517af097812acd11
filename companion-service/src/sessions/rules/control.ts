import { ErrorCode, Privilege } from '../../protocol/codes';
import type { ControlState } from '../../protocol/messages';
import type { CommandOf } from '../commands';
import { ok, refuse, type Effect, type Outcome } from '../outcome';
import { findParticipant, visitorOf } from '../queries';
import type { Session } from '../state';

/* Remote control of the visitor's page: asked by an agent with the privilege, granted by the visitor, ended by either.
 * Which control states each command is accepted in is in transitions.ts. */

function tellVisitorAndAgents(session: Session, state: ControlState, agentName?: string): Effect[] {
  return session.participants
    .filter((p) => p.role === 'visitor' || p.role === 'agent')
    .map((p): Effect =>
      agentName === undefined
        ? { kind: 'control-state', to: p.id, state }
        : { kind: 'control-state', to: p.id, state, agentName },
    );
}

/** The agent asks; the visitor is prompted with the agent's name. */
export function requestControl(session: Session, { by }: CommandOf<'control.request'>): Outcome {
  const agent = findParticipant(session, by)!;
  if (!agent.privileges.includes(Privilege.RemoteControl)) return refuse(ErrorCode.NoPrivilege);
  if (!visitorOf(session)) return refuse(ErrorCode.UnknownPeer);
  const next: Session = { ...session, control: { state: 'requested', agentId: by } };
  return ok(next, tellVisitorAndAgents(next, 'requested', agent.name ?? 'The agent'));
}

/** The visitor grants or declines the pending request. */
export function answerControl(session: Session, { granted }: CommandOf<'control.answer'>): Outcome {
  const control = granted
    ? { state: 'on' as const, agentId: session.control.agentId }
    : { state: 'off' as const, agentId: null };
  const next: Session = { ...session, control };
  return ok(next, tellVisitorAndAgents(next, control.state));
}

/** The agent stops, or the visitor revokes, at any time. */
export function releaseControl(session: Session, _command: CommandOf<'control.release'>): Outcome {
  const next: Session = { ...session, control: { state: 'off', agentId: null } };
  return ok(next, tellVisitorAndAgents(next, 'off'));
}
