import WebSocket from 'ws';
import { ErrorCode } from '../../src/protocol/codes';
import { signVisitorToken } from '../../src/identity/visitorToken';
import { serviceSuite } from '../helpers/serviceSuite';
import { AGENT, callAsApex } from '../helpers/salesforceFixtures';
import {
  ACME_KEY,
  ACME_ORG,
  ACME_PORTAL,
  MALLORY_KEY,
  MALLORY_ORG,
  MALLORY_SHOP,
  orgLinkedTo,
} from '../helpers/tenancyFixtures';
import { startServer } from '../helpers/testServer';

/* Finding 2: any origin could open /ws (a socket from https://evil.example created a session), and a session's code
 * could be joined by any tenant's agent. Now the upgrade checks the page's Origin against the sites' listed origins
 * (plus the service's own pages), the socket carries its site into the session it starts, an agent joins by code only
 * within its tenant's sites, and a page of one site can't present another site's visitor token. */

jest.setTimeout(20_000);

const ACME_SITE = ACME_PORTAL;
const MALLORY_SITE = MALLORY_SHOP;
const org = orgLinkedTo;

const suite = serviceSuite({
  sites: [ACME_SITE, MALLORY_SITE],
  devSignInSiteIds: [ACME_SITE.id],
  salesforce: {
    orgs: [org(ACME_ORG, ACME_KEY, [ACME_SITE.id]), org(MALLORY_ORG, MALLORY_KEY, [MALLORY_SITE.id])],
    outbox: { enabled: false },
  },
} as never);

/** The HTTP status the upgrade got, or 101 when the socket opened. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', (err) => {
      if (!String(err.message).includes('Unexpected server response')) reject(err);
    });
  });
}

async function agentTokenOf(orgId: string, key: string): Promise<string> {
  const answer = await callAsApex(suite.server, '/api/salesforce/agent-tokens', { ...AGENT, orgId }, key);
  expect(answer.status).toBe(201);
  return answer.body.token as string;
}

/** A visitor session started from a page of this origin: its id and code. */
async function sessionFrom(origin: string): Promise<{ sessionId: string; code: string }> {
  const visitor = await suite.connect({ origin });
  visitor.send({ type: 'visitor.start' });
  const created = await visitor.next('session.created');
  return { sessionId: created.sessionId, code: created.code };
}

describe('which pages may open the socket', () => {
  it('refuses the upgrade from an origin no site lists, and from malformed ones, before any socket exists', async () => {
    const before = await suite.server.store.listOpenSessions();
    for (const origin of [
      'https://evil.example',
      'null',
      'https://portal.acme.example.evil.example',
      'https://portal.acme.example/path',
    ]) {
      expect([origin, await upgradeStatus(suite.server.wsUrl, { origin })]).toEqual([origin, 403]);
    }
    expect((await suite.server.store.listOpenSessions()).length).toBe(before.length);
  });

  it('opens for a listed origin (any case, default port) and for the service’s own pages', async () => {
    for (const origin of ['https://portal.acme.example', 'HTTPS://Portal.Acme.Example:443', suite.server.baseUrl]) {
      expect([origin, await upgradeStatus(suite.server.wsUrl, { origin })]).toEqual([origin, 101]);
    }
  });

  it('tells a page whether it may use the service, readable from any origin', async () => {
    const ask = async (origin: string) => {
      const response = await fetch(`${suite.server.baseUrl}/api/widget/origin`, { headers: { origin } });
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      return ((await response.json()) as { allowed: boolean }).allowed;
    };
    expect(await ask('https://portal.acme.example')).toBe(true);
    expect(await ask('https://evil.example')).toBe(false);
  });

  it('refuses a socket with no Origin when the configuration says so (the production profile does)', async () => {
    const strict = await startServer({ socket: { allowMissingOrigin: false } } as never);
    try {
      expect(await upgradeStatus(strict.wsUrl, {})).toBe(403);
      expect(await upgradeStatus(strict.wsUrl, { origin: strict.baseUrl })).toBe(101);
    } finally {
      await strict.stop();
    }
  });
});

describe('a session belongs to the site whose page started it', () => {
  it('stores the site of the socket’s origin with the session', async () => {
    const acme = await sessionFrom('https://portal.acme.example');
    expect((await suite.server.store.getSession(acme.sessionId))?.siteId).toBe(ACME_SITE.id);
    const own = await sessionFrom(suite.server.baseUrl);
    expect((await suite.server.store.getSession(own.sessionId))?.siteId ?? null).toBeNull();
  });

  it('lets only the site’s own tenant join by code: another org’s agent is answered as for a wrong key', async () => {
    const mallory = await agentTokenOf(MALLORY_ORG, MALLORY_KEY);
    const acme = await agentTokenOf(ACME_ORG, ACME_KEY);
    const session = await sessionFrom('https://portal.acme.example');

    const intruder = await suite.connect({ origin: suite.server.baseUrl });
    intruder.send({ type: 'agent.join', token: mallory, code: session.code });
    expect((await intruder.next('error')).code).toBe(ErrorCode.InvalidCode);
    const ticket = await callAsApex(
      suite.server,
      '/api/salesforce/console-tickets',
      { ...AGENT, orgId: MALLORY_ORG, code: session.code },
      MALLORY_KEY,
    );
    const wrongKey = await callAsApex(
      suite.server,
      '/api/salesforce/console-tickets',
      { ...AGENT, orgId: MALLORY_ORG, code: '999999999' },
      MALLORY_KEY,
    );
    expect([ticket.status, ticket.body.code]).toEqual([wrongKey.status, wrongKey.body.code]);
    const http = await fetch(`${suite.server.baseUrl}/api/agent/console-tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${mallory}` },
      body: JSON.stringify({ code: session.code }),
    });
    expect(http.status).toBe(wrongKey.status);

    // The session is untouched: its own tenant's agent still joins it.
    const agent = await suite.connect({ origin: suite.server.baseUrl });
    agent.send({ type: 'agent.join', token: acme, code: session.code });
    expect((await agent.next('session.joined')).sessionId).toBe(session.sessionId);
  });

  it('lets any tenant join a session started on the service’s own pages (no customer’s site)', async () => {
    const mallory = await agentTokenOf(MALLORY_ORG, MALLORY_KEY);
    const session = await sessionFrom(suite.server.baseUrl);
    const agent = await suite.connect({ origin: suite.server.baseUrl });
    agent.send({ type: 'agent.join', token: mallory, code: session.code });
    expect((await agent.next('session.joined')).sessionId).toBe(session.sessionId);
  });
});

describe('a page presents only its own site’s visitor tokens', () => {
  const acmeToken = () =>
    signVisitorToken({ site: ACME_SITE.id, sub: '003ACME000000001' }, ACME_SITE.signingSecret, Date.now(), 600).token;

  it('refuses an Acme visitor’s token on Mallory’s page, and takes it on Acme’s own and on the service’s pages', async () => {
    const onMallory = await suite.connect({ origin: MALLORY_SITE.allowedOrigins[0]! });
    onMallory.send({ type: 'visitor.hello', visitorToken: acmeToken() });
    expect((await onMallory.next('error')).code).toBe(ErrorCode.Unauthorized);

    for (const origin of [ACME_SITE.allowedOrigins[0]!, suite.server.baseUrl]) {
      const tab = await suite.connect({ origin });
      tab.send({ type: 'visitor.hello', visitorToken: acmeToken() });
      expect((await tab.next('presence.registered')).visitorId).toBe('003ACME000000001');
    }
  });
});
