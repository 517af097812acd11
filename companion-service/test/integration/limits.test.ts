import { CloseCode, ErrorCode } from '../../src/protocol/codes';
import { eventually } from '../helpers/eventually';
import { devToken, startServer, type RunningServer } from '../helpers/testServer';
import { startCall, TestClient } from '../helpers/wsClient';

const servers: RunningServer[] = [];
const clients: TestClient[] = [];
async function server(overrides: Parameters<typeof startServer>[0]) {
  const s = await startServer(overrides);
  servers.push(s);
  return s;
}
async function connect(s: RunningServer) {
  const c = await TestClient.connect(s.wsUrl);
  clients.push(c);
  return c;
}
async function visitorCode(s: RunningServer) {
  const v = await connect(s);
  v.send({ type: 'visitor.start' });
  return { visitor: v, created: await v.next('session.created') };
}
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.stop();
});

describe('wrong-key limits', () => {
  it('stops an agent after too many wrong keys, even for the right key, and says when to retry', async () => {
    const s = await server({ joinAttempts: { perAgent: 3, perIp: 100, windowSeconds: 60 } });
    const token = await devToken(s);
    const { created, visitor } = await visitorCode(s);
    const agent = await connect(s);
    const wrong = created.code === '999999' ? '999998' : '999999';
    for (let i = 0; i < 3; i++) {
      agent.send({ type: 'agent.join', token, code: wrong });
      expect((await agent.next('error')).code).toBe(ErrorCode.InvalidCode);
    }
    agent.send({ type: 'agent.join', token, code: created.code });
    const limited = await agent.next('error');
    expect(limited.code).toBe(ErrorCode.RateLimited);
    expect(limited.retryAfterSeconds).toBeGreaterThan(50);
    await visitor.nothing('peer.joined', { after: agent });
    // Another agent from the same address is not affected by this agent's count.
    const other = await connect(s);
    other.send({ type: 'agent.join', token: await devToken(s, 'Bo'), code: created.code });
    await other.next('session.joined');
  });

  it('holds back, once an address has had too many wrong keys, the agents there who failed, over WebSocket and HTTP', async () => {
    const s = await server({ joinAttempts: { perAgent: 100, perIp: 2, windowSeconds: 60 } });
    const { created } = await visitorCode(s);
    const agent = await connect(s);
    const wrong = created.code === '999999' ? '999998' : '999999';
    const tokenA = await devToken(s, 'A');
    for (const token of [tokenA, await devToken(s, 'B')]) {
      agent.send({ type: 'agent.join', token, code: wrong });
      expect((await agent.next('error')).code).toBe(ErrorCode.InvalidCode);
    }
    // A, who failed, now waits, whichever way it asks.
    agent.send({ type: 'agent.join', token: tokenA, code: created.code });
    expect((await agent.next('error')).code).toBe(ErrorCode.RateLimited);
    const response = await fetch(`${s.baseUrl}/api/agent/console-tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenA}` },
      body: JSON.stringify({ code: created.code }),
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    // C, at the same address, never failed: the right key works (test/security/wrongCodes.test.ts has more).
    agent.send({ type: 'agent.join', token: await devToken(s, 'C'), code: created.code });
    expect((await agent.next('session.joined')).self.role).toBe('agent');
  });
});

describe('expired keys', () => {
  it('refuses an expired key and ends the waiting session', async () => {
    const s = await server({ session: { codeTtlSeconds: 1 } });
    const token = await devToken(s);
    const { created, visitor } = await visitorCode(s);
    expect((await visitor.next('session.ended', 3000)).reason).toBe('code_expired');
    expect((await visitor.closed()).code).toBe(CloseCode.SessionEnded);
    const agent = await connect(s);
    agent.send({ type: 'agent.join', token, code: created.code });
    expect((await agent.next('error')).code).toBe(ErrorCode.InvalidCode);
    expect(await s.store.getSession(created.sessionId)).toMatchObject({ status: 'ended', endReason: 'code_expired' });
  });
});

describe('message rate', () => {
  it('answers excess messages with rate_limited and keeps the socket and session', async () => {
    const s = await server({ socket: { messagesPerSecond: 5, burst: 10, violationsBeforeClose: 100 } });
    const token = await devToken(s);
    const { visitor, agent, visitorId, agentId } = await startCall(s.wsUrl, token);
    clients.push(visitor, agent);
    const data = { type: 'candidate' as const, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } };
    for (let i = 0; i < 20; i++) visitor.send({ type: 'signal', from: visitorId, to: agentId, gen: 1, data });
    // Each signal is either relayed to the agent or refused to the visitor. (No probe yet: it would be refused too.)
    const relayedNow = () => agent.received.filter((m) => m.type === 'signal').length;
    const refusedNow = () =>
      visitor.received.filter((m) => m.type === 'error' && m.code === ErrorCode.RateLimited).length;
    const either = () => Promise.race([agent.changed(), visitor.changed()]);
    await eventually(
      () => relayedNow() + refusedNow(),
      (n) => n >= 20,
      'each signal relayed or refused',
      3000,
      either,
    );
    const relayed = relayedNow();
    expect(relayed).toBeGreaterThanOrEqual(8); // the burst of 10, less the two messages spent joining
    expect(relayed).toBeLessThan(20);
    // The bucket refills at 5 a second: a real second, which is the scenario.
    await new Promise((r) => setTimeout(r, 1000));
    visitor.send({ type: 'signal', from: visitorId, to: agentId, gen: 1, data });
    await visitor.probe();
    await agent.probe();
    expect(relayedNow()).toBe(relayed + 1);
    expect(refusedNow()).toBe(20 - relayed);
    expect(visitor.closeInfo).toBeUndefined();
    expect(agent.received.some((m) => m.type === 'peer.away')).toBe(false);
    expect(visitorId).toBeTruthy();
  });

  it('closes a socket that keeps abusing the limit with a policy-violation code', async () => {
    const s = await server({ socket: { messagesPerSecond: 5, burst: 5, violationsBeforeClose: 10 } });
    const abuser = await connect(s);
    for (let i = 0; i < 40; i++) abuser.sendRaw('garbage');
    expect((await abuser.closed()).code).toBe(CloseCode.PolicyViolation);
  });
});
