import { CloseCode, EndReason, ErrorCode } from '../../src/protocol/codes';
import { createStore } from '../../src/store/createStore';
import { OWN_SECRETS } from '../helpers/ownSecrets';
import { devToken, startServer, type RunningServer } from '../helpers/testServer';
import { startCall, TestClient } from '../helpers/wsClient';

const servers: RunningServer[] = [];
async function server(overrides: Parameters<typeof startServer>[0] = {}) {
  const s = await startServer(overrides);
  servers.push(s);
  return s;
}
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function post(s: RunningServer, url: string, body: unknown, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${s.baseUrl}${url}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('health', () => {
  it('answers liveness and readiness', async () => {
    const s = await server();
    expect(await (await fetch(`${s.baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${s.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });
});

describe('development sign-in', () => {
  it('issues an agent token when enabled and validates the name', async () => {
    const s = await server();
    const ok = await post(s, '/api/dev/sign-in', { name: 'Ana' });
    expect(ok.status).toBe(200);
    expect(ok.body.token).toEqual(expect.stringMatching(/^[\w-]+\.[\w-]+$/));
    expect((await post(s, '/api/dev/sign-in', { name: '' })).status).toBe(400);
    expect((await post(s, '/api/dev/sign-in', { name: 'x'.repeat(81) })).status).toBe(400);
    expect((await post(s, '/api/dev/sign-in', { name: 'Ana', admin: true })).status).toBe(400);
  });

  it('does not exist when the configuration turns it off, and the page config says so', async () => {
    const s = await server({ devSignIn: false, ...OWN_SECRETS });
    const refused = await post(s, '/api/dev/sign-in', { name: 'Ana' });
    expect(refused).toEqual({ status: 404, body: { code: ErrorCode.DevSignInDisabled, message: expect.any(String) } });
    expect(await (await fetch(`${s.baseUrl}/api/config`)).json()).toEqual({
      devSignIn: false,
      demoPortal: true,
      codeLength: 6,
    });
  });
});

describe('console tickets', () => {
  it('turn a valid key into a single-use ticket the console joins with', async () => {
    const s = await server({ publicUrl: 'https://tandem.example.test' });
    const token = await devToken(s);
    const visitor = await TestClient.connect(s.wsUrl);
    visitor.send({ type: 'visitor.start' });
    const created = await visitor.next('session.created');
    const issued = await post(s, '/api/agent/console-tickets', { code: created.code }, token);
    expect(issued.status).toBe(201);
    const ticket = issued.body.ticket as string;
    expect(issued.body.consoleUrl).toBe(`https://tandem.example.test/console#ticket=${ticket}`);
    expect(issued.body.sessionId).toBe(created.sessionId);

    const consoleSocket = await TestClient.connect(s.wsUrl);
    consoleSocket.send({ type: 'agent.join', ticket });
    const joined = await consoleSocket.next('session.joined');
    expect(joined.sessionId).toBe(created.sessionId);
    expect((await visitor.next('peer.joined')).link.peer.name).toBe('Ana Agent');

    const reuse = await TestClient.connect(s.wsUrl);
    reuse.send({ type: 'agent.join', ticket });
    expect((await reuse.next('error')).code).toBe(ErrorCode.InvalidTicket);
    for (const c of [visitor, consoleSocket, reuse]) c.close();
  });

  it('are refused without a valid token, for a wrong key and for a malformed key', async () => {
    const s = await server();
    const token = await devToken(s);
    expect((await post(s, '/api/agent/console-tickets', { code: '123456' })).status).toBe(401);
    expect((await post(s, '/api/agent/console-tickets', { code: '123456' }, 'nope.nope')).body.code).toBe(
      ErrorCode.Unauthorized,
    );
    const wrong = await post(s, '/api/agent/console-tickets', { code: '123456' }, token);
    expect(wrong).toEqual({
      status: 404,
      body: { code: ErrorCode.InvalidCode, message: expect.stringContaining('No session') },
    });
    expect((await post(s, '/api/agent/console-tickets', { code: '12 34' }, token)).status).toBe(400);
  });
});

describe('browser clients', () => {
  it('serves the demo portal, the widget script, the join page and the console with security headers', async () => {
    const s = await server();
    const portal = await fetch(`${s.baseUrl}/`);
    expect(portal.status).toBe(200);
    expect(await portal.text()).toContain('<script src="/widget.js"');
    expect(portal.headers.get('content-security-policy')).toContain("default-src 'self'");
    const widget = await fetch(`${s.baseUrl}/widget.js`);
    expect(widget.headers.get('content-type')).toMatch(/javascript/);
    expect(widget.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(await widget.text()).toContain('Start video session');
    expect(await (await fetch(`${s.baseUrl}/join`)).text()).toContain('Join with key');
    expect(await (await fetch(`${s.baseUrl}/console`)).text()).toContain('Agent console');
  });
});

describe('moving browsers to https', () => {
  it('is asked of them only when the service is reached over https', async () => {
    // Over plain http (a local run, the demo), Safari (WebKit) upgraded every request of such a page to https, even to
    // localhost, and loaded neither the widget nor the console's scripts.
    const plain = await server();
    for (const path of ['/', '/portal/form.html', '/join', '/console', '/guest']) {
      const page = await fetch(`${plain.baseUrl}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
      expect(page.headers.get('strict-transport-security')).toBeNull();
    }
    const deployed = await server({ publicUrl: 'https://tandem.example' });
    const page = await fetch(`${deployed.baseUrl}/join`);
    expect(page.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    expect(page.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });
});

describe('graceful shutdown', () => {
  it('ends the sessions it holds, tells their members why, and leaves a consistent database behind', async () => {
    const s = await startServer();
    const token = await devToken(s);
    const { visitor, agent, joined } = await startCall(s.wsUrl, token);
    await s.app.close();
    expect((await visitor.next('session.ended')).reason).toBe(EndReason.ServiceRestart);
    expect((await visitor.closed()).code).toBe(CloseCode.SessionEnded);
    expect((await agent.closed()).code).toBe(CloseCode.SessionEnded);
    // Read by a store opened afresh on the same records (a SQLite file, or a PostgreSQL schema), as a restart would.
    const reopened = createStore(s.config.store);
    const record = await reopened.getSession(joined.sessionId);
    await reopened.close();
    expect(record).toMatchObject({ status: 'ended', endReason: EndReason.ServiceRestart });
    await s.stop();
  });
});
