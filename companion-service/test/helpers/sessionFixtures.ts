/** The sessions the session-model unit tests start from: one cast (a visitor, then an agent), one clock, one set of rules. */
import { admitAgent, createSession, type Outcome, type Session } from '../../src/sessions/model';

export const RULES = { maxParticipants: 6, resumeGraceMs: 20_000 };
/** The clock when the session is created; tests count from it. */
export const T0 = 1_000_000;
export const CODE_TTL_MS = 600_000;

/** The session of a successful outcome (fails the test with the refusal's code otherwise). */
export function ok(outcome: Outcome): Session {
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.code}`);
  return outcome.session;
}

/** A visitor who started a session with code 123456 at T0; no agent yet. */
export function waiting(): Session {
  return createSession({
    sessionId: 'session-1',
    participantId: 'visitor',
    code: '123456',
    now: T0,
    codeTtlMs: CODE_TTL_MS,
  });
}

/** `waiting()` with agent Ana (identity u1, these privileges) admitted at T0 + 1. */
export function active(privileges: string[] = [], rules = RULES): Session {
  return ok(
    admitAgent(waiting(), { participantId: 'agent', identity: 'u1', name: 'Ana', privileges, now: T0 + 1 }, rules),
  );
}
