import { ErrorCode } from './codes';

/** What people read when something is refused, for every code: a new code without text does not compile. Clients
 * show these as text. */
const ERROR_TEXT: Record<ErrorCode, string> = {
  [ErrorCode.BadMessage]: 'The service could not read that message.',
  [ErrorCode.UnknownType]: 'The service does not know that kind of message.',
  [ErrorCode.TooLarge]: 'That message is too large.',
  [ErrorCode.RateLimited]: 'Too many attempts. Wait a moment and try again.',
  [ErrorCode.Unauthorized]: 'Your sign-in is not valid. Sign in again.',
  [ErrorCode.TokenExpired]: 'Your sign-in has expired. Sign in again.',
  [ErrorCode.Forbidden]: 'You are not allowed to do that.',
  [ErrorCode.InvalidCode]: 'No session has that key. Check the digits with the visitor.',
  [ErrorCode.CodeExpired]: 'That key has expired. Ask the visitor to start a new session.',
  [ErrorCode.InvalidTicket]: 'This console link has already been used or has expired. Join again.',
  [ErrorCode.SessionFull]: 'This session is full. No one else can join it right now.',
  [ErrorCode.SessionEnded]: 'This session has ended.',
  [ErrorCode.AgentPresent]: 'Another agent is already in this session.',
  [ErrorCode.AlreadyInSession]: 'This connection is already in a session.',
  [ErrorCode.NotInSession]: 'Join a session first.',
  [ErrorCode.UnknownPeer]: 'That participant is not in your session.',
  [ErrorCode.WrongSender]: 'A signal must name its own sender as "from".',
  [ErrorCode.ResumeFailed]: 'The session could not be resumed.',
  [ErrorCode.DevSignInDisabled]: 'Signing in without Salesforce is turned off on this service.',
  [ErrorCode.VisitorOffline]: 'The customer is not online right now.',
  [ErrorCode.InvalidInvitation]: 'This invitation is no longer open.',
  [ErrorCode.InvitationPending]:
    'This customer already has an invitation waiting for their answer. Wait for it, or for it to time out, before you ask again.',
  [ErrorCode.TermsChanged]: 'The terms have changed. Read the new terms and try again.',
  [ErrorCode.InvalidInvite]: 'This guest link is not valid any more. Ask the agent for a new one.',
  [ErrorCode.GuestCodeExpired]: 'That guest code has expired. Ask the guest to request more time.',
  [ErrorCode.NoExtensionsLeft]: 'No more extensions are available. Ask the agent for a new link.',
  [ErrorCode.NoPrivilege]: 'You do not have permission for this. Ask your Salesforce admin.',
  [ErrorCode.VideoPaused]: 'The agent has paused your video.',
  [ErrorCode.TooManyGuestsWaiting]: 'Several guests are already waiting to be let in. Try again in a minute.',
  [ErrorCode.ScreenShareBusy]: 'A screen is already being shared, or asked for. Stop that share first.',
  [ErrorCode.Unavailable]: "The service can't do that right now. Try again in a moment.",
  [ErrorCode.Internal]: 'Something went wrong on the server.',
};

export function errorText(code: ErrorCode): string {
  return ERROR_TEXT[code];
}
