import { startServiceProcess, type ServiceProcess } from '../../scripts/serviceProcess';
import { CloseCode } from '../../src/protocol/codes';
import { eventually } from '../helpers/eventually';
import { dropSchema, freshSchema, sql, TEST_DATABASE_URL } from '../helpers/postgres';
import { dropKeys, redisClient, testKeyPrefix, TEST_REDIS_URL } from '../helpers/redis';
import { TestClient } from '../helpers/wsClient';

/* Instances that go away, as real processes sharing one Redis prefix and one PostgreSQL schema: killed (no shutdown at
 * all) or stopped for a deploy (SIGTERM). The sessions they held go on: their members resume on another instance with
 * their tokens, a member who never comes back is marked away by the instance that clears up after the dead one (their
 * grace period runs), and a session's clock (an unused code) fires on another instance, once, on time. */

jest.setTimeout(120_000);

const OFFER = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n' };
const prefix = testKeyPrefix();
const schema = freshSchema();
const inspector = redisClient();
const running: ServiceProcess[] = [];
const clients: TestClient[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  for (const service of running) await service.kill();
  await dropKeys(inspector, prefix);
  inspector.disconnect();
  await dropSchema(schema);
});

async function instance(env: Record<string, string> = {}): Promise<ServiceProcess> {
  const started = await startServiceProcess({
    TANDEM_REDIS_URL: TEST_REDIS_URL,
    TANDEM_REDIS_KEY_PREFIX: prefix,
    TANDEM_REDIS_INSTANCE_TTL_SECONDS: '2',
    TANDEM_DATABASE_URL: TEST_DATABASE_URL,
    TANDEM_DATABASE_SCHEMA: schema,
    TANDEM_DATABASE_POOL_SIZE: '3',
    ...env,
  });
  running.push(started);
  return started;
}

async function connect(service: ServiceProcess): Promise<TestClient> {
  const client = await TestClient.connect(service.wsUrl);
  clients.push(client);
  return client;
}

async function agentToken(service: ServiceProcess): Promise<string> {
  const response = await fetch(`${service.baseUrl}/api/dev/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"name":"Ana Agent"}',
  });
  return ((await response.json()) as { token: string }).token;
}

/** A visitor and an agent, both on `on`. */
async function callOn(on: ServiceProcess) {
  const visitor = await connect(on);
  visitor.send({ type: 'visitor.start' });
  const created = await visitor.next('session.created', 10_000);
  const agent = await connect(on);
  agent.send({ type: 'agent.join', token: await agentToken(on), code: created.code });
  const joined = await agent.next('session.joined', 10_000);
  await visitor.next('peer.joined', 10_000);
  return {
    visitor,
    agent,
    sessionId: created.sessionId,
    visitorId: created.self.id,
    agentId: joined.self.id,
    tokens: { visitor: created.resumeToken, agent: joined.resumeToken },
  };
}

/** Resumes on `on` with the token; the new socket, and its session.joined. */
async function resumeOn(on: ServiceProcess, resumeToken: string) {
  const socket = await connect(on);
  socket.send({ type: 'session.resume', resumeToken });
  return { socket, joined: await socket.next('session.joined', 10_000) };
}

const version = async (sessionId: string) => {
  const state = await inspector.hget(`${prefix}session:${sessionId}`, 's');
  return state === null ? undefined : (JSON.parse(state) as { version: number }).version;
};
const events = async (sessionId: string) =>
  (await sql<{ kind: string }>(schema, 'SELECT kind FROM events WHERE session_id = $1 ORDER BY seq', [sessionId])).map(
    (r) => r.kind,
  );

describe('an instance that goes away', () => {
  let a: ServiceProcess;
  let b: ServiceProcess;

  beforeAll(async () => {
    a = await instance({ TANDEM_RESUME_GRACE_SECONDS: '4' });
    b = await instance({ TANDEM_RESUME_GRACE_SECONDS: '4' });
  });

  it('killed: both members resume on another instance with their tokens, and the call goes on there', async () => {
    const call = await callOn(a);
    const before = (await version(call.sessionId))!;
    await a.kill();
    const visitor = await resumeOn(b, call.tokens.visitor);
    const agent = await resumeOn(b, call.tokens.agent);
    expect(visitor.joined).toMatchObject({ resumed: true, sessionId: call.sessionId, self: { id: call.visitorId } });
    expect(agent.joined).toMatchObject({ resumed: true, sessionId: call.sessionId, self: { id: call.agentId } });
    const frame = JSON.stringify({ type: 'signal', from: call.visitorId, to: call.agentId, gen: 1, data: OFFER });
    visitor.socket.sendRaw(frame);
    expect(await agent.socket.nextRaw('signal')).toBe(frame);
    // The session goes on from where it was: its version counts on, nothing it recorded is lost.
    agent.socket.send({ type: 'media.set', video: true });
    await visitor.socket.next('peer.media');
    expect(await version(call.sessionId)).toBeGreaterThan(before);
    expect(await events(call.sessionId)).toEqual(['session.created', 'agent.joined', 'video.on']);
    // They came back before the dead instance was cleared up after: nobody is marked away for it.
    const killed = `:${a.child.pid}:`;
    await eventually(
      () => inspector.zrange(`${prefix}instances`, '0', '-1'),
      (ids) => !ids.some((id) => id.includes(killed)),
      'A to be cleared up after',
      10_000,
    );
    await agent.socket.probe();
    expect(agent.socket.received.some((m) => m.type === 'peer.away')).toBe(false);
    expect(await events(call.sessionId)).not.toContain('participant.away');
    a = await instance({ TANDEM_RESUME_GRACE_SECONDS: '4' });
  });

  it('killed: a member who never comes back is marked away by the instance that clears up, and lost after the grace period', async () => {
    const call = await callOn(a);
    await a.kill();
    const visitor = await resumeOn(b, call.tokens.visitor);
    const killedAt = Date.now();
    // The instance TTL is 2 s, checked every third of it.
    expect(await visitor.socket.next('peer.away', 6_000)).toEqual({ type: 'peer.away', peerId: call.agentId });
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    // The agent's grace period (4 s) runs out: the session ends, as it would had the agent's socket dropped.
    expect(await visitor.socket.next('session.ended', 8_000)).toEqual({ type: 'session.ended', reason: 'agent_lost' });
    await eventually(
      () => events(call.sessionId),
      (kinds) => kinds.includes('session.ended'),
      'the end to be recorded',
    );
    expect((await events(call.sessionId)).filter((k) => k === 'participant.away' || k === 'session.ended')).toEqual([
      'participant.away',
      'session.ended',
    ]);
    a = await instance({ TANDEM_RESUME_GRACE_SECONDS: '4' });
  });

  it('killed: an unused code runs out on another instance, within a second of its time, once', async () => {
    const short = await instance({ TANDEM_CODE_TTL_SECONDS: '3', TANDEM_RESUME_GRACE_SECONDS: '60' });
    const visitor = await connect(short);
    visitor.send({ type: 'visitor.start' });
    const created = await visitor.next('session.created', 10_000);
    await short.kill();
    await eventually(
      () => events(created.sessionId),
      (kinds) => kinds.includes('session.ended'),
      'the code to run out',
      10_000,
      100,
    );
    const [row] = await sql<{ status: string; end_reason: string; ended_at: string }>(
      schema,
      'SELECT status, end_reason, ended_at FROM sessions WHERE id = $1',
      [created.sessionId],
    );
    expect(row).toMatchObject({ status: 'ended', end_reason: 'code_expired' });
    const late = Number(row!.ended_at) - created.codeExpiresAt;
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1_000);
    // Once: a second look after the leases of any other claim have run out finds one ending.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await events(created.sessionId)).filter((k) => k === 'session.ended')).toHaveLength(1);
    expect(await inspector.zscore(`${prefix}session-timers`, created.sessionId)).toBeNull();
  });

  it('stopped for a deploy (SIGTERM): not ready while it drains, closes its sockets with 1012, ends no session; its members resume elsewhere', async () => {
    const leaving = await instance({ TANDEM_SHUTDOWN_DRAIN_SECONDS: '2' });
    const call = await callOn(leaving);
    expect((await fetch(`${leaving.baseUrl}/readyz`)).status).toBe(200);
    const exited = leaving.stop();
    await eventually(
      () =>
        fetch(`${leaving.baseUrl}/readyz`).then(
          (r) => r.status,
          () => 0,
        ),
      (s) => s === 503,
      'the instance to answer 503 while it drains',
      2_000,
      50,
    );
    // Its sockets stay open through the drain, then close with Service Restart.
    expect((await call.visitor.closed(6_000)).code).toBe(CloseCode.ServiceRestart);
    expect((await call.agent.closed(1_000)).code).toBe(CloseCode.ServiceRestart);
    expect(call.visitor.received.some((m) => m.type === 'session.ended')).toBe(false);
    // The clients take their time to come back, within the instance's hand-over (2 s by default): it is not counted
    // dead before they are held elsewhere.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const visitor = await resumeOn(b, call.tokens.visitor);
    const agent = await resumeOn(b, call.tokens.agent);
    expect(visitor.joined.resumed && agent.joined.resumed).toBe(true);
    expect(await exited).toBe(0);
    const frame = JSON.stringify({ type: 'signal', from: call.agentId, to: call.visitorId, gen: 1, data: OFFER });
    agent.socket.sendRaw(frame);
    expect(await visitor.socket.nextRaw('signal')).toBe(frame);
    const [row] = await sql<{ status: string }>(schema, 'SELECT status FROM sessions WHERE id = $1', [call.sessionId]);
    expect(row!.status).toBe('active');
    // The instance that cleared up after the stopped one marked nobody away: both are back.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await events(call.sessionId)).not.toContain('participant.away');
    expect(await events(call.sessionId)).not.toContain('session.ended');
  });
});
