import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../src/protocol/codes';
import {
  admitAgent,
  admitGuest,
  answerControl,
  createGuestInvite,
  endByAgent,
  ejectGuest,
  markAway,
  markBack,
  pauseVideo,
  releaseControl,
  requestControl,
  requestGuest,
  restartPair,
  setVideo,
  type Outcome,
  type Session,
} from '../../src/sessions/model';
import { tableInDoc, transitionTableMarkdown } from '../../src/sessions/transitionsMarkdown';
import { RULES, T0, waiting } from '../helpers/sessionFixtures';

const GUEST_RULES = { ...RULES, codeTtlMs: 120_000, maxExtensions: 2, maxPending: 10 };
const PRIVILEGES = ['Tandem_Agent_Video', 'Tandem_Remote_Control'];

/** Every value defined: a field is either there (null when unset) or not part of the record at all. */
function undefinedPaths(value: unknown, path = '$'): string[] {
  if (value === undefined) return [path];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => undefinedPaths(v, `${path}.${key}`));
}

const steps: Array<[string, (s: Session) => Outcome]> = [
  [
    'agent joins',
    (s) =>
      admitAgent(
        s,
        { participantId: 'agent', identity: 'u1', name: 'Ana', privileges: PRIVILEGES, now: T0 + 1 },
        RULES,
      ),
  ],
  ['agent video on', (s) => setVideo(s, 'agent', true)],
  ['guest link', (s) => createGuestInvite(s, 'agent', { token: 'invite-1', now: T0 + 2, ttlMs: 3_600_000 })],
  [
    'guest asks',
    (s) =>
      requestGuest(
        s,
        { invite: 'invite-1', participantId: 'guest', name: 'Gil', code: '222222', now: T0 + 3 },
        GUEST_RULES,
      ),
  ],
  ['guest admitted', (s) => admitGuest(s, 'agent', '222222', T0 + 4, RULES)],
  ['guest away', (s) => markAway(s, 'guest', T0 + 5)],
  ['guest back', (s) => markBack(s, 'guest', T0 + 6, RULES)],
  ['guest paused', (s) => pauseVideo(s, 'agent', 'guest', true)],
  ['control asked', (s) => requestControl(s, 'agent')],
  ['control granted', (s) => answerControl(s, 'visitor', true)],
  ['control released', (s) => releaseControl(s, 'visitor')],
  ['pair restarted', (s) => restartPair(s, 'visitor', 'agent')],
  ['guest ejected', (s) => ejectGuest(s, 'agent', 'guest')],
  ['ended', (s) => endByAgent(s, 'agent', T0 + 7)],
];

describe('the session state', () => {
  it('is plain data: every state of a session survives a JSON round trip unchanged, and a loaded copy goes on the same', () => {
    let session = waiting();
    for (const [name, step] of steps) {
      const copy = JSON.parse(JSON.stringify(session)) as Session;
      expect({ name, state: copy }).toStrictEqual({ name, state: session });
      expect({ name, undefined: undefinedPaths(session) }).toEqual({ name, undefined: [] });
      const outcome = step(session);
      expect(step(copy)).toStrictEqual(outcome);
      if (!outcome.ok) throw new Error(`${name}: refused with ${outcome.code}`);
      session = outcome.session;
    }
    expect(session.status).toBe('ended');
    expect(JSON.parse(JSON.stringify(session))).toStrictEqual(session);
  });

  it('is at version 1 when made, and each accepted command raises the version by one', () => {
    let session = waiting();
    expect(session.version).toBe(1);
    for (const [name, step] of steps) {
      const outcome = step(session);
      if (!outcome.ok) throw new Error(`${name}: refused with ${outcome.code}`);
      expect({ name, version: outcome.session.version }).toEqual({ name, version: session.version + 1 });
      session = outcome.session;
    }
    expect(session.version).toBe(steps.length + 1);
  });

  it('keeps its version (and is the same object) when a command is refused or changes nothing', () => {
    const active = steps.slice(0, 2).reduce((s, [, step]) => (step(s) as { session: Session }).session, waiting());
    expect(endByAgent(active, 'visitor', T0)).toEqual({ ok: false, code: ErrorCode.Forbidden });
    expect(admitAgent(active, { participantId: 'a2', identity: 'u2', privileges: [], now: T0 }, RULES)).toEqual({
      ok: false,
      code: ErrorCode.AgentPresent,
    });
    const away = markAway(active, 'visitor', T0 + 10);
    if (!away.ok) throw new Error('refused');
    expect(away.session.version).toBe(active.version + 1);
    const again = markAway(away.session, 'visitor', T0 + 11);
    expect(again.ok && again.session).toBe(away.session);
    expect(setVideo(active, 'agent', true)).toEqual({ ok: true, session: active, effects: [] });
  });
});

describe('the transition table', () => {
  it('is printed in docs/architecture.md as the code has it (npm run docs:transitions -- --write)', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'architecture.md'), 'utf8');
    expect(tableInDoc(doc)).toBe(transitionTableMarkdown());
  });
});
