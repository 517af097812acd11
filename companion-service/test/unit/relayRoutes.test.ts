import { Channels } from '../../src/bus/bus';
import { LeaveReason } from '../../src/protocol/codes';
import { signalPrefix, withSignalPrefix } from '../../src/protocol/signalRelay';
import { admitAgent, createSession, endByAgent, leave, restartPair, type Outcome, type Session } from '../../src/sessions/model';
import { RelayRoutes } from '../../src/sessions/relayRoutes';

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

describe('relay routes', () => {
  it('route each member to every other member, on the peer channel, at the pair generation', () => {
    const routes = new RelayRoutes();
    const s = active();
    expect(routes.route(s, 'visitor-1', 'agent-1')).toEqual({ to: 'agent-1', channel: Channels.participant('agent-1'), gen: 1, prefix: signalPrefix('visitor-1') });
    expect(routes.route(s, 'agent-1', 'visitor-1')).toEqual({ to: 'visitor-1', channel: Channels.participant('visitor-1'), gen: 1, prefix: signalPrefix('agent-1') });
  });

  it('have no route to oneself, to or from a stranger, or in an ended session', () => {
    const routes = new RelayRoutes();
    const s = active();
    expect(routes.route(s, 'visitor-1', 'visitor-1')).toBeUndefined();
    expect(routes.route(s, 'visitor-1', 'stranger')).toBeUndefined();
    expect(routes.route(s, 'stranger', 'agent-1')).toBeUndefined();
    expect(routes.route(okSession(endByAgent(s, 'agent-1', T0 + 2)), 'visitor-1', 'agent-1')).toBeUndefined();
  });

  it('follow the session state: a restarted pair gets the new generation, a member who left loses their routes', () => {
    const routes = new RelayRoutes();
    const s = active();
    expect(routes.route(s, 'agent-1', 'visitor-1')?.gen).toBe(1); // the table for `s` is now built
    const restarted = okSession(restartPair(s, 'agent-1', 'visitor-1'));
    expect(routes.route(restarted, 'agent-1', 'visitor-1')?.gen).toBe(2);
    expect(routes.route(restarted, 'visitor-1', 'agent-1')?.gen).toBe(2);
    expect(routes.route(s, 'agent-1', 'visitor-1')?.gen).toBe(1); // the old state's table is unchanged
    const left = okSession(leave(restarted, 'agent-1', LeaveReason.Hangup, T0 + 3));
    expect(routes.route(left, 'visitor-1', 'agent-1')).toBeUndefined();
  });
});

describe('the relayed signal frame', () => {
  it('is the sender frame with the server-set from first, whatever whitespace came before the brace', () => {
    const frame = Buffer.from(' \n{"type":"signal","to":"agent-1","gen":1,"data":{"type":"offer","sdp":"v=0 é"}}');
    const relayed = withSignalPrefix(signalPrefix('visitor-1'), frame).toString();
    expect(JSON.parse(relayed)).toEqual({ from: 'visitor-1', type: 'signal', to: 'agent-1', gen: 1, data: { type: 'offer', sdp: 'v=0 é' } });
    expect(relayed.startsWith('{"from":"visitor-1","type":"signal"')).toBe(true);
  });
});
