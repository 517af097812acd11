import { createHash } from 'node:crypto';
import { ErrorCode, Privilege } from '../../src/protocol/codes';
import { serviceSuite } from '../helpers/serviceSuite';
import { startServer } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';
import {
  AGENT,
  API_KEY,
  callAsApex,
  newContactId,
  ORG_ID,
  orgConfig,
  OTHER_API_KEY,
  OTHER_ORG_ID,
  PORTAL_SITE,
  sha256,
} from '../helpers/salesforceFixtures';

/* The endpoints the package's Apex calls through the Named Credential, exercised the way Apex does: JSON over
 * HTTP with the org's API key header. */

jest.setTimeout(20_000);

const TERMS = 'Terms for the Salesforce test.';
const suite = serviceSuite({
  sites: [PORTAL_SITE],
  devSignInSiteIds: [],
  terms: { version: 'sf-1', text: TERMS, promptSeconds: 30, agentWaitSeconds: 60 },
  salesforce: {
    orgs: [
      orgConfig(),
      orgConfig({ orgId: OTHER_ORG_ID, name: 'Other org', apiKeySha256: sha256(OTHER_API_KEY), siteIds: [] }),
    ],
    outbox: { enabled: false },
  },
} as never);
const connect = () => suite.connect();

async function portalTab(contactId: string): Promise<TestClient> {
  const minted = await callAsApex(suite.server, '/api/salesforce/visitor-tokens', {
    orgId: ORG_ID,
    contactId,
    name: 'Maya Customer',
  });
  expect(minted.status).toBe(201);
  const tab = await connect();
  tab.send({ type: 'visitor.hello', visitorToken: minted.body.token as string });
  expect(await tab.next('presence.registered')).toMatchObject({ visitorId: contactId });
  return tab;
}

describe('org authentication', () => {
  it("refuses calls without the API key, with a wrong key, or with another org's key", async () => {
    const body = { orgId: ORG_ID, contactId: newContactId() };
    expect((await callAsApex(suite.server, '/api/salesforce/presence', body, null)).status).toBe(401);
    expect(
      (await callAsApex(suite.server, '/api/salesforce/presence', body, 'not-the-key-not-the-key-00000')).status,
    ).toBe(401);
    expect((await callAsApex(suite.server, '/api/salesforce/presence', body, OTHER_API_KEY)).status).toBe(401);
    const unknownOrg = await callAsApex(suite.server, '/api/salesforce/presence', {
      ...body,
      orgId: '00D5g000000NobodyA',
    });
    expect(unknownOrg).toMatchObject({ status: 401, body: { code: ErrorCode.Unauthorized } });
    expect((await callAsApex(suite.server, '/api/salesforce/presence', body)).status).toBe(200);
  });

  it('accepts the org id in its 15-character form too', async () => {
    const { status } = await callAsApex(suite.server, '/api/salesforce/presence', {
      orgId: ORG_ID.slice(0, 15),
      contactId: newContactId(),
    });
    expect(status).toBe(200);
  });

  it('validates bodies against the protocol schema', async () => {
    const bad = await callAsApex(suite.server, '/api/salesforce/presence', {
      orgId: ORG_ID,
      contactId: '001NOTACONTACT',
    });
    expect(bad.status).toBe(400);
    const extra = await callAsApex(suite.server, '/api/salesforce/agent-tokens', {
      ...AGENT,
      orgId: ORG_ID,
      surprise: true,
    });
    expect(extra.status).toBe(400);
  });

  it('keeps the org registry in the store, with the key hashed', async () => {
    const stored = await suite.server.store.getSalesforceOrg(ORG_ID);
    expect(stored).toMatchObject({ orgId: ORG_ID, apiKeySha256: sha256(API_KEY), siteIds: [PORTAL_SITE.id] });
    expect(JSON.stringify(stored)).not.toContain(API_KEY);
  });
});

describe('presence for the Contact page', () => {
  it('mints an agent token whose socket gets live presence pushes, and answers polls', async () => {
    const contactId = newContactId();
    const minted = await callAsApex(suite.server, '/api/salesforce/agent-tokens', {
      ...AGENT,
      orgId: ORG_ID,
      contactId,
    });
    expect(minted.status).toBe(201);
    // The socket address follows the public URL (https -> wss in production).
    expect(minted.body).toMatchObject({
      online: false,
      codeLength: 6,
      wsUrl: `${suite.server.config.publicUrl.replace(/^http/, 'ws')}/ws`,
    });

    const component = await connect();
    component.send({ type: 'agent.watch', token: minted.body.token as string, visitorIds: [contactId] });
    expect(await component.next('presence')).toEqual({ type: 'presence', visitorId: contactId, online: false });
    const tab = await portalTab(contactId);
    expect(await component.next('presence')).toEqual({ type: 'presence', visitorId: contactId, online: true });
    expect((await callAsApex(suite.server, '/api/salesforce/presence', { orgId: ORG_ID, contactId })).body).toEqual({
      contactId,
      online: true,
    });
    tab.close();
    expect(await component.next('presence')).toEqual({ type: 'presence', visitorId: contactId, online: false });
    expect((await callAsApex(suite.server, '/api/salesforce/presence', { orgId: ORG_ID, contactId })).body).toEqual({
      contactId,
      online: false,
    });
  });

  it('remembers which org the agent belongs to', async () => {
    await callAsApex(suite.server, '/api/salesforce/agent-tokens', { ...AGENT, orgId: ORG_ID });
    expect(await suite.server.store.getSalesforceUserOrg(AGENT.userId)).toBe(ORG_ID);
  });
});

describe('1-click connect from Salesforce', () => {
  it('refuses a contact who is offline', async () => {
    const { status, body } = await callAsApex(suite.server, '/api/salesforce/invitations', {
      ...AGENT,
      orgId: ORG_ID,
      contactId: newContactId(),
    });
    expect(status).toBe(409);
    expect(body.code).toBe(ErrorCode.VisitorOffline);
  });

  it("prompts the visitor with the terms and opens the console from the single-use ticket, with the agent's privileges", async () => {
    const contactId = newContactId();
    const tab = await portalTab(contactId);
    const { status, body } = await callAsApex(suite.server, '/api/salesforce/invitations', {
      ...AGENT,
      orgId: ORG_ID,
      contactId,
      privileges: [Privilege.AgentVideo, 'Some_Other_Permission'],
    });
    expect(status).toBe(201);
    expect(body.consoleUrl).toBe(`${suite.server.config.publicUrl}/console#ticket=${body.ticket as string}`);
    const prompt = await tab.next('terms.prompt');
    expect(prompt).toMatchObject({ agentName: AGENT.userName, termsText: TERMS });

    const agentConsole = await connect();
    agentConsole.send({ type: 'agent.join', ticket: body.ticket as string });
    const joined = await agentConsole.next('session.joined');
    expect(joined.self).toMatchObject({ role: 'agent', privileges: [Privilege.AgentVideo] });
    // The ticket is single-use.
    const again = await connect();
    again.send({ type: 'agent.join', ticket: body.ticket as string });
    expect((await again.next('error')).code).toBe(ErrorCode.InvalidTicket);

    tab.send({
      type: 'terms.accept',
      invitationId: prompt.invitationId,
      termsHash: createHash('sha256').update(TERMS).digest('hex'),
    });
    expect((await tab.next('session.joined')).peers[0]?.peer.role).toBe('agent');
    expect(await suite.server.store.getSalesforceSessionLink(body.sessionId as string)).toMatchObject({
      orgId: ORG_ID,
      contactId,
      agentUserId: AGENT.userId,
    });
  });
});

describe('join with key from Salesforce', () => {
  async function anonymousVisitor(): Promise<{ visitor: TestClient; code: string }> {
    const visitor = await connect();
    visitor.send({ type: 'visitor.start' });
    const created = await visitor.next('session.created');
    return { visitor, code: created.code };
  }

  it("admits the agent with the visitor's key and links the session to the contact page it came from", async () => {
    const { visitor, code } = await anonymousVisitor();
    const contactId = newContactId();
    const { status, body } = await callAsApex(suite.server, '/api/salesforce/console-tickets', {
      ...AGENT,
      orgId: ORG_ID,
      code,
      contactId,
    });
    expect(status).toBe(201);
    const agentConsole = await connect();
    agentConsole.send({ type: 'agent.join', ticket: body.ticket as string });
    expect((await agentConsole.next('session.joined')).self.privileges).toEqual([
      Privilege.AgentVideo,
      Privilege.RemoteControl,
    ]);
    expect((await visitor.next('peer.joined')).link.peer.role).toBe('agent');
    expect(await suite.server.store.getSalesforceSessionLink(body.sessionId as string)).toMatchObject({
      orgId: ORG_ID,
      contactId,
    });
  });

  it('answers a wrong key with a clear error and counts wrong keys per agent', async () => {
    const agent = { ...AGENT, userId: '0055g00000GuesserA' };
    const first = await callAsApex(suite.server, '/api/salesforce/console-tickets', {
      ...agent,
      orgId: ORG_ID,
      code: '000000',
    });
    expect(first.status).toBe(404);
    expect(first.body).toMatchObject({ code: ErrorCode.InvalidCode, message: expect.stringContaining('key') });
    for (let i = 0; i < 4; i++)
      await callAsApex(suite.server, '/api/salesforce/console-tickets', { ...agent, orgId: ORG_ID, code: '000000' });
    const limited = await callAsApex(suite.server, '/api/salesforce/console-tickets', {
      ...agent,
      orgId: ORG_ID,
      code: '000000',
    });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe(ErrorCode.RateLimited);
  });

  it('refuses a key that is not digits', async () => {
    expect(
      (await callAsApex(suite.server, '/api/salesforce/console-tickets', { ...AGENT, orgId: ORG_ID, code: '12ab56' }))
        .status,
    ).toBe(400);
  });
});

describe('visitor tokens for Experience Cloud', () => {
  it("are signed for the org's portal site and refused for an org without one", async () => {
    const contactId = newContactId();
    const minted = await callAsApex(suite.server, '/api/salesforce/visitor-tokens', { orgId: ORG_ID, contactId });
    expect(minted.status).toBe(201);
    const claims = JSON.parse(
      Buffer.from((minted.body.token as string).split('.')[0] as string, 'base64url').toString(),
    ) as Record<string, unknown>;
    expect(claims).toMatchObject({ site: PORTAL_SITE.id, sub: contactId });
    const other = await callAsApex(
      suite.server,
      '/api/salesforce/visitor-tokens',
      { orgId: OTHER_ORG_ID, contactId },
      OTHER_API_KEY,
    );
    expect(other.status).toBe(403);
  });
});

describe('per-org rate limit', () => {
  it('counts calls per org key, not per address', async () => {
    const limited = await startServer({
      sites: [PORTAL_SITE],
      devSignInSiteIds: [],
      salesforce: { orgs: [orgConfig()], requestsPerOrgPerMinute: 3, outbox: { enabled: false } },
    } as never);
    try {
      const body = { orgId: ORG_ID, contactId: newContactId() };
      for (let i = 0; i < 3; i++)
        expect((await callAsApex(limited, '/api/salesforce/presence', body)).status).toBe(200);
      expect((await callAsApex(limited, '/api/salesforce/presence', body)).status).toBe(429);
    } finally {
      await limited.stop();
    }
  });
});
