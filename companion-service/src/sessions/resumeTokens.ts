import { randomBytes } from 'node:crypto';

/* A resume token is 32 random characters, then the session's id (32 hex digits): a token this process does not hold
 * (one issued before a restart) still says which session it was for, so its owner can be told that session ended, and
 * why. The live sessions keep each participant's one valid token (liveSessions.ts). */

export function newResumeToken(sessionId: string): string {
  return randomBytes(24).toString('base64url') + sessionId;
}

/** The session a resume token was issued for, if it names one. */
export function sessionIdInResumeToken(token: string): string | undefined {
  const sessionId = token.slice(32);
  return /^[0-9a-f]{32}$/.test(sessionId) ? sessionId : undefined;
}
