import type { Socket } from 'node:net';
import type { Redis } from 'ioredis';
import { eventually } from '../helpers/eventually';
import { redisClient } from '../helpers/redis';
import { startSharedInstances, type SharedInstances } from '../helpers/sharedInstances';
import { devToken } from '../helpers/testServer';
import type { TestClient } from '../helpers/wsClient';

/* Two members of a call on one instance of a cluster relay their signals in the process, as on a single instance: not
 * one of them goes through Redis. Once a member resumes on another instance, signals to them cross Redis again, also
 * while their old socket lingers half-open on the first: it stops following their channel as soon as that instance is
 * told of the resume, so it takes nothing meant for the new one. */

jest.setTimeout(60_000);

const SITE = {
  id: 'acme',
  apiKey: 'acme-site-api-key-0123456789',
  signingSecret: 'acme-signing-secret-0123456789abcdef',
};

let shared: SharedInstances;
let token: string;
/** Every participant-channel message that went through Redis, as Redis saw it. */
let watcher: Redis;
const published: string[] = [];

beforeAll(async () => {
  shared = await startSharedInstances(2, { sites: [SITE], devSignInSiteIds: [SITE.id] });
  token = await devToken(shared.servers[0]!);
  watcher = redisClient();
  watcher.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer) => published.push(channel.toString()));
  await watcher.psubscribe(`${shared.keyPrefix}bus:p:*`);
});
afterAll(async () => {
  watcher?.disconnect();
  await shared?.stop();
});

let markers = 0;
/** What went through Redis for participants since `since`: a marker is published last and awaited, so whatever an
 * instance published before it has arrived too (Redis delivers to one subscriber in the order it got them). */
async function throughRedisSince(since: number): Promise<string[]> {
  const marker = `${shared.keyPrefix}bus:p:marker-${++markers}`;
  await shared.redis.publish(marker, 'x');
  await eventually(
    () => published.includes(marker),
    (seen) => seen,
    'the marker to come back from Redis',
  );
  return published.slice(since).filter((c) => !c.includes(':p:marker-'));
}

async function relays(from: TestClient, fromId: string, to: TestClient, toId: string, n: number): Promise<void> {
  const frame = JSON.stringify({
    type: 'signal',
    from: fromId,
    to: toId,
    gen: 1,
    data: { type: 'candidate', candidate: { candidate: `candidate:${n} 1 udp 1 127.0.0.1 ${40000 + n} typ host` } },
  });
  from.sendRaw(frame);
  expect(await to.nextRaw('signal')).toBe(frame);
}

async function callOn(v: number, a: number) {
  const call = await shared.callByCode(v, a, token);
  return { ...call, tokens: { agent: call.joined.resumeToken } };
}

async function resumeOn(i: number, resumeToken: string) {
  const socket = await shared.connect(i);
  socket.send({ type: 'session.resume', resumeToken });
  const joined = await socket.next('session.joined');
  expect(joined.resumed).toBe(true);
  return { socket, joined };
}

it('relays between two members on one instance without a message through Redis', async () => {
  const call = await callOn(0, 0);
  const since = published.length;
  for (let n = 0; n < 20; n++) {
    await relays(call.visitor, call.visitorId, call.agent, call.agentId, n);
    await relays(call.agent, call.agentId, call.visitor, call.visitorId, n);
  }
  expect(await throughRedisSince(since)).toEqual([]);
});

it('sends signals through Redis to a member who resumed elsewhere, while their old socket lingers half-open', async () => {
  const call = await callOn(0, 0);
  // The agent's old socket stops reading: the server's close of it (as replaced) never completes its handshake, so it
  // stays open on instance 0 while the agent's new socket is on instance 1.
  (call.agent.socket as unknown as { _socket: Socket })._socket.pause();
  const moved = await resumeOn(1, call.tokens.agent);
  // Instance 0 is told through Redis that the agent is held elsewhere now, and stops following their channel at once
  // (it unsubscribes in Redis), not when the old socket's close completes. Until it is told (a Redis hop), its signals
  // for the agent still go to the old socket: the resumed page asks for every pair not yet connected to be made again.
  await eventually(
    async () =>
      ((await shared.redis.pubsub('NUMSUB', `${shared.keyPrefix}bus:p:${call.agentId}`)) as [string, number])[1],
    (followers) => followers === 1,
    "instance 0 to stop following the agent's channel",
  );

  const since = published.length;
  await relays(call.visitor, call.visitorId, moved.socket, call.agentId, 1);
  await relays(moved.socket, call.agentId, call.visitor, call.visitorId, 2);
  expect(await throughRedisSince(since)).toEqual([
    `${shared.keyPrefix}bus:p:${call.agentId}`,
    `${shared.keyPrefix}bus:p:${call.visitorId}`,
  ]);
});

it('relays in the process again once both members are on the instance the first one moved to', async () => {
  const { visitor, agent: agentOn0, created, joined } = await shared.callByCode(1, 0, token);

  // Across instances: through Redis.
  let since = published.length;
  await relays(visitor, created.self.id, agentOn0, joined.self.id, 1);
  expect(await throughRedisSince(since)).toEqual([`${shared.keyPrefix}bus:p:${joined.self.id}`]);

  // The agent moves to the visitor's instance: from then on, in the process.
  agentOn0.close();
  await agentOn0.closed();
  const moved = await resumeOn(1, joined.resumeToken);
  since = published.length;
  for (let n = 0; n < 5; n++) {
    await relays(visitor, created.self.id, moved.socket, joined.self.id, n);
    await relays(moved.socket, joined.self.id, visitor, created.self.id, n);
  }
  expect(await throughRedisSince(since)).toEqual([]);
});
