import { Channels } from '../../src/bus/bus';
import { MemoryBus } from '../../src/bus/memoryBus';
import { endByAgent, leave, restartPair, type Session } from '../../src/sessions/model';
import { relayRoutesFrom, routeTo, type RelayRoute } from '../../src/sessions/relayRoutes';
import { T0, active, ok } from '../helpers/sessionFixtures';

const bus = new MemoryBus();
const routes = (session: Session, from: string) => relayRoutesFrom(session, from, (name) => bus.channel(name));
const summary = (route: RelayRoute | undefined) =>
  route && { to: route.to, channel: route.channel.name, gen: route.gen };

describe('relay routes', () => {
  it('route each member to every other member, on the peer channel, at the pair generation', () => {
    const s = active();
    expect(routes(s, 'visitor').map(summary)).toEqual([
      { to: 'agent', channel: Channels.participant('agent'), gen: 1 },
    ]);
    expect(routes(s, 'agent').map(summary)).toEqual([
      { to: 'visitor', channel: Channels.participant('visitor'), gen: 1 },
    ]);
    expect(routeTo(routes(s, 'visitor'), 'agent')?.to).toBe('agent');
  });

  it('have no route to oneself, to or from a stranger, or in an ended session', () => {
    const s = active();
    expect(routeTo(routes(s, 'visitor'), 'visitor')).toBeUndefined();
    expect(routeTo(routes(s, 'visitor'), 'stranger')).toBeUndefined();
    expect(routes(s, 'stranger')).toEqual([]);
    expect(routes(ok(endByAgent(s, 'agent', T0 + 2)), 'visitor')).toEqual([]);
  });

  it('follow the session state: a restarted pair gets the new generation, a member who left loses their routes', () => {
    const s = active();
    const restarted = ok(restartPair(s, 'agent', 'visitor'));
    expect(routeTo(routes(restarted, 'agent'), 'visitor')?.gen).toBe(2);
    expect(routeTo(routes(restarted, 'visitor'), 'agent')?.gen).toBe(2);
    expect(routeTo(routes(s, 'agent'), 'visitor')?.gen).toBe(1);
    const left = ok(leave(restarted, 'agent', T0 + 3));
    expect(routeTo(routes(left, 'visitor'), 'agent')).toBeUndefined();
  });
});
