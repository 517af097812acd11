import { createHash } from 'node:crypto';
import { startServiceProcess, type ServiceProcess } from '../../scripts/serviceProcess';
import { ErrorCode } from '../../src/protocol/codes';
import { eventually } from '../helpers/eventually';
import { startPausableProxy, type PausableProxy } from '../helpers/pausableProxy';
import { dropSchema, freshSchema, postgresConfig, sql, TEST_DATABASE_URL } from '../helpers/postgres';
import { devToken, startServer, type RunningServer } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';

/* PostgreSQL away: the service reaches the real database through a proxy the test cuts (test/helpers/pausableProxy.ts),
 * so only this service loses it. While it is away the service says it is not ready and refuses what it cannot store;
 * once it is back, the same service (no restart) is ready and takes the same answer. */

jest.setTimeout(60_000);

const SITE = {
  id: 'acme',
  apiKey: 'acme-site-api-key-0123456789',
  signingSecret: 'acme-signing-secret-0123456789abcdef',
};
const TERMS_TEXT = 'Terms for the test.';
const TERMS_HASH = createHash('sha256').update(TERMS_TEXT).digest('hex');
const target = new URL(TEST_DATABASE_URL);

let proxy: PausableProxy;
const schemas: string[] = [];
const clients: TestClient[] = [];

beforeEach(async () => {
  proxy = await startPausableProxy({ host: target.hostname, port: Number(target.port || 5432) });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await proxy.close();
  await Promise.all(schemas.splice(0).map(dropSchema));
});

const readiness = async (baseUrl: string) => (await fetch(`${baseUrl}/readyz`)).status;

describe('PostgreSQL away, in process', () => {
  let server: RunningServer;
  let schema: string;

  beforeEach(async () => {
    schema = freshSchema();
    schemas.push(schema);
    server = await startServer({
      sites: [SITE],
      devSignInSiteIds: [SITE.id],
      terms: { version: 'v7', text: TERMS_TEXT, promptSeconds: 40, agentWaitSeconds: 60 },
      store: postgresConfig(schema, { url: proxy.via(TEST_DATABASE_URL) }),
    });
  });

  afterEach(() => server.stop());

  async function visitorTab(visitorId: string): Promise<TestClient> {
    const minted = await fetch(`${server.baseUrl}/api/visitor-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tandem-site-key': SITE.apiKey },
      body: JSON.stringify({ visitorId, name: 'Maya' }),
    });
    const { token } = (await minted.json()) as { token: string };
    const tab = await TestClient.connect(server.wsUrl);
    clients.push(tab);
    tab.send({ type: 'visitor.hello', visitorToken: token });
    await tab.next('presence.registered');
    return tab;
  }

  it('answers /readyz 503 while PostgreSQL is away, and 200 again once it is back, without a restart', async () => {
    expect(await readiness(server.baseUrl)).toBe(200);
    proxy.pause();
    expect(await readiness(server.baseUrl)).toBe(503);
    expect(await (await fetch(`${server.baseUrl}/readyz`)).json()).toEqual({ status: 'store unavailable' });
    // Still alive: liveness is the process, not the database.
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    proxy.resume();
    await eventually(
      () => readiness(server.baseUrl),
      (s) => s === 200,
      'ready again',
      10_000,
    );
  });

  it('answers /readyz 503 within seconds when PostgreSQL stops answering without refusing, and recovers', async () => {
    expect(await readiness(server.baseUrl)).toBe(200);
    proxy.stall();
    // The pool's connection hangs (the ping's 3 s timeout), then a new one cannot be opened (the 5 s connect timeout):
    // never the 15 s every other query may take, nor forever.
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      expect(await readiness(server.baseUrl)).toBe(503);
      expect(Date.now() - started).toBeLessThan(10_000);
    }
    proxy.resume();
    await eventually(
      () => readiness(server.baseUrl),
      (s) => s === 200,
      'ready again',
      10_000,
    );
  });

  it('refuses a terms acceptance it cannot store, never reports it accepted, and takes the same answer once PostgreSQL is back', async () => {
    const visitorId = '003AWAY000000001';
    const tab = await visitorTab(visitorId);
    const token = await devToken(server);
    const invited = await fetch(`${server.baseUrl}/api/agent/invitations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ visitorId }),
    });
    const invitation = (await invited.json()) as { sessionId: string; ticket: string };
    const agent = await TestClient.connect(server.wsUrl);
    clients.push(agent);
    agent.send({ type: 'agent.join', ticket: invitation.ticket });
    await agent.next('session.joined');
    const prompt = await tab.next('terms.prompt');

    proxy.pause();
    tab.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash: TERMS_HASH });
    expect(await tab.next('error', 10_000)).toMatchObject({ code: ErrorCode.Internal, inReplyTo: 'terms.accept' });
    expect(tab.received.some((m) => m.type === 'session.joined')).toBe(false);
    expect(agent.received.some((m) => m.type === 'peer.joined')).toBe(false);

    proxy.resume();
    await eventually(
      () => readiness(server.baseUrl),
      (s) => s === 200,
      'ready again',
      10_000,
    );
    // Nothing was stored while the database was away.
    expect(await sql(schema, 'SELECT count(*)::int AS n FROM terms_acceptances')).toEqual([{ n: 0 }]);
    // The prompt is still open and the tab may answer again: this time it is stored, once, and the call starts.
    tab.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash: TERMS_HASH });
    await tab.next('session.joined');
    expect((await agent.next('peer.joined')).link.peer.role).toBe('visitor');
    expect(await sql(schema, 'SELECT session_id, site_id, visitor_id, text_sha256 FROM terms_acceptances')).toEqual([
      { session_id: invitation.sessionId, site_id: SITE.id, visitor_id: visitorId, text_sha256: TERMS_HASH },
    ]);
  });
});

describe('PostgreSQL away, as its own process', () => {
  const SECRET = 'pg-password-never-logged';
  const env = (schema: string) => ({
    // Trust authentication ignores the password; it is there to show it never reaches the output.
    TANDEM_DATABASE_URL: proxy.via(TEST_DATABASE_URL.replace('://postgres@', `://postgres:${SECRET}@`)),
    TANDEM_DATABASE_SCHEMA: schema,
    TANDEM_DATABASE_POOL_SIZE: '2',
    TANDEM_LOG_LEVEL: 'info',
  });

  it('recovers without a restart, and logs the lost connection without the password', async () => {
    const schema = freshSchema();
    schemas.push(schema);
    const service = await startServiceProcess(env(schema));
    try {
      expect(await readiness(service.baseUrl)).toBe(200);
      proxy.pause();
      expect(await readiness(service.baseUrl)).toBe(503);
      proxy.resume();
      await eventually(
        () => readiness(service.baseUrl),
        (s) => s === 200,
        'ready again',
        10_000,
      );
      expect(service.exited()).toBeUndefined();
      // The pool's idle connections were cut too, and said so.
      await eventually(
        () => service.log(),
        (log) => log.includes('PostgreSQL connection lost'),
        'the lost connection logged',
        5000,
      );
    } finally {
      await service.stop();
    }
    expect(service.log()).not.toContain(SECRET);
  });

  it('does not start without its database, and says why without the password', async () => {
    const schema = freshSchema();
    schemas.push(schema);
    proxy.pause();
    let started: ServiceProcess | undefined;
    let failure = '';
    try {
      started = await startServiceProcess(env(schema));
    } catch (err) {
      failure = (err as Error).message; // it carries the process's output
    } finally {
      await started?.stop();
    }
    expect(failure).toMatch(/did not start: exited with 1/);
    expect(failure).toMatch(/Tandem failed to start/);
    expect(failure).not.toContain(SECRET);
  });
});
