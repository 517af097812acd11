import { randomBytes } from 'node:crypto';
import type { SessionDirectory } from './directory';

/* A resume token is 32 random characters, then the session's id (32 hex digits): a token this process does not hold
 * (one issued before a restart) still says which session it was for, so its owner can be told that session ended, and
 * why. The directory keeps each participant's one valid token. */

export function newResumeToken(sessionId: string): string {
  return randomBytes(24).toString('base64url') + sessionId;
}

/** The session a resume token was issued for, if it names one. */
export function sessionIdInResumeToken(token: string): string | undefined {
  const sessionId = token.slice(32);
  return /^[0-9a-f]{32}$/.test(sessionId) ? sessionId : undefined;
}

/** A new token for the participant; the one they had before stops working. */
export function issueResumeToken(directory: SessionDirectory, participantId: string, sessionId: string): string {
  const token = newResumeToken(sessionId);
  directory.setResumeToken(participantId, token);
  return token;
}
