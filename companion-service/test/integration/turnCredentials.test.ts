import { createHmac } from 'node:crypto';
import type { IceServer } from '../../src/protocol/messages';
import { serviceSuite } from '../helpers/serviceSuite';
import { devToken } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';

/* TURN credentials expire (turnTtlSeconds). Every message that makes a client create a connection carries credentials
 * minted then for that client: session.created and session.joined, and also peer.joined and pair.reset, which can
 * come long after (a visitor waiting for an agent, a guest admitted late in a call, a pair that failed). */

const SECRET = 'turn-credentials-test-secret';
const TURN_URL = 'turn:127.0.0.1:3478?transport=udp';
const suite = serviceSuite({ ice: { turnUrls: [TURN_URL], turnSecret: SECRET, turnTtlSeconds: 1 } });
let token: string;
beforeAll(async () => {
  token = await devToken(suite.server);
});

/** The TURN entry of a message's ICE servers: its expiry (Unix seconds) and whose it is, checked against the secret
 * as coturn checks it. */
function turnOf(iceServers: IceServer[] | undefined): { expiry: number; participantId: string } {
  const turn = (iceServers ?? []).find((s) => s.username);
  if (!turn?.username) throw new Error(`no TURN credentials in ${JSON.stringify(iceServers)}`);
  expect(turn.urls).toEqual([TURN_URL]);
  expect(turn.credential).toBe(createHmac('sha1', SECRET).update(turn.username).digest('base64'));
  const [expiry, participantId] = turn.username.split(':');
  return { expiry: Number(expiry), participantId: participantId ?? '' };
}

/** Waits until credentials that expire at `expiry` are past it (a REST credential is good through its second). */
const pastExpiry = (expiry: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, (expiry + 1) * 1000 - Date.now() + 50)));

describe('TURN credentials for connections made later', () => {
  it('are minted afresh for the visitor when an agent joins after their first ones expired', async () => {
    const visitor = await suite.connect();
    visitor.send({ type: 'visitor.start' });
    const created = await visitor.next('session.created');
    const atStart = turnOf(created.iceServers);
    expect(atStart.participantId).toBe(created.self.id);
    await pastExpiry(atStart.expiry);

    const agent = await suite.connect();
    agent.send({ type: 'agent.join', token, code: created.code });
    const joined = await agent.next('session.joined');
    const announced = await visitor.next('peer.joined');
    const forTheConnection = turnOf(announced.iceServers);
    expect(forTheConnection.participantId).toBe(created.self.id);
    expect(forTheConnection.expiry).toBeGreaterThan(atStart.expiry);
    expect(forTheConnection.expiry * 1000).toBeGreaterThan(Date.now());
    expect(turnOf(joined.iceServers).participantId).toBe(joined.self.id);
  });

  it('are minted afresh for each end of a pair that starts over, and for members told of a late guest', async () => {
    const { visitor, agent, joined, visitorId, agentId } = await suite.call(token);
    const agentAtJoin = turnOf(joined.iceServers);
    await pastExpiry(agentAtJoin.expiry);

    visitor.send({ type: 'pair.restart', peerId: agentId });
    const atAgent = await agent.next('pair.reset');
    const atVisitor = await visitor.next('pair.reset');
    expect(turnOf(atAgent.iceServers)).toEqual({ expiry: expect.any(Number), participantId: agentId });
    expect(turnOf(atAgent.iceServers).expiry).toBeGreaterThan(agentAtJoin.expiry);
    expect(turnOf(atVisitor.iceServers).participantId).toBe(visitorId);
    expect(turnOf(atVisitor.iceServers).expiry * 1000).toBeGreaterThan(Date.now());

    await pastExpiry(turnOf(atAgent.iceServers).expiry);
    const guest = await suite.admitGuest(agent);
    for (const [member, id] of [
      [visitor, visitorId],
      [agent, agentId],
    ] as Array<[TestClient, string]>) {
      const told = turnOf((await member.next('peer.joined')).iceServers);
      expect(told.participantId).toBe(id);
      expect(told.expiry * 1000).toBeGreaterThan(Date.now());
    }
    suite.track(guest);
  });
});

describe('without TURN', () => {
  const plain = serviceSuite();
  it('peer.joined and pair.reset carry no ICE servers of their own', async () => {
    const plainToken = await devToken(plain.server);
    const { visitor, agent, announced, agentId } = await plain.call(plainToken);
    expect(announced).not.toHaveProperty('iceServers');
    visitor.send({ type: 'pair.restart', peerId: agentId });
    expect(await agent.next('pair.reset')).not.toHaveProperty('iceServers');
  });
});
