import { ErrorCode } from '../../src/protocol/codes';
import { eventually } from '../helpers/eventually';
import { dropSchema, freshSchema, postgresConfig } from '../helpers/postgres';
import { dropKeys, redisClient, testKeyPrefix, testRedisSettings, TEST_REDIS_URL } from '../helpers/redis';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy';
import { devToken, startServer, type RunningServer } from '../helpers/testServer';
import { inviteTokenOf, TestClient } from '../helpers/wsClient';

/* Shared sessions while one instance loses Redis, and after it is back, without a restart. Instance A reaches Redis
 * through a proxy the test cuts; B directly. A session command on A is refused with `unavailable` (its socket stays,
 * nothing changed); a socket that closes on A meanwhile is marked away once Redis is back (its peer on B is told); and
 * the same command succeeds then. */

jest.setTimeout(60_000);

const prefix = testKeyPrefix();
const schema = freshSchema();
const inspector = redisClient();
let proxy: TcpProxy;
let a: RunningServer;
let b: RunningServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  const redis = new URL(TEST_REDIS_URL);
  proxy = await startTcpProxy(redis.hostname, Number(redis.port || 6379));
  a = await startServer({
    redis: testRedisSettings(prefix, `redis://${redis.hostname}:${proxy.port}${redis.pathname}`),
    store: postgresConfig(schema),
  });
  b = await startServer({ redis: testRedisSettings(prefix), store: postgresConfig(schema) });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await a?.stop();
  await b?.stop();
  await proxy?.close();
  await dropKeys(inspector, prefix);
  inspector.disconnect();
  await dropSchema(schema);
});

async function connect(server: RunningServer): Promise<TestClient> {
  const client = await TestClient.connect(server.wsUrl);
  clients.push(client);
  return client;
}

const readiness = async (server: RunningServer) => (await fetch(`${server.baseUrl}/readyz`)).status;

describe('shared sessions while an instance loses Redis', () => {
  it('refuses session commands clearly meanwhile, keeps the socket, and catches up when Redis is back', async () => {
    const token = await devToken(b);
    const visitor = await connect(a);
    visitor.send({ type: 'visitor.start' });
    const created = await visitor.next('session.created');
    const agent = await connect(b);
    agent.send({ type: 'agent.join', token, code: created.code });
    const agentId = (await agent.next('session.joined')).self.id;
    await visitor.next('peer.joined');
    agent.send({ type: 'guest.invite.create' });
    const invite = inviteTokenOf(await agent.next('guest.invite'));
    const guest = await connect(a);
    guest.send({ type: 'guest.request', invite, name: 'Gil' });
    agent.send({ type: 'guest.admit', code: (await guest.next('guest.code')).code });
    const guestId = (await guest.next('session.joined')).self.id;
    await agent.next('peer.joined');

    proxy.cut();
    await eventually(
      () => readiness(a),
      (s) => s === 503,
      'A to be unready',
    );
    // A command on A can't be decided without Redis: refused, not half done, and the socket stays.
    visitor.send({ type: 'media.set', video: false });
    expect(await visitor.next('error', 5_000)).toMatchObject({
      code: ErrorCode.Unavailable,
      inReplyTo: 'media.set',
      retryAfterSeconds: 1,
    });
    expect(visitor.closeInfo).toBeUndefined();
    // The guest's socket on A goes while Redis is away: nobody can be told yet.
    guest.close();
    await a.closeHandled(guest);

    proxy.restore();
    await eventually(
      () => readiness(a),
      (s) => s === 200,
      'A to be ready again',
      15_000,
    );
    // Once A is back, the guest it lost meanwhile is marked away: the agent on B is told.
    expect(await agent.next('peer.away', 10_000)).toEqual({ type: 'peer.away', peerId: guestId });
    visitor.send({ type: 'media.set', video: false });
    expect(await agent.next('peer.media', 5_000)).toMatchObject({ peerId: created.self.id, media: { video: false } });
    // The visitor's own session is whole: A follows it again and relays to B.
    const frame = JSON.stringify({
      type: 'signal',
      from: created.self.id,
      to: agentId,
      gen: 1,
      data: { type: 'renegotiate', renegotiate: true },
    });
    visitor.sendRaw(frame);
    expect(await agent.nextRaw('signal')).toBe(frame);
  });

  it('puts back the sessions Redis lost (as when it restarts empty) from the instances that follow them, and the call goes on', async () => {
    const token = await devToken(b);
    const visitor = await connect(a);
    visitor.send({ type: 'visitor.start' });
    const created = await visitor.next('session.created');
    const agent = await connect(b);
    agent.send({ type: 'agent.join', token, code: created.code });
    const agentJoined = await agent.next('session.joined');
    const agentId = agentJoined.self.id;
    await visitor.next('peer.joined');

    await dropKeys(inspector, prefix);
    // Each instance notices at its next heartbeat (its own entry is gone) and writes back what it holds.
    await eventually(
      () => inspector.hget(`${prefix}session:${created.sessionId}`, 'v'),
      (v) => v !== null,
      'the session to be put back',
      5_000,
      50,
    );
    agent.send({ type: 'media.set', video: true });
    expect(await visitor.next('peer.media', 5_000)).toMatchObject({ peerId: agentId, media: { video: true } });
    const frame = JSON.stringify({
      type: 'signal',
      from: agentId,
      to: created.self.id,
      gen: 1,
      data: { type: 'renegotiate', renegotiate: true },
    });
    agent.sendRaw(frame);
    expect(await visitor.nextRaw('signal')).toBe(frame);
    // Its lookups are back too: the agent's session is found by member, on either instance.
    expect(await inspector.get(`${prefix}session-member:${agentId}`)).toBe(created.sessionId);

    // And the members' resume tokens, from the instances holding their sockets: both drop and resume on the other one.
    await eventually(
      () => inspector.exists(`${prefix}resume:${agentJoined.resumeToken}`, `${prefix}resume:${created.resumeToken}`),
      (n) => n === 2,
      'the resume tokens to be put back',
      5_000,
      50,
    );
    visitor.close();
    agent.close();
    const visitorBack = await connect(b);
    visitorBack.send({ type: 'session.resume', resumeToken: created.resumeToken });
    expect(await visitorBack.next('session.joined')).toMatchObject({ resumed: true, self: { id: created.self.id } });
    const agentBack = await connect(a);
    agentBack.send({ type: 'session.resume', resumeToken: agentJoined.resumeToken });
    expect(await agentBack.next('session.joined')).toMatchObject({ resumed: true, self: { id: agentId } });
    const again = JSON.stringify({ ...JSON.parse(frame), data: { type: 'renegotiate', renegotiate: true } });
    agentBack.sendRaw(again);
    expect(await visitorBack.nextRaw('signal')).toBe(again);
  });
});
