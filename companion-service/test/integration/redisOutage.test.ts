import { eventually } from '../helpers/eventually';
import { dropKeys, redisClient, testKeyPrefix, testRedisSettings, TEST_REDIS_URL } from '../helpers/redis';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy';
import { devToken, startServer, type RunningServer } from '../helpers/testServer';
import { startCall, TestClient } from '../helpers/wsClient';

/* An instance that loses Redis, and gets it back, without a restart. Instance A reaches Redis through a proxy the test
 * cuts; instance B reaches it directly. While Redis is away A is not ready (/readyz 503), its own sessions go on (its
 * bus delivers in-process), it refuses what it can't answer truthfully (presence, wrong-key counts: 503), and it still
 * takes a visitor's tab. When Redis is back, A is ready again without a restart, Redis learns the tab it took
 * meanwhile (an agent on B is told the visitor is online), and A's subscriptions are back (B's invitation reaches the
 * tab on A). */

jest.setTimeout(30_000);

const prefix = testKeyPrefix();
const inspector = redisClient();
let proxy: TcpProxy;
let a: RunningServer;
let b: RunningServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  const redis = new URL(TEST_REDIS_URL);
  proxy = await startTcpProxy(redis.hostname, Number(redis.port || 6379));
  [a, b] = await Promise.all([
    startServer({ redis: testRedisSettings(prefix, `redis://${redis.hostname}:${proxy.port}${redis.pathname}`) }),
    startServer({ redis: testRedisSettings(prefix) }),
  ]);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await a?.stop();
  await b?.stop();
  await proxy?.close();
  await dropKeys(inspector, prefix);
  inspector.disconnect();
});

const readiness = async (server: RunningServer) => {
  const response = await fetch(`${server.baseUrl}/readyz`);
  return `${response.status} ${((await response.json()) as { status: string }).status}`;
};

async function visitorToken(server: RunningServer, visitorId: string): Promise<string> {
  const minted = await fetch(`${server.baseUrl}/api/visitor-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tandem-site-key': 'demo-site-api-key-for-local-use-only' },
    body: JSON.stringify({ visitorId }),
  });
  return ((await minted.json()) as { token: string }).token;
}

async function connect(server: RunningServer): Promise<TestClient> {
  const client = await TestClient.connect(server.wsUrl);
  clients.push(client);
  return client;
}

describe('an instance that loses Redis', () => {
  it('is not ready meanwhile, keeps its own sessions going, and is whole again when Redis is back', async () => {
    const token = await devToken(b);
    expect(await readiness(a)).toBe('200 ready');
    const call = await startCall(a.wsUrl, token);
    clients.push(call.visitor, call.agent);
    const watcher = await connect(b);
    watcher.send({ type: 'agent.watch', token, visitorIds: ['003OUTAGE'] });
    expect((await watcher.next('presence')).online).toBe(false);
    const tabToken = await visitorToken(a, '003OUTAGE');

    proxy.cut();
    expect(
      await eventually(
        () => readiness(a),
        (r) => r.startsWith('503'),
        'A to be unready',
      ),
    ).toBe('503 redis unavailable');
    expect(await readiness(b)).toBe('200 ready');

    // A session on A goes on: signals are relayed in-process.
    const signal = {
      type: 'signal',
      from: call.visitorId,
      to: call.agentId,
      gen: 1,
      data: { type: 'renegotiate', renegotiate: true },
    } as const;
    call.visitor.send(signal);
    expect(await call.agent.next('signal')).toEqual(signal);
    // What needs Redis to be answered truthfully is refused.
    const presence = await fetch(`${a.baseUrl}/api/agent/presence/003OUTAGE`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(presence.status).toBe(503);
    const ticket = await fetch(`${a.baseUrl}/api/agent/console-tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: '000000' }),
    });
    expect(ticket.status).toBe(503);
    // A visitor's tab is taken all the same; Redis hears of it later.
    const tab = await connect(a);
    tab.send({ type: 'visitor.hello', visitorToken: tabToken });
    await tab.next('presence.registered');

    proxy.restore();
    expect(
      await eventually(
        () => readiness(a),
        (r) => r.startsWith('200'),
        'A to be ready again',
        15_000,
      ),
    ).toBe('200 ready');
    // A wrote the tab it took meanwhile; B's agent is told without asking.
    expect(await watcher.next('presence', 5_000)).toEqual({ type: 'presence', visitorId: '003OUTAGE', online: true });
    // A subscribed again: B's invitation reaches the tab on A.
    const invited = await fetch(`${b.baseUrl}/api/agent/invitations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ visitorId: '003OUTAGE' }),
    });
    expect(invited.status).toBe(201);
    expect((await tab.next('terms.prompt')).agentName).toBe('Ana Agent');
  });
});
