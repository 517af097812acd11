import { Channels, type BusPayload } from '../../src/bus/bus';
import { MemoryBus } from '../../src/bus/memoryBus';
import { LeaveReason } from '../../src/protocol/codes';
import { signalPrefix, withSignalPrefix } from '../../src/protocol/signalRelay';
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
const summary = (route: RelayRoute | undefined) => route && { to: route.to, channel: route.channel.name, gen: route.gen, prefix: route.prefix.toString() };

describe('relay routes', () => {
  it('route each member to every other member, on the peer channel, at the pair generation', () => {
    const s = active();
    expect(routes(s, 'visitor-1').map(summary)).toEqual([{ to: 'agent-1', channel: Channels.participant('agent-1'), gen: 1, prefix: signalPrefix('visitor-1').toString() }]);
    expect(routes(s, 'agent-1').map(summary)).toEqual([{ to: 'visitor-1', channel: Channels.participant('visitor-1'), gen: 1, prefix: signalPrefix('agent-1').toString() }]);
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

describe('a kept bus channel', () => {
  it('reaches whoever subscribes to the name now, also after the last subscriber left and a new one came', async () => {
    const local = new MemoryBus();
    const channel = local.channel('p:x');
    const first: BusPayload[] = [];
    const second: BusPayload[] = [];
    await channel.publish('nobody yet');
    const unsubscribe = await local.subscribe('p:x', (p) => first.push(p));
    await channel.publish('one');
    await unsubscribe();
    await channel.publish('gone');
    await local.subscribe('p:x', (p) => second.push(p));
    await channel.publish('two');
    expect([first, second]).toEqual([['one'], ['two']]);
    await local.close();
    await channel.publish('closed');
    expect(second).toEqual(['two']);
  });
});

describe('the relayed signal frame', () => {
  it('is the sender frame with the server-set from first, whatever whitespace came before the brace', () => {
    const frame = Buffer.from(' \n{"type":"signal","to":"agent-1","gen":1,"data":{"type":"offer","sdp":"v=0 é"}}');
    const relayed = withSignalPrefix(signalPrefix('visitor-1'), frame).toString();
    expect(JSON.parse(relayed)).toEqual({ from: 'visitor-1', type: 'signal', to: 'agent-1', gen: 1, data: { type: 'offer', sdp: 'v=0 é' } });
    expect(relayed.startsWith('{"from":"visitor-1","type":"signal"')).toBe(true);
  });

  it('keeps every relayed frame intact while later ones are built, and copes with more whitespace than the prefix is long', () => {
    const prefix = signalPrefix('visitor-1');
    const frames = Array.from({ length: 60 }, (_, i) =>
      Buffer.from(`${' '.repeat(i % 3 === 0 ? prefix.length + 5 : 0)}{"type":"signal","to":"agent-1","gen":1,"data":{"type":"offer","sdp":"${'x'.repeat(i * 97)}"}}`),
    );
    const relayed = frames.map((frame) => withSignalPrefix(prefix, frame));
    relayed.forEach((bytes, i) => {
      expect(JSON.parse(bytes.toString())).toEqual({ from: 'visitor-1', type: 'signal', to: 'agent-1', gen: 1, data: { type: 'offer', sdp: 'x'.repeat(i * 97) } });
    });
  });
});
