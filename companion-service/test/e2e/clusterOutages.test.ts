import { createHash } from 'node:crypto';
import { ErrorCode } from '../../src/protocol/codes';
import { clusterSuite, type ClusterInstance } from '../helpers/cluster';
import { agentToken, generation, oneClickCall, SignalPump, visitorTab, type WsCall } from '../helpers/clusterCalls';
import { eventuallyWithin } from '../helpers/eventually';
import { ResumingClient } from '../helpers/resumingClient';

/* Redis or PostgreSQL away in the middle of a call whose two members are on two different instances (the visitor on
 * A, the agent on B), for the whole cluster at once (both instances reach them through proxies the test cuts). What
 * test/integration/redisOutage.test.ts and postgresAway.test.ts show for one instance (readiness, presence, HTTP
 * answers, one instance's own sessions) is not repeated; this is what a call across instances does:
 * - Redis away: every instance answers /readyz 503; what the call asks that needs the shared state is refused with an
 *   error (never silently lost, never reported done); signals sent meanwhile are dropped, not delivered late; once
 *   Redis is back, without any restart, the same call carries on across the two instances: signals both ways, a
 *   change of state told to the other member, a new call set up across instances.
 * - Redis restarted (a redis-server of the test's own, killed and started again empty): the same instances, without a
 *   restart, are ready again and put the call's session back; it goes on across them, and new calls start.
 * - PostgreSQL away: every instance answers /readyz 503; the call's signals still flow across instances; a customer's
 *   acceptance of the terms (on A, for an agent on B) is refused with an error and the agent is never told the
 *   customer joined; once it is back, the same acceptance is taken, stored once, and the agent is told. */

jest.setTimeout(120_000);

// A short resume grace, so that a member wrongly taken for gone would be dropped (and the call ended) within the test.
const GRACE_SECONDS = 4;
const TTL_SECONDS = 2;
// A redis-server of the file's own, so that one test can restart it (empty, as Redis without persistence comes back).
const suite = clusterSuite({
  size: 2,
  browser: false,
  dedicatedRedis: true,
  env: { TANDEM_RESUME_GRACE_SECONDS: String(GRACE_SECONDS) },
});
const eventually = eventuallyWithin(20_000);
let a: ClusterInstance;
let b: ClusterInstance;
let token: string;
let customers = 0;
const nextCustomer = () => `003OUTAGE${String(++customers).padStart(7, '0')}`;

beforeAll(async () => {
  [a, b] = suite.cluster.instances as [ClusterInstance, ClusterInstance];
  token = await agentToken(suite.cluster.baseUrl);
});

// Whatever a test cut is back before the next one.
afterEach(async () => {
  const { cluster } = suite;
  cluster.restoreRedis();
  cluster.restorePostgres();
  await eventually(
    () => cluster.readiness(),
    (r) => Object.values(r).every((status) => status === '200 ready'),
    'every instance ready',
    30_000,
  );
  await cluster.serving();
});

/** A 1-click call with the visitor's socket on A and the agent's on B. */
async function callAcross(): Promise<WsCall> {
  const { cluster } = suite;
  const customerId = nextCustomer();
  await cluster.only(a);
  const tab = await visitorTab(cluster.baseUrl, cluster.wsUrl, customerId);
  await cluster.only(b);
  const call = await oneClickCall(cluster, token, customerId, tab);
  await cluster.spread();
  suite.track(call.visitor, call.agent);
  expect([cluster.byTag(call.visitor.tag!).name, cluster.byTag(call.agent.tag!).name]).toEqual([a.name, b.name]);
  return call;
}

/** A signal from one member to the other, with a marker in its candidate text. */
function signal(call: WsCall, from: 'visitor' | 'agent', marker: string) {
  const [sender, senderId, peerId] =
    from === 'visitor' ? [call.visitor, call.visitorId, call.agentId] : [call.agent, call.agentId, call.visitorId];
  const message = {
    type: 'signal',
    from: senderId,
    to: peerId,
    gen: generation(sender, peerId) ?? 1,
    data: { type: 'candidate', candidate: { candidate: `candidate:${marker} 1 udp 1 10.0.0.1 9 typ host` } },
  } as const;
  return { sender, message };
}

const signalsWith = (receiver: ResumingClient, marker: string) =>
  receiver.log.filter((e) => e.message.type === 'signal' && JSON.stringify(e.message).includes(`candidate:${marker} `));

async function exchange(call: WsCall, marker: string): Promise<void> {
  for (const from of ['visitor', 'agent'] as const) {
    const { sender, message } = signal(call, from, `${marker}-${from}`);
    expect(sender.send(message)).toBe(true);
    const receiver = from === 'visitor' ? call.agent : call.visitor;
    await eventually(
      () => signalsWith(receiver, `${marker}-${from}`).length,
      (n) => n === 1,
      `the ${from}'s signal "${marker}" across instances`,
      10_000,
      receiver.changed,
    );
  }
}

/** Sends a request with an id on the member's socket and returns the server's direct answer to it. */
async function ask(member: ResumingClient, message: Record<string, unknown>): Promise<{ type: string; code?: string }> {
  const id = `ask-${Math.random().toString(36).slice(2, 10)}`;
  expect(member.send({ ...message, id })).toBe(true);
  await member.probe(10_000);
  const answer = member.log.find((e) => (e.message as { replyTo?: string }).replyTo === id);
  return (answer?.message as { type: string; code?: string }) ?? { type: 'no answer' };
}

describe('Redis away in the middle of a call across instances', () => {
  it('refuses what needs it with an error, drops signals rather than delivering them late, and carries on without a restart', async () => {
    const { cluster } = suite;
    const call = await callAcross();
    await exchange(call, 'before');
    const tags = cluster.instances.map((i) => i.tag);

    cluster.cutRedis();
    await eventually(
      () => cluster.readiness(),
      (r) => r[a.name] === '503 redis unavailable' && r[b.name] === '503 redis unavailable',
      'both instances unready',
    );
    // A change of the call's state is refused with an error, not reported done: the other member is not told.
    const refused = await ask(call.agent, { type: 'media.set', video: true });
    expect(refused).toMatchObject({ type: 'error', code: ErrorCode.Unavailable });
    // Signals across instances can't be carried meanwhile.
    for (const from of ['visitor', 'agent'] as const) {
      const { sender, message } = signal(call, from, `away-${from}`);
      sender.send(message);
    }
    // A new session can't be started truthfully either.
    const starter = await clientOf(a);
    expect(await ask(starter, { type: 'visitor.start' })).toMatchObject({ type: 'error', code: ErrorCode.Unavailable });

    cluster.restoreRedis();
    await eventually(
      () => cluster.readiness(),
      (r) => r[a.name] === '200 ready' && r[b.name] === '200 ready',
      'both instances ready again',
      30_000,
    );
    // The same processes: nothing was restarted.
    expect(cluster.instances.map((i) => i.tag)).toEqual(tags);
    // The same call carries on: signals both ways, and a change of state reaches the other member.
    await exchange(call, 'after');
    // (media.set is answered only when refused.)
    expect(await ask(call.agent, { type: 'media.set', video: true })).toEqual({ type: 'no answer' });
    await call.visitor.next('peer.media', 10_000);
    // What was sent while Redis was away never arrived, not even late.
    expect([signalsWith(call.agent, 'away-visitor').length, signalsWith(call.visitor, 'away-agent').length]).toEqual([
      0, 0,
    ]);
    expect([call.visitor.all('session.ended'), call.agent.all('session.ended')]).toEqual([[], []]);
    // And a new call across instances works, once HAProxy's checks have seen the instances ready again (it answered
    // 503 itself when the call came within its rise interval).
    await cluster.serving();
    const fresh = await callAcross();
    await exchange(fresh, 'fresh');
  });
});

describe('Redis away for longer than the instance TTL', () => {
  it('takes no live instance for dead: the call across them is not marked away, and outlives the resume grace', async () => {
    const { cluster } = suite;
    const call = await callAcross();
    await exchange(call, 'before-long');
    const cutAt = Date.now();
    cluster.cutRedis();
    await eventually(
      () => cluster.readiness(),
      (r) => r[a.name] === '503 redis unavailable' && r[b.name] === '503 redis unavailable',
      'both instances unready',
    );
    // Away for longer than the instance TTL: when Redis is back, each instance finds the other's last beat too old.
    await eventually(
      () => Date.now(),
      (now) => now > cutAt + (TTL_SECONDS + 2) * 1000,
      'the outage to outlast the instance TTL',
      10_000,
      100,
    );
    cluster.restoreRedis();
    await eventually(
      () => cluster.readiness(),
      (r) => r[a.name] === '200 ready' && r[b.name] === '200 ready',
      'both instances ready again',
      30_000,
    );
    const restoredAt = Date.now();
    await exchange(call, 'after-long');
    // Past the resume grace: anyone marked away meanwhile would have been dropped, and the call ended with them.
    await eventually(
      () => Date.now(),
      (now) => now > restoredAt + (GRACE_SECONDS + 2) * 1000,
      'the resume grace to run out',
      15_000,
      200,
    );
    const told = (m: ResumingClient) =>
      m.log
        .filter((e) => ['peer.away', 'peer.left', 'session.ended'].includes(e.message.type))
        .map((e) => e.message.type);
    expect({
      visitor: told(call.visitor),
      agent: told(call.agent),
      open: [call.visitor.isOpen, call.agent.isOpen],
    }).toEqual({ visitor: [], agent: [], open: [true, true] });
    await Promise.all([call.visitor.probe(), call.agent.probe()]);
    expect({ visitor: told(call.visitor), agent: told(call.agent) }).toEqual({ visitor: [], agent: [] });
    await exchange(call, 'later');
    const [row] = await cluster.sql<{ status: string }>('SELECT status FROM sessions WHERE id = $1', [call.sessionId]);
    expect(row?.status).toBe('active');
  });
});

describe('Redis away from one instance for longer than the instance TTL', () => {
  it('its members are away for the others meanwhile, and back once it is: the call outlives the resume grace', async () => {
    const { cluster } = suite;
    const call = await callAcross();
    await exchange(call, 'before-partial');
    // Only the agent's instance (B) loses Redis: A rightly takes it for dead after the TTL, and tells the visitor the
    // agent is away (their signals could not get through meanwhile anyway).
    cluster.cutRedis('refuse', [b]);
    await call.visitor.next('peer.away', (TTL_SECONDS + 8) * 1000);
    cluster.restoreRedis([b]);
    await eventually(
      () => cluster.readiness(),
      (r) => r[b.name] === '200 ready',
      'B ready again',
      30_000,
    );
    // B's agent never left: their socket is still open on B, so they are back, and the visitor is told.
    expect((await call.visitor.next('peer.back', 10_000)).peerId).toBe(call.agentId);
    const restoredAt = Date.now();
    await exchange(call, 'after-partial');
    await eventually(
      () => Date.now(),
      (now) => now > restoredAt + (GRACE_SECONDS + 2) * 1000,
      'the resume grace to run out',
      15_000,
      200,
    );
    const told = (m: ResumingClient) =>
      m.log.filter((e) => ['peer.left', 'session.ended'].includes(e.message.type)).map((e) => e.message.type);
    expect({
      visitor: told(call.visitor),
      agent: told(call.agent),
      open: [call.visitor.isOpen, call.agent.isOpen],
    }).toEqual({ visitor: [], agent: [], open: [true, true] });
    await exchange(call, 'later-partial');
  });
});

describe('Redis restarted in the middle of a call across instances', () => {
  it('is not ready while Redis is down, then the same instances put the call back: it goes on, and new calls start', async () => {
    const { cluster } = suite;
    const call = await callAcross();
    await exchange(call, 'before-restart');
    const tags = cluster.instances.map((i) => i.tag);
    const runId = async () => /run_id:(\w+)/.exec(await cluster.redis.info('server'))?.[1];
    const before = await runId();
    await cluster.stopRedis();
    await eventually(
      () => cluster.readiness(),
      (r) => r[a.name] === '503 redis unavailable' && r[b.name] === '503 redis unavailable',
      'both instances unready',
    );
    await cluster.startRedis();
    // Another redis-server, started empty (no persistence).
    expect(
      await eventually(
        () => runId().catch(() => undefined),
        (id) => id !== undefined,
        'the new redis-server answering',
        5_000,
        50,
      ),
    ).not.toBe(before);
    await eventually(
      () => cluster.readiness(),
      (r) => r[a.name] === '200 ready' && r[b.name] === '200 ready',
      'both instances ready again',
      30_000,
    );
    expect(cluster.instances.map((i) => i.tag)).toEqual(tags);
    // The instances that follow the session wrote it back; the call carries on across them.
    await eventually(
      () => cluster.redis.hget(`${cluster.keyPrefix}session:${call.sessionId}`, 'v'),
      (v) => v !== null,
      'the session put back',
      10_000,
      100,
    );
    await exchange(call, 'after-restart');
    expect(await ask(call.agent, { type: 'media.set', video: true })).toEqual({ type: 'no answer' });
    expect((await call.visitor.next('peer.media', 10_000)).peerId).toBe(call.agentId);
    expect([call.visitor.all('session.ended'), call.agent.all('session.ended')]).toEqual([[], []]);
    await cluster.serving();
    const fresh = await callAcross();
    await exchange(fresh, 'fresh-after-restart');
  });
});

describe('PostgreSQL away in the middle of a call across instances', () => {
  it('keeps the call going, refuses an acceptance it cannot store and never reports it, and takes it once it is back', async () => {
    const { cluster } = suite;
    const call = await callAcross();
    const pump = new SignalPump(() => [call]);
    suite.track({ close: () => pump.stop() });
    // A second customer, invited by an agent on B, whose tab is on A.
    const customerId = nextCustomer();
    await cluster.only(a);
    const tab = await visitorTab(cluster.baseUrl, cluster.wsUrl, customerId);
    suite.track(tab);
    await cluster.spread();
    const invited = await fetch(`${b.baseUrl}/api/agent/invitations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ visitorId: customerId }),
    });
    expect(invited.status).toBe(201);
    const { sessionId, ticket } = (await invited.json()) as { sessionId: string; ticket: string };
    const agent = await clientOf(b);
    agent.send({ type: 'agent.join', ticket });
    await agent.next('session.joined');
    const prompt = await tab.next('terms.prompt', 10_000);
    const termsHash = createHash('sha256').update(prompt.termsText).digest('hex');

    cluster.cutPostgres();
    await eventually(
      () => cluster.readiness(),
      (r) => r[a.name] === '503 store unavailable' && r[b.name] === '503 store unavailable',
      'both instances unready',
    );
    // The call across instances goes on: its signals need no database.
    pump.start(100);
    await SignalPump.flowing([call], SignalPump.counts([call]));
    // The acceptance is refused with an error and never reported: no session.joined, the agent is not told.
    expect(await ask(tab, { type: 'terms.accept', invitationId: prompt.invitationId, termsHash })).toMatchObject({
      type: 'error',
      code: ErrorCode.Internal,
    });
    await agent.probe();
    expect([tab.all('session.joined'), agent.all('peer.joined')]).toEqual([[], []]);

    cluster.restorePostgres();
    await eventually(
      () => cluster.readiness(),
      (r) => r[a.name] === '200 ready' && r[b.name] === '200 ready',
      'both instances ready again',
      30_000,
    );
    pump.stop();
    expect(
      await cluster.sql('SELECT count(*)::int AS n FROM terms_acceptances WHERE session_id = $1', [sessionId]),
    ).toEqual([{ n: 0 }]);
    // The prompt is still open: the same answer is taken now, stored once, and the agent on B is told.
    tab.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash });
    await tab.next('session.joined', 10_000);
    expect((await agent.next('peer.joined', 10_000)).link.peer.role).toBe('visitor');
    expect(await cluster.sql('SELECT visitor_id FROM terms_acceptances WHERE session_id = $1', [sessionId])).toEqual([
      { visitor_id: customerId },
    ]);
    expect([call.visitor.all('session.ended'), call.agent.all('session.ended')]).toEqual([[], []]);
  });
});

/** A client connected to this instance directly. */
async function clientOf(instance: ClusterInstance): Promise<ResumingClient> {
  const client = await ResumingClient.connect(instance.wsUrl);
  suite.track(client);
  return client;
}
