import { CloseCode } from '../../src/protocol/codes';
import { clusterSuite, tagOf } from '../helpers/cluster';
import { agentToken, oneClickCall, SignalPump, visitorTab, type WsCall } from '../helpers/clusterCalls';
import {
  clusterPeople,
  instrumentedPage,
  joinsOf,
  longestStall,
  sessionIdOf,
  startFrameLog,
} from '../helpers/clusterPages';
import { eventuallyWithin } from '../helpers/eventually';
import { TestClient } from '../helpers/wsClient';
import type { ResumingClient } from '../helpers/resumingClient';
import { expectRising } from '../helpers/video';

/* A rolling deploy while 20 calls go on: three instances behind the documented HAProxy, each in turn stopped with
 * SIGTERM (as systemd or Kubernetes stops it) and started again before the next. An instance told to stop answers
 * /readyz 503 for its drain period, so HAProxy sends it nothing new, then closes its sockets with 1012 (service
 * restart) instead of ending their sessions; the clients resume through HAProxy on another instance.
 *
 * The 20 calls: 20 calls in Chromium would be 40 pages with fake cameras, far more than the 2 cores this suite runs on
 * can drive alongside 3 service processes and HAProxy, so 19 calls are two WebSocket clients each (a visitor's tab and
 * an agent, test/helpers/clusterCalls.ts) that behave as the browser's SignalingClient does when a socket closes
 * (resume through the load balancer, same backoff), joined by 1-click connect (so each stores a terms acceptance) and
 * sending each other signals all along; and 1 call is real Chromium with video (the widget on the demo portal and the
 * console), whose media is peer to peer and must never stop. 13 of the WebSocket calls start before the deploy and 2
 * more during each instance's drain, so acceptances are also stored while instances come and go.
 *
 * Shows: 0 calls lost (no member told the session ended, every member back in its call and exchanging signals after
 * each step, every session still active in PostgreSQL), every socket the deploy closed closed with 1012, 0 terms
 * records lost (one acceptance row per call, for its session), and the Chromium call's video never stalls. And a
 * resume still under way when an instance's drain ends is answered before its socket closes. */

jest.setTimeout(240_000);

// A short drain: HAProxy (checks every second, down after two failures) has taken the instance out well before.
const DRAIN_SECONDS = 3;
const suite = clusterSuite({ size: 3, env: { TANDEM_SHUTDOWN_DRAIN_SECONDS: String(DRAIN_SECONDS) } });
const { visitorStarts, consoleFor } = clusterPeople(suite);
const eventually = eventuallyWithin(20_000);

const calls: WsCall[] = [];
const members = () => calls.flatMap((c) => [c.visitor, c.agent]);
const pump = new SignalPump(() => calls);
let customerCount = 0;
const nextCustomer = () => `003DEPLOY${String(++customerCount).padStart(7, '0')}`;

afterAll(() => {
  pump.stop();
  for (const client of members()) client.close();
});

it('SIGTERM each instance in turn while 20 calls run: no call lost, every socket moved with 1012, every acceptance stored, video never stops', async () => {
  const { cluster } = suite;
  const urls = { baseUrl: cluster.baseUrl, wsUrl: cluster.wsUrl };
  const token = await agentToken(cluster.baseUrl);

  // The Chromium call, by code.
  const customerPage = await instrumentedPage(suite);
  const code = await visitorStarts(customerPage);
  const agentPage = await consoleFor(code, { origin: cluster.baseUrl });
  await agentPage.getByRole('button', { name: 'Video', exact: true }).click();
  await expectRising(customerPage, agentPage, 20_000);
  await expectRising(agentPage, customerPage, 20_000);
  const browserSession = (await sessionIdOf(agentPage))!;
  for (const page of [customerPage, agentPage]) await startFrameLog(page);

  // 13 WebSocket calls before the deploy, signals flowing in all of them.
  for (let i = 0; i < 13; i++) calls.push(await oneClickCall(urls, token, nextCustomer()));
  pump.start(200);
  await SignalPump.flowing(calls, SignalPump.counts(calls));

  const steps: Array<{ instance: string; stoppedAt: number; exitCode: number | null; restartedAt: number }> = [];
  for (const instance of cluster.instances) {
    const held = members().filter((m) => m.tag === instance.tag);
    const browserHeld = [customerPage, agentPage].filter((p) => suite.socketsOf(p).current() === instance);
    const stoppedAt = Date.now();
    const stopping = instance.stop();
    if (instance === cluster.instances[0]) {
      // While it drains it still serves everything (a page, a new socket) and only says it is not ready, so nothing
      // that reaches it before HAProxy has noticed is refused.
      await eventually(
        () => fetch(`${instance.baseUrl}/readyz`).then((r) => r.status),
        (status) => status === 503,
        'the instance draining',
        5_000,
        50,
      );
      expect((await fetch(`${instance.baseUrl}/join`)).status).toBe(200);
      const late = await fetch(`${instance.baseUrl}/healthz`);
      expect([late.status, tagOf(late.headers)]).toEqual([200, instance.tag]);
    }
    // Two more calls while it drains: their invitations, joins and acceptances go to the instances still ready (or,
    // before HAProxy has noticed, to this one, which moves them with the rest).
    const customers = [nextCustomer(), nextCustomer()];
    const tabs = await Promise.all(customers.map((id) => visitorTab(cluster.baseUrl, cluster.wsUrl, id)));
    for (const [i, tab] of tabs.entries()) calls.push(await oneClickCall(urls, token, customers[i]!, tab));
    const exitCode = await stopping;
    await instance.start();
    steps.push({ instance: instance.name, stoppedAt, exitCode, restartedAt: Date.now() });

    // Everyone it held is back, elsewhere, told by a 1012 close; nobody was told their call ended.
    for (const member of held) {
      await member.resumedSince(stoppedAt, 15_000);
      expect(member.sockets.find((s) => s.tag === heldTag(member, stoppedAt))?.closeCode).toBe(
        CloseCode.ServiceRestart,
      );
    }
    for (const page of browserHeld)
      await eventually(
        () => joinsOf(page),
        (joins) => joins.some((j) => j.resumed && j.at >= stoppedAt),
        'the page resumed',
      );
    expect(members().filter((m) => m.stopped).length).toBe(0);
    await SignalPump.flowing(calls, SignalPump.counts(calls));
  }
  pump.stop();
  expect(steps.map((s) => [s.instance, s.exitCode])).toEqual(cluster.instances.map((i) => [i.name, 0]));

  // No call lost: 20 calls, every member still in its own session, and every session active in PostgreSQL.
  expect(calls.length + 1).toBe(20);
  for (const call of calls) {
    for (const member of [call.visitor, call.agent]) {
      expect(member.all('session.ended')).toEqual([]);
      expect(member.all('session.joined').every((j) => j.message.sessionId === call.sessionId)).toBe(true);
      await member.probe();
    }
  }
  const ids = [...calls.map((c) => c.sessionId), browserSession];
  const sessions = await cluster.sql<{ id: string; status: string }>(
    'SELECT id, status FROM sessions WHERE id = ANY($1)',
    [ids],
  );
  expect(sessions.filter((s) => s.status === 'active').length).toBe(20);
  // Every drop was a 1012: no socket was cut any other way.
  const closes = members().flatMap((m) => m.sockets.filter((s) => s.closeCode !== undefined).map((s) => s.closeCode));
  expect(closes.length).toBeGreaterThan(0);
  expect(new Set(closes)).toEqual(new Set([CloseCode.ServiceRestart]));

  // No terms record lost: one acceptance per WebSocket call, for its own session and visitor.
  const acceptances = await cluster.sql<{ session_id: string; visitor_id: string }>(
    'SELECT session_id, visitor_id FROM terms_acceptances ORDER BY id',
  );
  expect(acceptances.map((a) => `${a.session_id} ${a.visitor_id}`).sort()).toEqual(
    calls.map((c) => `${c.sessionId} ${c.customerId}`).sort(),
  );

  // The Chromium call's video never stalled for a second, and still flows both ways.
  for (const page of [customerPage, agentPage])
    expect(await longestStall(page, steps[0]!.stoppedAt, Date.now())).toBeLessThan(1000);
  await expectRising(customerPage, agentPage, 20_000);
  await expectRising(agentPage, customerPage, 20_000);
  expect(await customerPage.getByText('Call ended').count()).toBe(0);
  process.stdout.write(
    `rolling deploy: ${JSON.stringify(steps.map((s) => ({ instance: s.instance, seconds: (s.restartedAt - s.stoppedAt) / 1000 })))}\n`,
  );
});

it('answers a resume under way when its drain ends before it closes the socket: the client gets its new token', async () => {
  const { cluster } = suite;
  await cluster.serving();
  const [a, b] = cluster.instances;
  const token = await agentToken(cluster.baseUrl);
  const connect = async (url: string) => {
    const client = await TestClient.connect(url);
    suite.track(client);
    return client;
  };
  const visitor = await connect(a!.wsUrl);
  visitor.send({ type: 'visitor.start' });
  const created = await visitor.next('session.created');
  const agent = await connect(b!.wsUrl);
  agent.send({ type: 'agent.join', token, code: created.code });
  await agent.next('session.joined');
  await visitor.next('peer.joined');
  // PostgreSQL stops answering, so that a command's answer (sent once its records are written) waits: the visitor's
  // resume on A is decided (its token spent, in Redis) and its answer still to come when A is told to stop.
  const spent = `${cluster.keyPrefix}resume-of:${created.self.id}`;
  try {
    cluster.cutPostgres('stall');
    visitor.close();
    const resumed = await connect(a!.wsUrl);
    resumed.send({ type: 'session.resume', resumeToken: created.resumeToken });
    await eventually(
      () => cluster.redis.get(spent),
      (current) => current !== created.resumeToken,
      'the resume decided',
      5_000,
      50,
    );
    const stopping = a!.stop();
    // The drain is over once A refuses new requests (it is closing); its sockets stay while the resume is under way.
    await eventually(
      () =>
        fetch(`${a!.baseUrl}/healthz`).then(
          (r) => r.status,
          () => 0,
        ),
      (status) => status !== 200,
      'the drain over',
      15_000,
      50,
    );
    expect(resumed.closeInfo).toBeUndefined();
    cluster.restorePostgres();
    const joined = await resumed.next('session.joined', 15_000);
    expect(joined.resumed).toBe(true);
    expect((await resumed.closed(15_000)).code).toBe(CloseCode.ServiceRestart);
    expect(await stopping).toBe(0);
    // With the token that answer carried, the visitor resumes on B.
    const elsewhere = await connect(b!.wsUrl);
    elsewhere.send({ type: 'session.resume', resumeToken: joined.resumeToken });
    expect((await elsewhere.next('session.joined', 10_000)).resumed).toBe(true);
  } finally {
    cluster.restorePostgres();
    if (!a!.running()) await a!.start();
  }
});

/** The tag of the socket a member had open when the instance was stopped. */
function heldTag(member: ResumingClient, stoppedAt: number): string | undefined {
  return member.sockets.filter((s) => s.openedAt < stoppedAt && (s.closedAt ?? Infinity) >= stoppedAt).at(-1)?.tag;
}
