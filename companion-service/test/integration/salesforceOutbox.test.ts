import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';
import { SalesforceDouble, type DoubleUser } from '../helpers/salesforceDouble';
import {
  AGENT,
  callAsApex,
  CLIENT_ID,
  CLIENT_SECRET,
  newContactId,
  ORG_ID,
  orgWithDouble,
  PORTAL_SITE,
  waitFor,
} from '../helpers/salesforceFixtures';

/* Session records reach Salesforce through the outbox: written to SQLite first, upserted by external id with
 * jsforce against a local double of the REST API, retried with backoff through outages and revoked sessions,
 * and delivered once even across a restart. */

jest.setTimeout(30_000);

const INTEGRATION: DoubleUser = { id: '0055g00000IntegrAA', name: 'Tandem Integration', username: 'integration@acme.test', permissions: [] };
const TERMS = 'Outbox test terms.';
const FAST_OUTBOX = { enabled: true, pollSeconds: 1, initialBackoffSeconds: 1, maxBackoffSeconds: 2, batchSize: 20, leaseSeconds: 30 };

let double: SalesforceDouble;
const servers: RunningServer[] = [];
const clients: TestClient[] = [];
const dirs: string[] = [];

beforeEach(async () => {
  double = await SalesforceDouble.start({ orgId: ORG_ID, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, integrationUser: INTEGRATION });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.stop();
  await double.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function serve(sqlitePath?: string, org = orgWithDouble(double)): Promise<RunningServer> {
  const server = await startServer({
    sites: [PORTAL_SITE],
    terms: { version: 'terms-9', text: TERMS, promptSeconds: 30, agentWaitSeconds: 60 },
    salesforce: { orgs: [org], outbox: FAST_OUTBOX, requestTimeoutSeconds: 3 },
    ...(sqlitePath ? { store: { kind: 'sqlite', sqlitePath } } : {}),
  } as never);
  servers.push(server);
  return server;
}

async function connect(server: RunningServer): Promise<TestClient> {
  const c = await TestClient.connect(server.wsUrl);
  clients.push(c);
  return c;
}

/** A key session joined from a Contact page through the Apex endpoint, then ended by the agent. */
async function keySessionEndedByAgent(server: RunningServer, contactId: string): Promise<string> {
  const visitor = await connect(server);
  visitor.send({ type: 'visitor.start' });
  const { code } = await visitor.next('session.created');
  const joined = await callAsApex(server, '/api/salesforce/console-tickets', { ...AGENT, orgId: ORG_ID, code, contactId });
  expect(joined.status).toBe(201);
  const agentConsole = await connect(server);
  agentConsole.send({ type: 'agent.join', ticket: joined.body.ticket as string });
  await agentConsole.next('session.joined');
  agentConsole.send({ type: 'session.end' });
  await agentConsole.next('session.ended');
  return joined.body.sessionId as string;
}

const outboxOf = (server: RunningServer) => server.store.listSalesforceOutbox();

describe('session records in Salesforce', () => {
  it('upserts the ended session by external id with contact, agent, code, times and outcome', async () => {
    const server = await serve();
    const contactId = newContactId();
    const sessionId = await keySessionEndedByAgent(server, contactId);
    await waitFor(() => double.records.size, (n) => n === 1, 5000, 'the record in Salesforce');
    const record = double.records.get(`Tandem_Session__c/${sessionId}`);
    expect(record?.fields).toMatchObject({
      External_Id__c: sessionId,
      Contact__c: contactId,
      Agent__c: AGENT.userId,
      Outcome__c: 'agent_ended',
      Guest_Count__c: 0,
      Terms_Version__c: null,
    });
    expect(record?.fields.Session_Code__c).toMatch(/^\d{6}$/);
    expect(Date.parse(record?.fields.Ended_At__c as string)).toBeGreaterThanOrEqual(Date.parse(record?.fields.Started_At__c as string));
    const [entry] = await outboxOf(server);
    expect(entry).toMatchObject({ externalId: sessionId, attempts: 0, lastError: null });
    expect(entry?.deliveredAt).toEqual(expect.any(Number));
    // The integration signed in with client credentials and upserted with its token.
    const upsertCall = double.requests.find((r) => r.method === 'PATCH');
    expect(upsertCall?.path).toBe(`/services/data/v64.0/sobjects/Tandem_Session__c/External_Id__c/${sessionId}`);
  });

  it('records the terms version and acceptance time of a 1-click session', async () => {
    const server = await serve();
    const contactId = newContactId();
    const minted = await callAsApex(server, '/api/salesforce/visitor-tokens', { orgId: ORG_ID, contactId });
    const tab = await connect(server);
    tab.send({ type: 'visitor.hello', visitorToken: minted.body.token as string });
    await tab.next('presence.registered');
    const invited = await callAsApex(server, '/api/salesforce/invitations', { ...AGENT, orgId: ORG_ID, contactId });
    expect(invited.status).toBe(201);
    const agentConsole = await connect(server);
    agentConsole.send({ type: 'agent.join', ticket: invited.body.ticket as string });
    await agentConsole.next('session.joined');
    const prompt = await tab.next('terms.prompt');
    tab.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash: createHash('sha256').update(TERMS).digest('hex') });
    await tab.next('session.joined');
    tab.send({ type: 'session.leave' });
    await agentConsole.next('session.ended');
    await waitFor(() => double.records.size, (n) => n === 1, 5000, 'the record in Salesforce');
    const fields = double.records.get(`Tandem_Session__c/${invited.body.sessionId as string}`)?.fields;
    const acceptance = await server.store.getTermsAcceptance(invited.body.sessionId as string);
    expect(fields).toMatchObject({
      Contact__c: contactId,
      Agent__c: AGENT.userId,
      Outcome__c: 'visitor_hangup',
      Terms_Version__c: 'terms-9',
      Terms_Accepted_At__c: new Date(acceptance!.acceptedAt).toISOString(),
    });
  });

  it('does not queue sessions that no Salesforce org is behind', async () => {
    const server = await serve();
    const visitor = await connect(server);
    visitor.send({ type: 'visitor.start' });
    visitor.send({ type: 'session.leave' });
    await visitor.closed();
    await new Promise((r) => setTimeout(r, 300));
    expect(await outboxOf(server)).toEqual([]);
  });
});

describe('outbox through Salesforce outages', () => {
  it('keeps the record while Salesforce answers 503 and delivers it once it is back', async () => {
    const server = await serve();
    double.unavailable = true;
    const sessionId = await keySessionEndedByAgent(server, newContactId());
    const failed = await waitFor(() => outboxOf(server), (e) => (e[0]?.attempts ?? 0) >= 2, 8000, 'two failed attempts');
    expect(failed[0]).toMatchObject({ externalId: sessionId, deliveredAt: null });
    expect(failed[0]?.lastError).toMatch(/SERVER_UNAVAILABLE|503|unavailable/i);
    // Backoff: attempts are spread out, not hammered.
    const tokenCalls = double.requests.filter((r) => r.path === '/services/oauth2/token').length;
    expect(tokenCalls).toBeLessThanOrEqual(5);
    double.unavailable = false;
    await waitFor(() => outboxOf(server), (e) => e[0]?.deliveredAt !== null, 8000, 'delivery after the outage');
    expect(double.records.size).toBe(1);
    expect(double.upserts.filter((u) => u.value === sessionId)).toHaveLength(1);
  });

  it('survives a restart while Salesforce is unreachable and delivers exactly once afterwards', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tandem-outbox-'));
    dirs.push(dir);
    const file = path.join(dir, 'tandem.db');
    await double.goDown(); // connection refused
    const first = await serve(file);
    const sessionId = await keySessionEndedByAgent(first, newContactId());
    await waitFor(() => outboxOf(first), (e) => (e[0]?.attempts ?? 0) >= 1, 8000, 'a failed attempt');
    expect((await outboxOf(first))[0]?.lastError).toMatch(/ECONNREFUSED|connect/i);
    await first.stop();
    servers.splice(servers.indexOf(first), 1);

    await double.comeBack();
    const second = await serve(file);
    await waitFor(() => outboxOf(second), (e) => e[0]?.deliveredAt !== null, 8000, 'delivery after the restart');
    expect(double.upserts.map((u) => u.value)).toEqual([sessionId]);
    // Nothing more is sent later: delivered records stay delivered.
    await new Promise((r) => setTimeout(r, 1500));
    expect(double.upserts).toHaveLength(1);
    expect(await outboxOf(second)).toHaveLength(1);
  });

  it('signs in again when the session is revoked, keeps the record while re-authentication fails, then delivers', async () => {
    const server = await serve();
    await keySessionEndedByAgent(server, newContactId());
    await waitFor(() => double.records.size, (n) => n === 1, 5000, 'the first record');

    // Salesforce revokes the integration's session and its authorization.
    double.revokeAllSessions();
    double.refuseGrants = true;
    const sessionId = await keySessionEndedByAgent(server, newContactId());
    const failed = await waitFor(
      () => outboxOf(server),
      (e) => (e.find((x) => x.externalId === sessionId)?.attempts ?? 0) >= 1,
      8000,
      'a failed attempt',
    );
    expect(failed.find((x) => x.externalId === sessionId)?.lastError).toMatch(/refresh|invalid_grant|expired/i);
    expect(double.records.has(`Tandem_Session__c/${sessionId}`)).toBe(false);
    // The old session was tried once (401 INVALID_SESSION_ID), then a fresh sign-in was refused.
    expect(double.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(sessionId)).length).toBeGreaterThanOrEqual(1);

    // The admin re-authorizes the connected app: the next attempt signs in afresh and delivers.
    double.refuseGrants = false;
    await waitFor(() => double.records.size, (n) => n === 2, 8000, 'delivery after re-authentication');
    expect(double.upserts.filter((u) => u.value === sessionId)).toHaveLength(1);
  });

  it('signs in with the JWT bearer flow, the assertion signed with the connected app\'s key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await double.stop();
    double = await SalesforceDouble.start({ orgId: ORG_ID, clientId: CLIENT_ID, jwtPublicKey: publicKey, integrationUser: INTEGRATION });
    const server = await serve(
      undefined,
      orgWithDouble(double, {
        integration: {
          flow: 'jwt',
          loginUrl: double.url,
          clientId: CLIENT_ID,
          username: INTEGRATION.username,
          privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
      }),
    );
    const sessionId = await keySessionEndedByAgent(server, newContactId());
    await waitFor(() => double.records.size, (n) => n === 1, 5000, 'the record in Salesforce');
    expect(double.records.has(`Tandem_Session__c/${sessionId}`)).toBe(true);
    const grant = double.requests.find((r) => r.path === '/services/oauth2/token');
    expect(new URLSearchParams(grant?.body).get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
  });
});
