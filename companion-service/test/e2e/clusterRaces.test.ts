import { createHash } from 'node:crypto';
import { ErrorCode } from '../../src/protocol/codes';
import { clusterSuite, type ClusterInstance } from '../helpers/cluster';
import { agentToken, visitorToken } from '../helpers/clusterCalls';
import { eventually } from '../helpers/eventually';
import { inviteTokenOf, TestClient } from '../helpers/wsClient';

/* Races across instances that test/integration/sharedSessionRaces.test.ts does not already run (it runs the same code
 * typed by two agents, the same resume token twice, two admissions for the last seat and two tabs accepting one
 * invitation, 50 times each, over two instances in one process): here two real instances behind nothing, each client
 * connected to one of them directly, so that the two sides are certainly on two.
 * - Two agents inviting the same visitor at the same moment, one on each instance: one invitation (201), the other
 *   told one is pending (409), every time; the visitor gets one prompt, and can accept it.
 * - The seat a 1-click invitation keeps for the visitor: the agent and four guests, spread over both instances, fill
 *   every other seat; a fifth guest is refused, and the visitor takes the sixth (before, a visitor accepting after
 *   the guests made a room of 7). */

jest.setTimeout(90_000);

const ROUNDS = 25;
const suite = clusterSuite({ size: 2, browser: false });
let a: ClusterInstance;
let b: ClusterInstance;
let customers = 0;

beforeAll(() => {
  [a, b] = suite.cluster.instances as [ClusterInstance, ClusterInstance];
});

async function connect(instance: ClusterInstance): Promise<TestClient> {
  const client = await TestClient.connect(instance.wsUrl);
  suite.track(client);
  return client;
}

async function visitorTab(instance: ClusterInstance, customerId: string): Promise<TestClient> {
  const tab = await connect(instance);
  tab.send({ type: 'visitor.hello', visitorToken: await visitorToken(suite.cluster.baseUrl, customerId) });
  await tab.next('presence.registered');
  return tab;
}

async function invite(instance: ClusterInstance, token: string, customerId: string): Promise<Response> {
  return fetch(`${instance.baseUrl}/api/agent/invitations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ visitorId: customerId }),
  });
}

/** Who won each round, printed once per race: both sides must win some rounds, or the race was not one. */
const tally = new Map<string, Map<string, number>>();
function won(race: string, side: string): void {
  const counts = tally.get(race) ?? new Map<string, number>();
  counts.set(side, (counts.get(side) ?? 0) + 1);
  tally.set(race, counts);
}
afterAll(() => {
  for (const [race, counts] of tally)
    process.stdout.write(`${race}: ${[...counts].map(([side, n]) => `${side} ${n}`).join(', ')}\n`);
});

const members = (sessionId: string) =>
  suite.cluster.sql<{ role: string }>('SELECT role FROM participants WHERE session_id = $1', [sessionId]);

describe('races across instances', () => {
  it('the invited visitor\u2019s seat is kept: the agent and four guests on two instances fill every other seat, a fifth is refused, the visitor takes the sixth', async () => {
    const token = await agentToken(suite.cluster.baseUrl);
    const customerId = `003SEAT${String(++customers).padStart(9, '0')}`;
    const tab = await visitorTab(b, customerId);
    const invited = await invite(a, token, customerId);
    expect(invited.status).toBe(201);
    const { sessionId, ticket } = (await invited.json()) as { sessionId: string; ticket: string };
    const agent = await connect(a);
    agent.send({ type: 'agent.join', ticket });
    await agent.next('session.joined');
    agent.send({ type: 'guest.invite.create' });
    const link = inviteTokenOf(await agent.next('guest.invite'));
    for (let i = 0; i < 4; i++) {
      const guest = await connect(i % 2 ? a : b);
      guest.send({ type: 'guest.request', invite: link, name: `Guest ${i}` });
      agent.send({ type: 'guest.admit', code: (await guest.next('guest.code')).code });
      await guest.next('session.joined', 5000);
    }
    const fifth = await connect(b);
    fifth.send({ type: 'guest.request', invite: link, name: 'Guest 5' });
    expect((await fifth.next('error')).code).toBe(ErrorCode.SessionFull);
    const prompt = await tab.next('terms.prompt');
    tab.send({
      type: 'terms.accept',
      invitationId: prompt.invitationId,
      termsHash: createHash('sha256').update(prompt.termsText).digest('hex'),
    });
    expect((await tab.next('session.joined')).peers).toHaveLength(5);
    expect(
      await eventually(
        () => members(sessionId),
        (rows) => rows.length >= 6,
        'six members recorded',
      ),
    ).toHaveLength(6);
    agent.send({ type: 'session.end' });
    await agent.next('session.ended');
  });

  it('two agents inviting the same visitor at the same moment on two instances: one invitation, the other 409', async () => {
    const [t1, t2] = [
      await agentToken(suite.cluster.baseUrl, 'Agent One'),
      await agentToken(suite.cluster.baseUrl, 'Agent Two'),
    ];
    for (let round = 0; round < ROUNDS; round++) {
      const customerId = `003INVITE${String(++customers).padStart(7, '0')}`;
      const tab = await visitorTab(round % 2 ? a : b, customerId);
      const answers = await Promise.all([invite(a, t1, customerId), invite(b, t2, customerId)]);
      expect([round, answers.map((r) => r.status).sort()]).toEqual([round, [201, 409]]);
      const winner = answers.find((r) => r.status === 201)!;
      won('same visitor invited twice', answers[0] === winner ? 'A' : 'B');
      expect(((await answers.find((r) => r.status === 409)!.json()) as { code: string }).code).toBe(
        ErrorCode.InvitationPending,
      );
      const { sessionId, invitationId, ticket } = (await winner.json()) as {
        sessionId: string;
        invitationId: string;
        ticket: string;
      };
      // One prompt, for the winning invitation, which the visitor can accept.
      const agent = await connect(answers[0] === winner ? a : b);
      agent.send({ type: 'agent.join', ticket });
      await agent.next('session.joined');
      const prompt = await tab.next('terms.prompt');
      expect(prompt.invitationId).toBe(invitationId);
      tab.send({
        type: 'terms.accept',
        invitationId,
        termsHash: createHash('sha256').update(prompt.termsText).digest('hex'),
      });
      await tab.next('session.joined');
      await tab.probe();
      expect(tab.received.filter((m) => m.type === 'terms.prompt')).toEqual([]);
      expect(
        await suite.cluster.sql('SELECT visitor_id FROM terms_acceptances WHERE session_id = $1', [sessionId]),
      ).toEqual([{ visitor_id: customerId }]);
      agent.send({ type: 'session.end' });
      await agent.next('session.ended');
    }
  });
});
