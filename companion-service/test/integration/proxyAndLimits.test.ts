import { ErrorCode } from '../../src/protocol/codes';
import { devToken, startServer, type RunningServer } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';

/* Which client address the per-IP limits count (trustProxy), and the HTTP rate limit: its 429 body, and the
 * WebSocket upgrade, health checks and built files left out of it. Over real HTTP and WebSocket on loopback. */

jest.setTimeout(60_000);

const servers: RunningServer[] = [];
const clients: TestClient[] = [];
async function server(overrides: Parameters<typeof startServer>[0] = {}) {
  const s = await startServer(overrides);
  servers.push(s);
  return s;
}
async function connect(s: RunningServer, headers?: Record<string, string>) {
  const c = await TestClient.connect(s.wsUrl, headers);
  clients.push(c);
  return c;
}
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.stop();
});

const spoofed = (n: number) => ({ 'x-forwarded-for': `203.0.113.${n}` });

/** Two wrong keys by two agents, each from a socket claiming another X-Forwarded-For address; then the right key
 * from a third address, by the first agent (who failed, so an address's backoff applies to it). Returns what that
 * attempt got, and the first agent's token. */
async function wrongKeysFromSpoofedAddresses(s: RunningServer): Promise<{ answer: string; failedToken: string }> {
  const visitor = await connect(s);
  visitor.send({ type: 'visitor.start' });
  const created = await visitor.next('session.created');
  const wrong = created.code === '999999' ? '999998' : '999999';
  const tokens = [await devToken(s, 'A1'), await devToken(s, 'A2')];
  for (const [i, token] of tokens.entries()) {
    const agent = await connect(s, spoofed(i + 1));
    agent.send({ type: 'agent.join', token, code: wrong });
    expect((await agent.next('error')).code).toBe(ErrorCode.InvalidCode);
  }
  const third = await connect(s, spoofed(3));
  third.send({ type: 'agent.join', token: tokens[0]!, code: created.code });
  await third.probe(); // answered after the join
  const answer = third.received[0];
  const outcome =
    answer?.type === 'session.joined'
      ? 'joined'
      : answer?.type === 'error'
        ? answer.code
        : `no answer (${JSON.stringify(answer)})`;
  return { answer: outcome, failedToken: tokens[0]! };
}

describe('client address behind proxies (trustProxy)', () => {
  it('ignores X-Forwarded-For by default: a spoofed header does not escape the per-address wrong-key backoff', async () => {
    const s = await server({ joinAttempts: { perAgent: 100, perIp: 2, windowSeconds: 60 } });
    expect(s.config.trustProxy).toBe(false);
    const { answer, failedToken } = await wrongKeysFromSpoofedAddresses(s);
    expect(answer).toBe(ErrorCode.RateLimited);
    // The HTTP side counts the same (real) address.
    const response = await fetch(`${s.baseUrl}/api/agent/console-tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${failedToken}`, ...spoofed(4) },
      body: JSON.stringify({ code: '123456' }),
    });
    expect(response.status).toBe(429);
  });

  it('believes X-Forwarded-For from a trusted proxy (one hop here), so each client is counted on its own', async () => {
    const s = await server({ trustProxy: 1, joinAttempts: { perAgent: 100, perIp: 2, windowSeconds: 60 } });
    expect((await wrongKeysFromSpoofedAddresses(s)).answer).toBe('joined');
  });

  it('believes it only from the listed proxy addresses', async () => {
    const listed = await server({
      trustProxy: ['127.0.0.0/8', '::1'],
      joinAttempts: { perAgent: 100, perIp: 2, windowSeconds: 60 },
    });
    expect((await wrongKeysFromSpoofedAddresses(listed)).answer).toBe('joined');
    const other = await server({
      trustProxy: ['10.0.0.0/8'],
      joinAttempts: { perAgent: 100, perIp: 2, windowSeconds: 60 },
    });
    expect((await wrongKeysFromSpoofedAddresses(other)).answer).toBe(ErrorCode.RateLimited);
  });
});

/** The default of limits.httpRequestsPerAddressPerMinute. */
const HTTP_LIMIT = 300;

/** Sends requests until the HTTP rate limit answers 429; returns that response and how many came before it. */
async function hammer(s: RunningServer, limit = HTTP_LIMIT): Promise<{ response: Response; before: number }> {
  for (let before = 0; before <= limit + 5; before++) {
    // A route whose schema declares ErrorBody for 4xx: a body in another shape would become a 500 there.
    const response = await fetch(`${s.baseUrl}/api/agent/console-tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: '123456' }),
    });
    if (response.status !== 401) return { response, before };
    await response.arrayBuffer();
  }
  throw new Error('never rate limited');
}

describe('the HTTP rate limit', () => {
  it('answers 429 with our error body and retry-after', async () => {
    const s = await server();
    const { response, before } = await hammer(s);
    expect(response.status).toBe(429);
    expect(before).toBe(HTTP_LIMIT);
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({ code: ErrorCode.RateLimited, message: expect.any(String), retryAfterSeconds: retryAfter });
    // A route without a response schema gets the same code.
    const page = await fetch(`${s.baseUrl}/join`);
    expect(page.status).toBe(429);
    expect(((await page.json()) as { code: string }).code).toBe(ErrorCode.RateLimited);
    // Health checks are not counted, nor refused: a load balancer checking many instances from one address (the
    // count is shared through Redis) would otherwise use the limit up and take every instance out.
    for (const path of ['/healthz', '/readyz']) expect((await fetch(`${s.baseUrl}${path}`)).status).toBe(200);
  });

  it('takes the limit from limits.httpRequestsPerAddressPerMinute', async () => {
    const s = await server({ limits: { httpRequestsPerAddressPerMinute: 40 } });
    const { response, before } = await hammer(s, 40);
    expect(response.status).toBe(429);
    expect(before).toBe(40);
  });

  it('does not count the built files, nor refuse them: the widget stays on the pages of visitors who share one address', async () => {
    const s = await server();
    const get = async (path: string) => {
      const response = await fetch(`${s.baseUrl}${path}`);
      await response.arrayBuffer();
      return response.status;
    };
    for (let i = 0; i < HTTP_LIMIT + 20; i++) expect(await get('/widget.js')).toBe(200);
    const { response, before } = await hammer(s);
    expect(response.status).toBe(429);
    expect(before).toBe(HTTP_LIMIT);
    // Once the address is limited, its pages still get the loader, the manifest and every chunk it names.
    expect(await get('/widget.js')).toBe(200);
    const manifest = (await (await fetch(`${s.baseUrl}/widget-manifest.json`)).json()) as {
      chunks: Record<string, string>;
    };
    const chunks = Object.values(manifest.chunks);
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) expect(await get(chunk)).toBe(200);
    // The API is still limited.
    expect((await hammer(s)).before).toBe(0);
  });

  it('does not count WebSocket upgrades, and does not refuse them once pages are limited', async () => {
    const s = await server();
    for (let i = 0; i < HTTP_LIMIT + 20; i++) {
      const c = await TestClient.connect(s.wsUrl);
      c.close();
      await c.closed();
    }
    expect((await fetch(`${s.baseUrl}/healthz`)).status).toBe(200);

    const { response } = await hammer(s);
    expect(response.status).toBe(429);
    const reconnect = await connect(s);
    reconnect.send({ type: 'visitor.start' });
    await reconnect.next('session.created');
  });
});
