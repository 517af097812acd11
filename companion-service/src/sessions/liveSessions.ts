import type { Session } from './state';

/* The live sessions every command reads and writes: one state record per session, with the indexes that find it (by
 * code, member, waiting guest, guest link, 1-click invitation) and each member's one valid resume token. In this
 * process (memoryLiveSessions.ts, one instance) or in Redis (redisLiveSessions.ts, shared by every instance). A
 * command loads the state, decides on it with the pure rules, and commits the result only if the state is still the
 * one it loaded (its version): whoever loses reloads and decides again (sessionCommands.ts). */

/** Where a command finds its session. */
export type SessionKey =
  | { readonly by: 'id'; readonly id: string }
  | { readonly by: 'code'; readonly code: string }
  | { readonly by: 'member'; readonly participantId: string }
  | { readonly by: 'pendingGuest'; readonly guestId: string }
  | { readonly by: 'invite'; readonly token: string }
  | { readonly by: 'invitation'; readonly invitationId: string };

export interface TokenGrant {
  readonly participantId: string;
  readonly token: string;
}

export interface Commit {
  /** The state the command decided on; undefined when it makes the session. */
  readonly previous: Session | undefined;
  /** The new state, or `previous` itself when the command changed nothing but tokens. */
  readonly next: Session;
  /** When the clock command is next due (the model's nextDeadline); undefined: nothing pending. */
  readonly deadline: number | undefined;
  /** New resume tokens; each participant's previous one stops working. */
  readonly tokens: readonly TokenGrant[];
  /** The resume token the command uses up: refused unless it is still that participant's current one. */
  readonly spends?: TokenGrant;
  /** Shared sessions only: refused if the participant's socket is held by an instance other than this one (which may
   * hold it or not), or by any instance at all (null). */
  readonly heldBy?: { readonly participantId: string; readonly instance: string | null };
}

/** ok, with the last version whose store writes are done (shared sessions; 0 when unknown). Refused: `conflict`, the
 * state is no longer the one decided on (or a new session's id exists); `code_taken`, a new session's code is live;
 * `token_spent`, `held`: the conditions above. */
export type CommitResult =
  { ok: true; storedVersion: number } | { ok: false; why: 'conflict' | 'code_taken' | 'token_spent' | 'held' };

export interface LiveSessions {
  /** Whether other instances share these sessions (the caches and timers differ). */
  readonly shared: boolean;
  find(key: SessionKey): Promise<Session | undefined>;
  /** In this process: `find` and `commit` without waiting for anything, so that nothing at all runs between a
   * command's load and its commit (and the default path allocates no promise for them). */
  readonly now?: { find(key: SessionKey): Session | undefined; commit(commit: Commit): CommitResult };
  participantForResumeToken(token: string): Promise<string | undefined>;
  commit(commit: Commit): Promise<CommitResult>;
  /** Re-arms the clock of a session a clock command left unchanged, if it is still at that version (0: the session is
   * gone, and so is its clock). */
  rearm(sessionId: string, version: number, deadline: number | undefined): Promise<void>;
  /** Waits (briefly) until the store writes of `version` are done, wherever they are made; shared sessions only. */
  storedUpTo(sessionId: string, version: number): Promise<void>;
  /** The store writes of `version` are done (or given up on). */
  markStored(sessionId: string, version: number): Promise<void>;
  /** Which of these sessions are live (or just ended, their records still being written) on any instance. */
  held(sessionIds: readonly string[]): Promise<Set<string>>;
}
