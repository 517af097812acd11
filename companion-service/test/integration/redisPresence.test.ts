import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServiceProcess, type ServiceProcess } from '../../scripts/serviceProcess';
import { eventually } from '../helpers/eventually';
import { dropKeys, redisClient, testKeyPrefix, TEST_REDIS_URL } from '../helpers/redis';
import { TestClient } from '../helpers/wsClient';

/* Presence across instances: two services, each its own process, sharing one Redis (and nothing else: each has its
 * own database). A visitor's tab on instance A is online for an agent on instance B, through the socket and the HTTP
 * presence endpoint alike; when A is killed (no shutdown at all), B reports the visitor offline within a few seconds
 * (redis.instanceTtlSeconds is 2 here), and the keys A left behind are cleared. */

jest.setTimeout(60_000);

const prefix = testKeyPrefix();
const inspector = redisClient();
const dir = mkdtempSync(path.join(tmpdir(), 'tandem-redis-presence-'));
const running: ServiceProcess[] = [];
const clients: TestClient[] = [];
/** Never in any log, though it is in the URL B is given (this Redis asks for no password, and ignores it). */
const PASSWORD = 'never-logged-redis-password';

afterAll(async () => {
  for (const c of clients) c.close();
  for (const service of running) await service.kill();
  await dropKeys(inspector, prefix);
  inspector.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

async function instance(name: string, url = TEST_REDIS_URL): Promise<ServiceProcess> {
  const started = await startServiceProcess({
    TANDEM_REDIS_URL: url,
    TANDEM_REDIS_KEY_PREFIX: prefix,
    TANDEM_REDIS_INSTANCE_TTL_SECONDS: '2',
    TANDEM_SQLITE_PATH: path.join(dir, `${name}.db`),
    TANDEM_LOG_LEVEL: 'info',
  });
  running.push(started);
  return started;
}

async function connect(server: ServiceProcess): Promise<TestClient> {
  const client = await TestClient.connect(server.wsUrl);
  clients.push(client);
  return client;
}

async function visitorTab(server: ServiceProcess, visitorId: string): Promise<TestClient> {
  const minted = await fetch(`${server.baseUrl}/api/visitor-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tandem-site-key': 'demo-site-api-key-for-local-use-only' },
    body: JSON.stringify({ visitorId }),
  });
  const { token } = (await minted.json()) as { token: string };
  const tab = await connect(server);
  tab.send({ type: 'visitor.hello', visitorToken: token });
  await tab.next('presence.registered');
  return tab;
}

async function agentToken(server: ServiceProcess): Promise<string> {
  const response = await fetch(`${server.baseUrl}/api/dev/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"name":"Ana Agent"}',
  });
  return ((await response.json()) as { token: string }).token;
}

async function onlineOverHttp(server: ServiceProcess, token: string, visitorId: string): Promise<boolean> {
  const response = await fetch(`${server.baseUrl}/api/agent/presence/${visitorId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { online: boolean }).online;
}

describe('presence shared through Redis', () => {
  let a: ServiceProcess;
  let b: ServiceProcess;
  let token: string;
  beforeAll(async () => {
    const redis = new URL(TEST_REDIS_URL);
    [a, b] = await Promise.all([instance('a'), instance('b', `redis://:${PASSWORD}@${redis.host}${redis.pathname}`)]);
    token = await agentToken(b);
  });

  it('shows a visitor whose tab is on one instance online to an agent on another, and offline once the tab closes', async () => {
    const agent = await connect(b);
    agent.send({ type: 'agent.watch', token, visitorIds: ['003CLOSES'] });
    expect(await agent.next('presence')).toEqual({ type: 'presence', visitorId: '003CLOSES', online: false });

    const tab = await visitorTab(a, '003CLOSES');
    expect(await agent.next('presence')).toEqual({ type: 'presence', visitorId: '003CLOSES', online: true });
    expect(await onlineOverHttp(b, token, '003CLOSES')).toBe(true);

    tab.close();
    expect(await agent.next('presence')).toEqual({ type: 'presence', visitorId: '003CLOSES', online: false });
    expect(await onlineOverHttp(b, token, '003CLOSES')).toBe(false);
  });

  it('keeps a visitor online while a tab of theirs is on a live instance', async () => {
    await visitorTab(a, '003TWOTABS');
    const onB = await visitorTab(b, '003TWOTABS');
    expect(await onlineOverHttp(a, token, '003TWOTABS')).toBe(true);
    onB.close();
    // Closing one of two tabs changes nothing: asked again (after the close was handled), still online.
    await eventually(
      () => inspector.hlen(`${prefix}presence:demo/003TWOTABS`),
      (n) => n === 1,
      'the closed tab to be gone',
    );
    expect(await onlineOverHttp(b, token, '003TWOTABS')).toBe(true);
  });

  it('reports the visitors of a killed instance offline on the other within seconds, and clears what it left', async () => {
    const agent = await connect(b);
    agent.send({ type: 'agent.watch', token, visitorIds: ['003KILLED'] });
    expect((await agent.next('presence')).online).toBe(false);
    await visitorTab(a, '003KILLED');
    expect((await agent.next('presence')).online).toBe(true);
    expect(await onlineOverHttp(b, token, '003KILLED')).toBe(true);

    const aId = (await inspector.zrange(`${prefix}instances`, '0', '-1')).find(
      (id) => id.split(':')[1] === String(a.child.pid),
    )!;
    expect(await inspector.scard(`${prefix}instance:${aId}:visitors`)).toBeGreaterThan(0);
    await a.kill();
    const killedAt = Date.now();
    // The instance TTL is 2 s, checked every third of it: offline well within 5 s, told to the agent unasked.
    expect(await agent.next('presence', 5_000)).toEqual({ type: 'presence', visitorId: '003KILLED', online: false });
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(await onlineOverHttp(b, token, '003KILLED')).toBe(false);
    // The two-tab visitor of the previous test has their one tab left on A: offline too now.
    expect(await onlineOverHttp(b, token, '003TWOTABS')).toBe(false);

    // What A held is gone: its tabs, its list of visitors, its place among the live instances.
    await eventually(
      () => inspector.exists(`${prefix}instance:${aId}:visitors`),
      (n) => n === 0,
      "A's list of visitors to go",
    );
    expect(await inspector.exists(`${prefix}presence:demo/003KILLED`, `${prefix}presence:demo/003TWOTABS`)).toBe(0);
    expect((await inspector.zrange(`${prefix}instances`, '0', '-1')).map((id) => id.split(':')[1])).toEqual([
      String(b.child.pid),
    ]);
  });

  it('never logs the password in the Redis URL', () => {
    expect(b.log()).toContain('connected to Redis');
    expect(b.log()).not.toContain(PASSWORD);
  });
});
