import { Channels } from '../../src/bus/bus';
import { MemoryBus } from '../../src/bus/memoryBus';
import { LeaveReason } from '../../src/protocol/codes';
import { admitAgent, createSession, endByAgent, leave, restartPair, type Outcome, type Session } from '../../src/sessions/model';
import { relayRoutesFrom, routeTo, type RelayRoute } from '../../src/sessions/relayRoutes';

const RULES = { maxParticipants: 6, resumeGraceMs: 20_000 };
const T0 = 1_000_000;

function okSession(outcome: Outcome): Session {
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.code}`);
  return outcome.session;
}

function active(): Session {
  const waiting = createSession({ sessionId: 'session-1', participantId: 'visitor-1', code: '123456', now: T0, codeTtlMs: 600_000 });
  return okSession(admitAgent(waiting, { participantId: 'agent-1', identity: 'u1', name: 'Ana', privileges: [], now: T0 + 1 }, RULES));
}

const bus = new MemoryBus();
const routes = (session: Session, from: string) => relayRoutesFrom(session, from, (name) => bus.channel(name));
const summary = (route: RelayRoute | undefined) => route && { to: route.to, channel: route.channel.name, gen: route.gen };

describe('relay routes', () => {
  it('route each member to every other member, on the peer channel, at the pair generation', () => {
    const s = active();
    expect(routes(s, 'visitor-1').map(summary)).toEqual([{ to: 'agent-1', channel: Channels.participant('agent-1'), gen: 1 }]);
    expect(routes(s, 'agent-1').map(summary)).toEqual([{ to: 'visitor-1', channel: Channels.participant('visitor-1'), gen: 1 }]);
    expect(routeTo(routes(s, 'visitor-1'), 'agent-1')?.to).toBe('agent-1');
  });

  it('have no route to oneself, to or from a stranger, or in an ended session', () => {
    const s = active();
    expect(routeTo(routes(s, 'visitor-1'), 'visitor-1')).toBeUndefined();
    expect(routeTo(routes(s, 'visitor-1'), 'stranger')).toBeUndefined();
    expect(routes(s, 'stranger')).toEqual([]);
    expect(routes(okSession(endByAgent(s, 'agent-1', T0 + 2)), 'visitor-1')).toEqual([]);
  });

  it('follow the session state: a restarted pair gets the new generation, a member who left loses their routes', () => {
    const s = active();
    const restarted = okSession(restartPair(s, 'agent-1', 'visitor-1'));
    expect(routeTo(routes(restarted, 'agent-1'), 'visitor-1')?.gen).toBe(2);
    expect(routeTo(routes(restarted, 'visitor-1'), 'agent-1')?.gen).toBe(2);
    expect(routeTo(routes(s, 'agent-1'), 'visitor-1')?.gen).toBe(1);
    const left = okSession(leave(restarted, 'agent-1', LeaveReason.Hangup, T0 + 3));
    expect(routeTo(routes(left, 'visitor-1'), 'agent-1')).toBeUndefined();
  });
});
