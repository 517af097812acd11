import { ErrorCode } from '../../src/protocol/codes';
import { SessionDirectory } from '../../src/sessions/directory';
import type { Commit, CommitResult, LiveSessions } from '../../src/sessions/liveSessions';
import { MemoryLiveSessions } from '../../src/sessions/memoryLiveSessions';
import { findParticipant, markBack, setVideo, type Session } from '../../src/sessions/model';
import { SessionCommands, SessionContendedError, type Won } from '../../src/sessions/sessionCommands';
import { SessionTimers } from '../../src/sessions/sessionTimers';
import { active, RULES, T0 } from '../helpers/sessionFixtures';

/* The command runner: load, decide, compare-and-set, and on a lost race load again and decide again. Two commands
 * started together both reach the state; none overwrites the other. The in-process live sessions load and commit
 * without waiting, so nothing can come between the two there; here they are used the way shared ones are (each step
 * awaited, as over Redis), so that the commands do interleave. */

/** The in-process live sessions without their synchronous path: every load and commit is awaited. */
function awaited(live: MemoryLiveSessions): LiveSessions {
  return {
    shared: false,
    find: (key) => live.find(key),
    participantForResumeToken: (token) => live.participantForResumeToken(token),
    commit: (c) => live.commit(c),
    rearm: (id, version, deadline) => live.rearm(id, version, deadline),
    storedUpTo: () => live.storedUpTo(),
    markStored: () => live.markStored(),
    held: (ids) => live.held(ids),
  };
}

function setUp(start: Session = active(['Tandem_Agent_Video'])) {
  const directory = new SessionDirectory();
  const timers = new SessionTimers(
    () => undefined,
    () => T0,
  );
  const live = new MemoryLiveSessions(directory, timers);
  const persisted: Won[] = [];
  const commands = new SessionCommands(
    awaited(live),
    { committed: () => undefined, persist: async (won) => void persisted.push(won) },
    RULES,
  );
  directory.put(start);
  return { directory, live, commands, persisted, stop: () => timers.clearAll() };
}

/** Turns the participant's video the other way (the visitor's starts on, the agent's off). */
const toggleVideo = (participantId: string) => ({
  key: { by: 'member', participantId } as const,
  missing: ErrorCode.NotInSession,
  decide: (s: Session) => setVideo(s, participantId, !findParticipant(s, participantId)!.media.video),
});

describe('session commands', () => {
  it('applies two commands started at the same moment one after the other: the one that lost decides again on the new state', async () => {
    const { directory, commands, persisted, stop } = setUp();
    const [a, b] = await Promise.all([commands.run(toggleVideo('visitor')), commands.run(toggleVideo('agent'))]);
    stop();
    expect(a.ok && b.ok).toBe(true);
    const session = directory.get('session-1')!;
    expect(session.version).toBe(active().version + 2);
    // Both changes are in the state: the second was decided on the first's result, not on the state both loaded.
    expect(findParticipant(session, 'visitor')!.media.video).toBe(false);
    expect(findParticipant(session, 'agent')!.media.video).toBe(true);
    expect(persisted.map((w) => [w.previous!.version, w.session.version])).toEqual([
      [2, 3],
      [3, 4],
    ]);
  });

  it('refuses a spent resume token, and writes nothing for it', async () => {
    const { directory, commands, persisted, stop } = setUp();
    directory.setResumeToken('visitor', 'token-1');
    const back = () => ({
      key: { by: 'member', participantId: 'visitor' } as const,
      missing: ErrorCode.SessionEnded,
      decide: (s: Session) => markBack(s, 'visitor', T0 + 2, RULES),
      tokens: () => [{ participantId: 'visitor', token: `token-${Math.random()}` }],
      spends: { participantId: 'visitor', token: 'token-1' },
    });
    const results = await Promise.all([commands.run(back()), commands.run(back())]);
    stop();
    expect(results.map((r) => (r.ok ? 'ok' : r.code)).sort()).toEqual(['ok', ErrorCode.ResumeFailed]);
    expect(persisted).toEqual([]);
  });

  it('gives up with a clear error when it keeps losing', async () => {
    const { live, commands, stop } = setUp();
    live.commitNow = (_c: Commit): CommitResult => ({ ok: false, why: 'conflict' });
    await expect(commands.run(toggleVideo('agent'))).rejects.toThrow(SessionContendedError);
    stop();
  });

  it('draws another code when the one drawn is live', async () => {
    const { commands, stop } = setUp();
    const codes = ['123456', '123456', '654321'];
    const won = await commands.create(
      () => ({ ...active(), id: `session-${2 + codes.length}`, code: codes.shift()! }),
      () => [],
      [],
    );
    stop();
    expect(won.session.code).toBe('654321');
  });
});
