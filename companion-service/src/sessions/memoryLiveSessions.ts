import type { SessionDirectory } from './directory';
import type { Commit, CommitResult, LiveSessions, SessionKey } from './liveSessions';
import type { SessionTimers } from './sessionTimers';
import type { Session } from './state';

const DONE: Promise<void> = Promise.resolve();

/** One instance: the live sessions are this process's directory, which is also the relay's cache of seats, and each
 * session's clock is a timer here. A commit checks and applies in one synchronous step, so nothing runs between the
 * version check and the write. */
export class MemoryLiveSessions implements LiveSessions {
  readonly shared = false;
  readonly now = { find: (key: SessionKey) => this.findNow(key), commit: (c: Commit) => this.commitNow(c) };

  constructor(
    private readonly directory: SessionDirectory,
    private readonly timers: SessionTimers,
  ) {}

  async find(key: SessionKey): Promise<Session | undefined> {
    return this.findNow(key);
  }

  /** The same, synchronously: in this process nothing needs waiting for. */
  findNow(key: SessionKey): Session | undefined {
    const d = this.directory;
    switch (key.by) {
      case 'id':
        return d.get(key.id);
      case 'code':
        return d.findByCode(key.code);
      case 'member':
        return d.sessionOf(key.participantId);
      case 'pendingGuest':
        return d.sessionOfPendingGuest(key.guestId);
      case 'invite':
        return d.findByInvite(key.token);
      case 'invitation':
        return d.findByInvitation(key.invitationId);
    }
  }

  async participantForResumeToken(token: string): Promise<string | undefined> {
    return this.directory.participantForResumeToken(token);
  }

  async commit(c: Commit): Promise<CommitResult> {
    return this.commitNow(c);
  }

  commitNow(c: Commit): CommitResult {
    const d = this.directory;
    const id = c.next.id;
    const current = d.get(id);
    if (c.previous === undefined) {
      if (current) return { ok: false, why: 'conflict' };
      if (d.isCodeTaken(c.next.code)) return { ok: false, why: 'code_taken' };
    } else if (current?.version !== c.previous.version) {
      return { ok: false, why: 'conflict' };
    }
    if (c.spends && d.resumeTokenOf(c.spends.participantId) !== c.spends.token)
      return { ok: false, why: 'token_spent' };
    if (c.next !== c.previous) {
      if (c.next.status === 'ended') {
        d.remove(id);
        this.timers.clear(id);
      } else {
        d.put(c.next);
        this.timers.set(id, c.deadline);
      }
    }
    for (const grant of c.tokens) d.setResumeToken(grant.participantId, grant.token);
    return { ok: true, storedVersion: 0 };
  }

  async rearm(sessionId: string, version: number, deadline: number | undefined): Promise<void> {
    if (this.directory.get(sessionId)?.version === version) this.timers.set(sessionId, deadline);
  }

  /** The writes of one session are made in order by this process (sessionWriter.ts): nothing to wait for. */
  storedUpTo(): Promise<void> {
    return DONE;
  }

  markStored(): Promise<void> {
    return DONE;
  }

  async held(sessionIds: readonly string[]): Promise<Set<string>> {
    return new Set(sessionIds.filter((id) => this.directory.get(id) !== undefined));
  }
}
