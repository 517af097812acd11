import { ErrorCode } from '../protocol/codes';
import type { SessionRules } from './commands';
import type { Commit, LiveSessions, SessionKey, TokenGrant } from './liveSessions';
import { nextDeadline } from './rules/lifecycle';
import type { Effect, Outcome } from './outcome';
import type { Session } from './state';

/* How every session command runs, on one instance or many: load the state, decide with the pure rules (model.ts), and
 * commit only if the state is still the one decided on (compare-and-set on its version, liveSessions.ts). A command
 * that lost to another reloads and decides again, so it is never applied to a state it did not see. Only the winner
 * writes the store and tells anyone anything (sessionWriter.ts): every effect happens once. */

/** An event row the command leaves when it changes the session. */
export interface RecordedEvent {
  readonly kind: string;
  readonly participantId: string | null;
  readonly detail?: Record<string, unknown>;
}

export interface CommandSpec {
  readonly key: SessionKey;
  /** The refusal when there is no such session. */
  readonly missing: ErrorCode;
  /** The command, as the model's rule (pure; called again after a lost race). */
  decide(session: Session): Outcome;
  /** Resume tokens the command issues, given its new state. */
  tokens?(session: Session): TokenGrant[];
  readonly spends?: TokenGrant;
  readonly heldBy?: Commit['heldBy'];
  /** Recorded when the command changed the session (given the new state, when it names what the rule decided). */
  readonly event?: RecordedEvent | ((session: Session) => RecordedEvent);
}

/** A command that took effect: the state it decided on, the new one (the same object if nothing changed), and its
 * effects and tokens. */
export interface Won {
  readonly previous: Session | undefined;
  readonly session: Session;
  readonly effects: Effect[];
  readonly tokens: readonly TokenGrant[];
  readonly events: readonly RecordedEvent[];
  /** The last version whose store writes were done when this one was committed. */
  readonly storedVersion: number;
}

export type Applied = ({ ok: true } & Won) | { ok: false; code: ErrorCode };

/** What the runner hands a won command to. */
export interface CommitFollowers {
  /** Right after the commit: caches and other instances learn the new state (before any effect is delivered), and
   * the resume tokens it issued. */
  committed(session: Session, changed: boolean, tokens: readonly TokenGrant[]): Promise<void> | undefined;
  /** The store writes and effects, in version order per session. */
  persist(won: Won): Promise<void>;
}

/** A command kept losing to others on the same session: it is not applied. */
export class SessionContendedError extends Error {
  constructor(sessionId: string) {
    super(`session ${sessionId} changed under ${MAX_ATTEMPTS} tries in a row; the command was not applied`);
    this.name = 'SessionContendedError';
  }
}

const MAX_ATTEMPTS = 12;
/** New codes tried when the one drawn is live (codes.ts draws from the same odds). */
const MAX_CODE_DRAWS = 100;

export class SessionCommands {
  private running = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly live: LiveSessions,
    private readonly followers: CommitFollowers,
    private readonly rules: Pick<SessionRules, 'resumeGraceMs'>,
  ) {}

  /** Runs a command on an existing session; refusals (the model's, or the commit's conditions) come back as codes. */
  async run(spec: CommandSpec): Promise<Applied> {
    this.running++;
    try {
      const now = this.live.now;
      for (let attempt = 1; ; attempt++) {
        const session = now ? now.find(spec.key) : await this.live.find(spec.key);
        if (!session) return { ok: false, code: spec.missing };
        const outcome = spec.decide(session);
        if (!outcome.ok) return outcome;
        const next = outcome.session;
        const tokens = spec.tokens?.(next) ?? [];
        const changed = next !== session;
        if (!changed && tokens.length === 0 && !spec.spends)
          return { ok: true, previous: session, session, effects: [], tokens, events: [], storedVersion: 0 };
        const commit: Commit = {
          previous: session,
          next,
          deadline: nextDeadline(next, this.rules),
          tokens,
          spends: spec.spends,
          heldBy: spec.heldBy,
        };
        const result = now ? now.commit(commit) : await this.live.commit(commit);
        if (result.ok) {
          const event = changed && spec.event ? [typeof spec.event === 'function' ? spec.event(next) : spec.event] : [];
          const won: Won = {
            previous: session,
            session: next,
            effects: outcome.effects,
            tokens,
            events: event,
            storedVersion: result.storedVersion,
          };
          return { ok: true, ...(await this.complete(won, changed)) };
        }
        if (result.why === 'token_spent') return { ok: false, code: ErrorCode.ResumeFailed };
        if (result.why === 'held') return { ok: false, code: ErrorCode.NotInSession };
        if (attempt >= MAX_ATTEMPTS) throw new SessionContendedError(session.id);
        await backoff(attempt);
      }
    } finally {
      this.settled();
    }
  }

  /** A member's command on their session: undefined when it took effect (or changed nothing), else the refusal. */
  async runFor(
    participantId: string,
    decide: (session: Session) => Outcome,
    kind: string,
    detail?: Record<string, unknown>,
  ): Promise<ErrorCode | undefined> {
    const event = detail === undefined ? { kind, participantId } : { kind, participantId, detail };
    const applied = await this.run({
      key: { by: 'member', participantId },
      missing: ErrorCode.NotInSession,
      decide,
      event,
    });
    return applied.ok ? undefined : applied.code;
  }

  /** Makes a session; `make` draws a new code each time the one it drew is live. */
  async create(make: () => Session, tokens: (session: Session) => TokenGrant[], events: RecordedEvent[]): Promise<Won> {
    this.running++;
    try {
      for (let draw = 1; ; draw++) {
        const session = make();
        const granted = tokens(session);
        const commit: Commit = {
          previous: undefined,
          next: session,
          deadline: nextDeadline(session, this.rules),
          tokens: granted,
        };
        const result = this.live.now ? this.live.now.commit(commit) : await this.live.commit(commit);
        if (result.ok)
          return await this.complete(
            { previous: undefined, session, effects: [], tokens: granted, events, storedVersion: 0 },
            true,
          );
        // Only reachable when nearly every code of this length is live: a configuration problem, not bad luck.
        if (draw >= MAX_CODE_DRAWS) throw new Error(`no free session code after ${MAX_CODE_DRAWS} draws`);
      }
    } finally {
      this.settled();
    }
  }

  /** Resolves once no command is running (for a shutdown). */
  settle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private async complete(won: Won, changed: boolean): Promise<Won> {
    const following = this.followers.committed(won.session, changed, won.tokens);
    if (following) await following;
    if (changed) await this.followers.persist(won);
    return won;
  }

  private settled(): void {
    if (--this.running > 0) return;
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }
}

/** After a lost race, a short random pause from the second on, so that two instances don't collide again in step. */
function backoff(attempt: number): Promise<void> {
  if (attempt < 2) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
}
