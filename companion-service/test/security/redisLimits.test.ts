import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { DeepPartial } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { ErrorCode } from '../../src/protocol/codes';
import { eventually } from '../helpers/eventually';
import { dropKeys, redisClient, testKeyPrefix, testRedisSettings } from '../helpers/redis';
import { callAsApex, newContactId } from '../helpers/salesforceFixtures';
import { devToken, startServer, type RunningServer } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';

/* The limits that stop guessing and flooding, counted in Redis when it is set: spread over two instances, wrong keys,
 * sockets, session starts and HTTP calls hit each limit at the same count as on one instance. Every call comes from
 * 127.0.0.1, so every per-address count here is one address's. Each scenario has a Redis key prefix (and services) of
 * its own. */

jest.setTimeout(30_000);

const inspector = redisClient();
const prefixes: string[] = [];
const servers: RunningServer[] = [];
const clients: Array<{ close(): void }> = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.stop();
});
afterAll(async () => {
  for (const prefix of prefixes) await dropKeys(inspector, prefix);
  inspector.disconnect();
});

/** `count` instances sharing one fresh prefix. */
async function instances(count: number, overrides: DeepPartial<Config> = {}): Promise<RunningServer[]> {
  const prefix = testKeyPrefix();
  prefixes.push(prefix);
  const started = await Promise.all(
    Array.from({ length: count }, () => startServer({ ...overrides, redis: testRedisSettings(prefix) })),
  );
  servers.push(...started);
  return started;
}

async function liveCode(server: RunningServer): Promise<string> {
  const visitor = await TestClient.connect(server.wsUrl);
  clients.push(visitor);
  visitor.send({ type: 'visitor.start' });
  return (await visitor.next('session.created')).code;
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

async function askTicket(
  server: RunningServer,
  token: string,
  code: string,
): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${server.baseUrl}/api/agent/console-tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  return { status: response.status, code: ((await response.json()) as { code?: string }).code };
}

/** The status of a WebSocket upgrade: 101 when it opened (the socket is kept open and watching, so not idle). */
function upgrade(server: RunningServer): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(server.wsUrl);
    socket.once('open', () => {
      clients.push(socket);
      socket.send(JSON.stringify({ type: 'agent.watch', token: 'x', visitorIds: [] }));
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', () => resolve(0));
  });
}

const JOIN_LIMITS = { joinAttempts: { perAgent: 5, perIp: 100, windowSeconds: 60 } };

describe('wrong session keys counted in Redis', () => {
  it.each([
    ['one instance', 1],
    ['two instances, taking turns', 2],
  ])('lock an agent out after the same number of wrong keys on %s', async (_name, count) => {
    const found = await instances(count, JOIN_LIMITS);
    const code = await liveCode(found[0]!);
    const token = await devToken(found[0]!, `Guesser ${count}`);
    const answers: string[] = [];
    for (let i = 0; i < 7; i++) answers.push((await askTicket(found[i % count]!, token, wrong(code))).code ?? '');
    expect(answers).toEqual([...Array(5).fill(ErrorCode.InvalidCode), ErrorCode.RateLimited, ErrorCode.RateLimited]);
    // Locked on every instance, even with the right key.
    for (const server of found)
      expect(await askTicket(server, token, code)).toEqual({ status: 429, code: ErrorCode.RateLimited });
  });

  it('count concurrent guesses on both instances one by one: no more get through than the limit', async () => {
    const [a, b] = await instances(2, JOIN_LIMITS);
    const code = await liveCode(a!);
    const token = await devToken(a!, 'Hurried');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => askTicket(i % 2 ? b! : a!, token, wrong(code))),
    );
    expect(answers.filter((r) => r.code === ErrorCode.InvalidCode)).toHaveLength(5);
    expect(answers.filter((r) => r.code === ErrorCode.RateLimited)).toHaveLength(15);
  });

  it('hold back an agent who has failed at an address past its share, whichever instance the wrong keys went to', async () => {
    const [a, b] = await instances(2, { joinAttempts: { perAgent: 2, perIp: 4, windowSeconds: 60 } });
    const code = await liveCode(a!);
    // Two careless agents make the address's four wrong keys, one on each instance.
    for (const [server, name] of [
      [a!, 'Careless A'],
      [b!, 'Careless B'],
    ] as const) {
      const token = await devToken(server, name);
      for (let i = 0; i < 2; i++)
        expect((await askTicket(server, token, wrong(code))).code).toBe(ErrorCode.InvalidCode);
    }
    // A third slips once on B, then must wait before trying again on A, even with the right key.
    const slip = await devToken(b!, 'One slip');
    expect((await askTicket(b!, slip, wrong(code))).code).toBe(ErrorCode.InvalidCode);
    expect(await askTicket(a!, slip, code)).toEqual({ status: 429, code: ErrorCode.RateLimited });
    // One who never failed gets in at once, on either.
    expect((await askTicket(a!, await devToken(a!, 'Careful'), code)).status).toBe(201);
  });
});

describe('per-address caps counted in Redis', () => {
  it('refuse the sockets beyond the address\u2019s share on every instance, and take one again when one closes', async () => {
    const [a, b] = await instances(2, { limits: { socketsPerAddress: 3 } });
    expect([await upgrade(a!), await upgrade(b!), await upgrade(a!)]).toEqual([101, 101, 101]);
    expect([await upgrade(a!), await upgrade(b!)]).toEqual([429, 429]);
    clients.shift()!.close();
    // Once instance A has handled the close, the address has a place again, on B too.
    let status = 0;
    for (let i = 0; i < 50 && status !== 101; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = await upgrade(b!);
    }
    expect(status).toBe(101);
    expect(await upgrade(a!)).toBe(429);
  });

  it('let an address start only its share of sessions per minute, across instances', async () => {
    const [a, b] = await instances(2, { limits: { sessionsPerAddressPerMinute: 3 } });
    const answers: string[] = [];
    for (const server of [a!, b!, a!, b!, a!]) {
      const visitor = await TestClient.connect(server.wsUrl);
      clients.push(visitor);
      visitor.send({ type: 'visitor.start' });
      const answer = await eventually(
        () => visitor.received.find((m) => m.type === 'session.created' || m.type === 'error'),
        Boolean,
        'an answer',
        3000,
        visitor.changed,
      );
      answers.push(answer?.type === 'error' ? answer.code : 'created');
    }
    expect(answers).toEqual(['created', 'created', 'created', ErrorCode.RateLimited, ErrorCode.RateLimited]);
  });
});

describe('the HTTP rate limit counted in Redis', () => {
  it('refuses calls beyond an address\u2019s allowance whichever instance they reach', async () => {
    const found = await instances(2, {
      salesforce: { unknownKeyRequestsPerAddressPerMinute: 4, outbox: { enabled: false } },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const answer = await callAsApex(
        found[i % 2]!,
        '/api/salesforce/presence',
        { orgId: '00D000000000001AAA', contactId: newContactId() },
        randomBytes(24).toString('base64url'),
      );
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429, 429]);
  });
});
