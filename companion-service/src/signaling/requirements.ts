import { ErrorCode } from '../protocol/codes';
import type { Role } from '../protocol/messages';
import type { CommandType } from '../sessions/commands';
import { memberRoles } from '../sessions/transitions';

/** Where a socket must be for a message handler to run, declared when the handler is registered. The router refuses
 * anything else before the handler runs, and tells the client why:
 * - `in: 'session'`: the socket speaks for a participant (a member, or a guest waiting to be let in), else
 *   not_in_session; with `role`, a member with one of those roles (forbidden for another role);
 * - `in: 'none'`: it does not yet (already_in_session); `in: 'any'`: either;
 * - `visitor: 'identified'`: the socket said visitor.hello (a logged-in visitor's tab), else unauthorized;
 *   `'unidentified'`: it has not yet (already_in_session). This is checked first. */
export type Requirement =
  | { readonly in: 'session'; readonly role?: readonly Role[]; readonly visitor?: VisitorRequirement }
  | { readonly in: 'none' | 'any'; readonly role?: never; readonly visitor?: VisitorRequirement };
type VisitorRequirement = 'identified' | 'unidentified';

/** What the guard reads of a socket. */
export interface GuardedSocket {
  readonly participantId: string | undefined;
  readonly visitorId: string | undefined;
  /** The participant's role in their session; undefined while in none (or waiting as a guest). */
  readonly role: Role | undefined;
}

/** The session command's issuers as a requirement: its roles, from the transition table (sessions/transitions.ts). */
export function issuerOf(command: CommandType): { readonly in: 'session'; readonly role: readonly Role[] } {
  const role = memberRoles(command);
  if (!role) throw new Error(`${command} is not issued by a member of the session`);
  return { in: 'session', role };
}

/** Builds the check for one requirement once, at registration: a socket that meets it gets undefined, any other the
 * refusal. Made to measure, so the relay's check is one comparison. */
export function guardFor(requirement: Requirement): (socket: GuardedSocket) => ErrorCode | undefined {
  const checks: Array<(socket: GuardedSocket) => ErrorCode | undefined> = [];
  if (requirement.visitor === 'identified')
    checks.push((s) => (s.visitorId === undefined ? ErrorCode.Unauthorized : undefined));
  if (requirement.visitor === 'unidentified')
    checks.push((s) => (s.visitorId === undefined ? undefined : ErrorCode.AlreadyInSession));
  if (requirement.in === 'none')
    checks.push((s) => (s.participantId === undefined ? undefined : ErrorCode.AlreadyInSession));
  if (requirement.in === 'session')
    checks.push((s) => (s.participantId === undefined ? ErrorCode.NotInSession : undefined));
  const roles = requirement.role;
  if (roles) {
    checks.push((s) => {
      const role = s.role;
      if (role === undefined) return ErrorCode.NotInSession;
      return roles.includes(role) ? undefined : ErrorCode.Forbidden;
    });
  }
  if (checks.length === 1) return checks[0]!;
  return (socket) => {
    for (const check of checks) {
      const refused = check(socket);
      if (refused) return refused;
    }
    return undefined;
  };
}
