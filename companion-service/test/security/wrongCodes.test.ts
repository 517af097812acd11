import { ErrorCode } from '../../src/protocol/codes';
import { serviceSuite } from '../helpers/serviceSuite';
import { devToken, startServer } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';

/* Finding 5: agents sit behind one NAT address; 20 wrong codes from it locked every agent out for 60 s, even with the
 * right code. The per-agent limit stays strict; the per-address one is a backoff for agents who have failed
 * themselves, so the ones who type their key right are never held up. And a key whose session already has its agent
 * was confirmed (201): it is now answered like a wrong key. All over real HTTP from one address. */

const suite = serviceSuite({
  joinAttempts: { perAgent: 5, perIp: 20, windowSeconds: 60 },
  limits: { sessionsPerAddressPerMinute: 100 },
});

type Server = { baseUrl: string; wsUrl: string };

async function askTicket(
  token: string,
  code: string,
  server: Server = suite.server,
): Promise<{ status: number; body: { code?: string; ticket?: string; retryAfterSeconds?: number } }> {
  const response = await fetch(`${server.baseUrl}/api/agent/console-tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  return { status: response.status, body: (await response.json()) as { code?: string } };
}

async function liveCode(server: Server = suite.server): Promise<string> {
  const visitor = await TestClient.connect(server.wsUrl);
  suite.track(visitor);
  visitor.send({ type: 'visitor.start' });
  return (await visitor.next('session.created')).code;
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('wrong session keys', () => {
  it('after many wrong keys from one address, an agent who has not failed still joins with the right key', async () => {
    const code = await liveCode();
    // Four agents at the same address each use up their own five tries: twenty wrong keys from the address.
    for (let a = 0; a < 4; a++) {
      const token = await devToken(suite.server, `Careless ${a}`);
      for (let i = 0; i < 5; i++) expect((await askTicket(token, wrong(code))).body.code).toBe(ErrorCode.InvalidCode);
      // Their own limit is strict: locked, even with the right key.
      const locked = await askTicket(token, code);
      expect(locked.status).toBe(429);
      expect(locked.body.retryAfterSeconds).toBeGreaterThan(0);
    }
    // A careful agent behind the same address: the right key works at once.
    const careful = await askTicket(await devToken(suite.server, 'Careful'), code);
    expect(careful.status).toBe(201);
    expect(careful.body.ticket).toEqual(expect.any(String));
  });

  it('an agent who has failed, at an address past its share, waits a growing delay', async () => {
    const code = await liveCode();
    const slip = await devToken(suite.server, 'One slip');
    expect((await askTicket(slip, wrong(code))).body.code).toBe(ErrorCode.InvalidCode);
    // The address is past its twenty (the previous test's): this agent, having failed, must now wait.
    const held = await askTicket(slip, code);
    expect(held.status).toBe(429);
    expect(held.body.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('answers a key whose session already has its agent like a wrong key, and counts it', async () => {
    // A service of its own, whose address has no wrong keys yet.
    const server = await startServer();
    try {
      const code = await liveCode(server);
      const ticket = (await askTicket(await devToken(server, 'First'), code, server)).body.ticket!;
      const agentConsole = await TestClient.connect(server.wsUrl);
      suite.track(agentConsole);
      agentConsole.send({ type: 'agent.join', ticket });
      await agentConsole.next('session.joined');
      const prober = await devToken(server, 'Prober');
      for (let i = 0; i < 5; i++)
        expect(await askTicket(prober, code, server)).toEqual({
          status: 404,
          body: expect.objectContaining({ code: ErrorCode.InvalidCode }),
        });
      expect((await askTicket(prober, code, server)).status).toBe(429);
    } finally {
      await server.stop();
    }
  });
});
