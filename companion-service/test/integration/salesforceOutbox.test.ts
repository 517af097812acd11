import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { loadConfig } from '../../src/config/load';
import { OrgRegistry } from '../../src/salesforce/orgRegistry';
import { SalesforceOutbox } from '../../src/salesforce/outbox';
import { SESSION_SOBJECT, sessionRecordFields } from '../../src/salesforce/sessionRecord';
import { SqliteStore } from '../../src/store/sqliteStore';
import type { SalesforceOutboxEntry } from '../../src/store/store';
import { startServer, type RunningServer } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';
import { SalesforceDouble, type DoubleUser } from '../helpers/salesforceDouble';
import {
  AGENT,
  API_KEY,
  callAsApex,
  CLIENT_ID,
  CLIENT_SECRET,
  newContactId,
  ORG_ID,
  orgConfig,
  orgWithDouble,
  OTHER_API_KEY,
  OTHER_ORG_ID,
  PORTAL_SITE,
  sha256,
} from '../helpers/salesforceFixtures';
import { eventuallyWithin } from '../helpers/eventually';

/* Session records reach Salesforce through the outbox: written to SQLite first, upserted by external id with
 * jsforce against a local double of the REST API, retried with backoff through outages and revoked sessions,
 * and delivered once even across a restart. A record Salesforce refuses for itself is retried alone and parked,
 * without holding up the org's other records; the org's admin lists and requeues parked records. */

jest.setTimeout(30_000);
/** The outbox works in-process on short timers: look often. */
const eventually = eventuallyWithin(5000, 50);

const INTEGRATION: DoubleUser = {
  id: '0055g00000IntegrAA',
  name: 'Tandem Integration',
  username: 'integration@acme.test',
  permissions: [],
};
const TERMS = 'Outbox test terms.';
const FAST_OUTBOX = {
  enabled: true,
  pollSeconds: 1,
  initialBackoffSeconds: 1,
  maxBackoffSeconds: 2,
  batchSize: 20,
  leaseSeconds: 30,
};

let double: SalesforceDouble;
const servers: RunningServer[] = [];
const clients: TestClient[] = [];
const dirs: string[] = [];

beforeEach(async () => {
  double = await SalesforceDouble.start({
    orgId: ORG_ID,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    integrationUser: INTEGRATION,
  });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.stop();
  await double.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function serve(
  sqlitePath?: string,
  org = orgWithDouble(double),
  more: { orgs?: unknown[]; outbox?: object } = {},
): Promise<RunningServer> {
  const server = await startServer({
    sites: [PORTAL_SITE],
    devSignInSiteIds: [],
    terms: { version: 'terms-9', text: TERMS, promptSeconds: 30, agentWaitSeconds: 60 },
    salesforce: {
      orgs: [org, ...(more.orgs ?? [])],
      outbox: { ...FAST_OUTBOX, ...more.outbox },
      requestTimeoutSeconds: 3,
    },
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
  const joined = await callAsApex(server, '/api/salesforce/console-tickets', {
    ...AGENT,
    orgId: ORG_ID,
    code,
    contactId,
  });
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
    await eventually(
      () => double.records.size,
      (n) => n === 1,
      'the record in Salesforce',
      5000,
    );
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
    expect(Date.parse(record?.fields.Ended_At__c as string)).toBeGreaterThanOrEqual(
      Date.parse(record?.fields.Started_At__c as string),
    );
    // The record is in Salesforce once its request has arrived; the outbox marks it delivered once the answer is back.
    const [entry] = await eventually(
      () => outboxOf(server),
      (entries) => typeof entries[0]?.deliveredAt === 'number',
      'the outbox entry marked delivered',
      5000,
    );
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
    tab.send({
      type: 'terms.accept',
      invitationId: prompt.invitationId,
      termsHash: createHash('sha256').update(TERMS).digest('hex'),
    });
    await tab.next('session.joined');
    tab.send({ type: 'session.leave' });
    await agentConsole.next('session.ended');
    await eventually(
      () => double.records.size,
      (n) => n === 1,
      'the record in Salesforce',
      5000,
    );
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
    // A session with an org behind it, ended after that one, is the only one queued.
    const later = await keySessionEndedByAgent(server, newContactId());
    const queued = await eventually(
      () => outboxOf(server),
      (e) => e.length > 0,
      'the later session queued',
    );
    expect(queued.map((e) => e.externalId)).toEqual([later]);
  });
});

describe('outbox through Salesforce outages', () => {
  it('keeps the record while Salesforce answers 503 and delivers it once it is back', async () => {
    const server = await serve();
    double.unavailable = true;
    const sessionId = await keySessionEndedByAgent(server, newContactId());
    const failed = await eventually(
      () => outboxOf(server),
      (e) => (e[0]?.attempts ?? 0) >= 2,
      'two failed attempts',
      8000,
    );
    expect(failed[0]).toMatchObject({ externalId: sessionId, deliveredAt: null });
    expect(failed[0]?.lastError).toMatch(/SERVER_UNAVAILABLE|503|unavailable/i);
    // Backoff: attempts are spread out, not hammered.
    const tokenCalls = double.requests.filter((r) => r.path === '/services/oauth2/token').length;
    expect(tokenCalls).toBeLessThanOrEqual(5);
    double.unavailable = false;
    await eventually(
      () => outboxOf(server),
      (e) => e[0]?.deliveredAt !== null,
      'delivery after the outage',
      8000,
    );
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
    await eventually(
      () => outboxOf(first),
      (e) => (e[0]?.attempts ?? 0) >= 1,
      'a failed attempt',
      8000,
    );
    expect((await outboxOf(first))[0]?.lastError).toMatch(/ECONNREFUSED|connect/i);
    await first.stop();
    servers.splice(servers.indexOf(first), 1);

    await double.comeBack();
    const second = await serve(file);
    await eventually(
      () => outboxOf(second),
      (e) => e[0]?.deliveredAt !== null,
      'delivery after the restart',
      8000,
    );
    expect(double.upserts.map((u) => u.value)).toEqual([sessionId]);
    // Nothing more is sent later: delivered records stay delivered. The next pass (which claims every record due)
    // delivers only a record queued after the delivery.
    await queue(second, [{ id: 'marker', fields: sessionFields('marker') }]);
    await eventually(() => double.records.has('Tandem_Session__c/marker'), Boolean, 'the next pass');
    expect(double.upserts.map((u) => u.value)).toEqual([sessionId, 'marker']);
    expect(await outboxOf(second)).toHaveLength(2);
  });

  it('signs in again when the session is revoked, keeps the record while re-authentication fails, then delivers', async () => {
    const server = await serve();
    await keySessionEndedByAgent(server, newContactId());
    await eventually(
      () => double.records.size,
      (n) => n === 1,
      'the first record',
      5000,
    );

    // Salesforce revokes the integration's session and its authorization.
    double.revokeAllSessions();
    double.refuseGrants = true;
    const sessionId = await keySessionEndedByAgent(server, newContactId());
    const failed = await eventually(
      () => outboxOf(server),
      (e) => (e.find((x) => x.externalId === sessionId)?.attempts ?? 0) >= 1,
      'a failed attempt',
      8000,
    );
    expect(failed.find((x) => x.externalId === sessionId)?.lastError).toMatch(/refresh|invalid_grant|expired/i);
    expect(double.records.has(`Tandem_Session__c/${sessionId}`)).toBe(false);
    // The old session was tried once (401 INVALID_SESSION_ID), then a fresh sign-in was refused.
    expect(
      double.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(sessionId)).length,
    ).toBeGreaterThanOrEqual(1);

    // The admin re-authorizes the connected app: the next attempt signs in afresh and delivers.
    double.refuseGrants = false;
    await eventually(
      () => double.records.size,
      (n) => n === 2,
      'delivery after re-authentication',
      8000,
    );
    expect(double.upserts.filter((u) => u.value === sessionId)).toHaveLength(1);
  });

  it("signs in with the JWT bearer flow, the assertion signed with the connected app's key", async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await double.stop();
    double = await SalesforceDouble.start({
      orgId: ORG_ID,
      clientId: CLIENT_ID,
      jwtPublicKey: publicKey,
      integrationUser: INTEGRATION,
    });
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
    await eventually(
      () => double.records.size,
      (n) => n === 1,
      'the record in Salesforce',
      5000,
    );
    expect(double.records.has(`Tandem_Session__c/${sessionId}`)).toBe(true);
    const grant = double.requests.find((r) => r.path === '/services/oauth2/token');
    expect(new URLSearchParams(grant?.body).get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
  });
});

/** The fields the service would send for an ended session with this outcome and contact. */
function sessionFields(
  sessionId: string,
  outcome = 'agent_ended',
  contactId: string | undefined = newContactId(),
): Record<string, unknown> {
  const endedAt = Date.now();
  return sessionRecordFields(
    // The visitor as sessions carry them: (site, Contact id).
    {
      sessionId,
      code: '482913',
      startedAt: endedAt - 60_000,
      endedAt,
      outcome,
      visitorId: contactId && `${PORTAL_SITE.id}/${contactId}`,
      agentId: AGENT.userId,
      guestNames: [],
    },
    undefined,
    undefined,
    [PORTAL_SITE.id],
  );
}

/** Queues records straight into the store, in one go, so the outbox claims them in one batch (first one first). */
async function queue(
  server: RunningServer,
  records: Array<{ id: string; fields: Record<string, unknown> }>,
): Promise<void> {
  const at = Date.now() - 1000;
  await Promise.all(
    records.map(({ id, fields }, i) =>
      server.store.enqueueSalesforceRecord({
        orgId: ORG_ID,
        sobject: SESSION_SOBJECT,
        externalId: id,
        payload: fields,
        createdAt: at + i,
      }),
    ),
  );
}

const entryOf = (entries: SalesforceOutboxEntry[], externalId: string) =>
  entries.find((e) => e.externalId === externalId);
const upsertsOf = (externalId: string) => double.upserts.filter((u) => u.value === externalId);
/** The outbox once it has marked these records delivered: the double holds a record as it answers, a moment before
 * the outbox has read that answer and marked it. */
const onceDelivered = (server: RunningServer, externalIds: string[], what: string) =>
  eventually(
    () => outboxOf(server),
    (e) => externalIds.every((id) => entryOf(e, id)?.status === 'delivered'),
    what,
    3000,
  );
const BLOCKED = 'blocked_by_rule';
const RULE = {
  field: 'Outcome__c',
  value: BLOCKED,
  message: 'Sessions with this outcome need a reviewer.',
  errorField: 'Outcome__c',
};

describe('a record Salesforce refuses for itself', () => {
  it("is retried alone, then parked, while the org's other records are written on the first pass", async () => {
    double.validationRules.push(RULE);
    const server = await serve();
    const bad = `bad-${randomUUID()}`;
    const good = [1, 2, 3].map((n) => `good-${n}-${randomUUID()}`);
    await queue(server, [
      { id: bad, fields: sessionFields(bad, BLOCKED) },
      ...good.map((id) => ({ id, fields: sessionFields(id) })),
    ]);

    // First pass: the bad record first, refused; the good ones right after it, written without waiting.
    await eventually(
      () => double.records.size,
      (n) => n === 3,
      'the three good records',
      5000,
    );
    expect(double.upserts.slice(0, 4).map((u) => u.value)).toEqual([bad, ...good]);
    const firstPass = await onceDelivered(server, good, 'the three good records marked delivered');
    for (const id of good) {
      expect(entryOf(firstPass, id)).toMatchObject({ status: 'delivered', attempts: 0, lastError: null });
      expect(double.records.get(`Tandem_Session__c/${id}`)?.fields).toMatchObject({
        External_Id__c: id,
        Outcome__c: 'agent_ended',
      });
    }
    const afterFirst = entryOf(await outboxOf(server), bad);
    expect(afterFirst).toMatchObject({
      status: 'pending',
      attempts: 1,
      recordFailures: 1,
      deliveredAt: null,
      parkedAt: null,
    });
    expect(afterFirst?.lastError).toBe(
      'FIELD_CUSTOM_VALIDATION_EXCEPTION [Outcome__c]: Sessions with this outcome need a reviewer.',
    );

    // The org is not held back: a record queued while the bad one waits for its retry goes out at once.
    const later = `later-${randomUUID()}`;
    await queue(server, [{ id: later, fields: sessionFields(later) }]);
    await eventually(() => double.records.has(`Tandem_Session__c/${later}`), Boolean, 'the record queued later', 3000);
    const laterMarked = await onceDelivered(server, [later], 'the record queued later marked delivered');
    expect(entryOf(laterMarked, later)).toMatchObject({ status: 'delivered', attempts: 0 });

    // Three attempts (the default), then parked with its reason.
    const parked = await eventually(
      () => outboxOf(server),
      (e) => entryOf(e, bad)?.status === 'parked',
      'the bad record parked',
      10_000,
    );
    expect(entryOf(parked, bad)).toMatchObject({
      attempts: 3,
      recordFailures: 3,
      deliveredAt: null,
      parkedAt: expect.any(Number),
    });
    expect(entryOf(parked, bad)?.lastError).toMatch(/^FIELD_CUSTOM_VALIDATION_EXCEPTION/);
    expect(upsertsOf(bad)).toHaveLength(3);
    expect(double.records.has(`Tandem_Session__c/${bad}`)).toBe(false);
    // Parked means never tried again by itself, and nothing else of the org ever waited. A retry would have come
    // after the backoff (at most maxBackoffSeconds): let that time pass (the scenario's own timer), then see a pass
    // run after it by delivering a record queued then.
    await new Promise((r) =>
      setTimeout(r, Math.max(0, entryOf(parked, bad)!.parkedAt! + FAST_OUTBOX.maxBackoffSeconds * 1000 - Date.now())),
    );
    const marker = `marker-${randomUUID()}`;
    await queue(server, [{ id: marker, fields: sessionFields(marker) }]);
    await eventually(() => double.records.has(`Tandem_Session__c/${marker}`), Boolean, 'a pass after the backoff');
    expect(upsertsOf(bad)).toHaveLength(3);
    const all = await onceDelivered(server, [marker], 'the record queued after the backoff marked delivered');
    expect(all.filter((e) => e.externalId !== bad).every((e) => e.status === 'delivered' && e.attempts === 0)).toBe(
      true,
    );
  });

  it('is written without its contact when the contact was deleted, keeping the rest of the session', async () => {
    const server = await serve();
    const deleted = newContactId();
    double.deletedContacts.add(deleted);
    const sessionId = await keySessionEndedByAgent(server, deleted);
    await eventually(
      () => double.records.size,
      (n) => n === 1,
      'the record in Salesforce',
      5000,
    );
    const fields = double.records.get(`Tandem_Session__c/${sessionId}`)?.fields;
    expect(fields).toMatchObject({
      External_Id__c: sessionId,
      Agent__c: AGENT.userId,
      Outcome__c: 'agent_ended',
      Guest_Count__c: 0,
    });
    expect(fields?.Session_Code__c).toMatch(/^\d{6}$/);
    expect(fields).not.toHaveProperty('Contact__c');
    // Tried once with the contact (refused as Salesforce does), once without.
    expect(upsertsOf(sessionId).map((u) => u.body.Contact__c)).toEqual([deleted, undefined]);
    const marked = await onceDelivered(server, [sessionId], 'the record marked delivered');
    expect(entryOf(marked, sessionId)).toMatchObject({
      status: 'delivered',
      attempts: 0,
      recordFailures: 0,
      omittedFields: ['Contact__c'],
    });
  });

  it('drops the contact too when Salesforce only says "entity is deleted" without naming a field', async () => {
    double.deletedContactError = 'ENTITY_IS_DELETED';
    const server = await serve();
    const deleted = newContactId();
    double.deletedContacts.add(deleted);
    const id = `deleted-${randomUUID()}`;
    await queue(server, [{ id, fields: sessionFields(id, 'agent_ended', deleted) }]);
    await eventually(() => double.records.has(`Tandem_Session__c/${id}`), Boolean, 'the record in Salesforce', 5000);
    expect(double.records.get(`Tandem_Session__c/${id}`)?.fields).toMatchObject({
      Agent__c: AGENT.userId,
      Outcome__c: 'agent_ended',
    });
    expect(double.records.get(`Tandem_Session__c/${id}`)?.fields).not.toHaveProperty('Contact__c');
  });

  it("logs a warning naming the error code and fields when it parks a record, never the record's values", async () => {
    double.validationRules.push(RULE);
    const config = loadConfig({
      env: {},
      overrides: {
        sites: [PORTAL_SITE],
        devSignInSiteIds: [],
        salesforce: { orgs: [orgWithDouble(double)], requestTimeoutSeconds: 3 },
      },
    });
    const store = new SqliteStore(':memory:', tmpdir());
    await store.migrate();
    const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
    const outbox = new SalesforceOutbox({
      store,
      registry: new OrgRegistry(config.salesforce, { apiVersion: '64.0', timeoutMs: 3000 }),
      config: { ...config.salesforce.outbox, recordAttempts: 1 },
      log: captureLogger(lines),
    });
    const contactId = newContactId();
    const sessionId = `logged-${randomUUID()}`;
    await outbox.enqueue(ORG_ID, SESSION_SOBJECT, sessionId, sessionFields(sessionId, BLOCKED, contactId));
    await eventually(
      () => store.listSalesforceOutbox(),
      (e) => e[0]?.status === 'parked',
      'the record parked',
      5000,
    );
    await outbox.stop();
    await store.close();
    const parkedLine = lines.find((l) => l.level === 'warn' && /parked/.test(l.msg));
    expect(parkedLine?.obj).toMatchObject({
      orgId: ORG_ID,
      externalId: sessionId,
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      fields: ['Outcome__c'],
      recordFailures: 1,
    });
    const logged = JSON.stringify(lines);
    for (const value of [BLOCKED, contactId, AGENT.userId, '482913', RULE.message, CLIENT_SECRET])
      expect(logged).not.toContain(value);
  });
});

describe('outbox when the org is the problem', () => {
  it('still holds back every record of the org together, and never parks them', async () => {
    const server = await serve(undefined, orgWithDouble(double), { outbox: { recordAttempts: 2 } });
    double.unavailable = true;
    const ids = [1, 2, 3].map((n) => `outage-${n}-${randomUUID()}`);
    await queue(
      server,
      ids.map((id) => ({ id, fields: sessionFields(id) })),
    );
    const first = await eventually(
      () => outboxOf(server),
      (e) => e.every((x) => x.attempts >= 1),
      'a first failed pass',
      5000,
    );
    // One call found Salesforce down; the org's other records waited without being sent.
    expect(double.requests.filter((r) => r.path === '/services/oauth2/token')).toHaveLength(1);
    expect(double.upserts).toHaveLength(0);
    for (const e of first) {
      expect(e).toMatchObject({ status: 'pending', recordFailures: 0 });
      expect(e.lastError).toMatch(/503/);
    }
    // More failed attempts than recordAttempts: an outage is not the record's fault, nothing is parked.
    const later = await eventually(
      () => outboxOf(server),
      (e) => e.every((x) => x.attempts >= 3),
      'three failed passes',
      10_000,
    );
    expect(later.every((e) => e.status === 'pending' && e.recordFailures === 0 && e.parkedAt === null)).toBe(true);
    double.unavailable = false;
    await eventually(
      () => double.records.size,
      (n) => n === 3,
      'delivery after the outage',
      8000,
    );
    // Marked delivered once Salesforce's answer is read, a moment after the double has stored the records.
    await eventually(
      () => outboxOf(server),
      (e) => e.every((x) => x.status === 'delivered'),
      'every record marked delivered',
      5000,
    );
  });
});

/** A call from the org's admin tooling (through the same Named Credential as the package's Apex). */
async function asAdmin(
  server: RunningServer,
  method: 'GET' | 'POST',
  url: string,
  body?: object,
  apiKey: string | null = API_KEY,
) {
  const headers: Record<string, string> = {};
  if (body) headers['content-type'] = 'application/json';
  if (apiKey !== null) headers['x-tandem-api-key'] = apiKey;
  const response = await fetch(`${server.baseUrl}${url}`, {
    method,
    headers,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & {
      code?: string;
      records?: Array<Record<string, unknown>>;
    },
  };
}

describe("parked records for the org's admin", () => {
  const OTHER_ORG = orgConfig({
    orgId: OTHER_ORG_ID,
    name: 'Other org',
    apiKeySha256: sha256(OTHER_API_KEY),
    siteIds: [],
  });

  async function parkedRecord(): Promise<{
    server: RunningServer;
    bad: string;
    good: string;
    badId: number;
    goodId: number;
  }> {
    double.validationRules.push(RULE);
    const server = await serve(undefined, orgWithDouble(double), { orgs: [OTHER_ORG], outbox: { recordAttempts: 1 } });
    const bad = `bad-${randomUUID()}`;
    const good = `good-${randomUUID()}`;
    await queue(server, [
      { id: bad, fields: sessionFields(bad, BLOCKED) },
      { id: good, fields: sessionFields(good) },
    ]);
    const entries = await eventually(
      () => outboxOf(server),
      (e) => entryOf(e, bad)?.status === 'parked' && entryOf(e, good)?.status === 'delivered',
      'one record parked, one delivered',
      5000,
    );
    return { server, bad, good, badId: entryOf(entries, bad)!.id, goodId: entryOf(entries, good)!.id };
  }

  it("lists the org's parked records with their reason, attempts and times, and requeues one once its cause is fixed", async () => {
    const { server, bad, badId, good } = await parkedRecord();
    const listed = await asAdmin(server, 'GET', `/api/salesforce/outbox?orgId=${ORG_ID}&status=parked`);
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ orgId: ORG_ID, status: 'parked', truncated: false });
    expect(listed.body.records).toEqual([
      {
        id: badId,
        sobject: 'Tandem_Session__c',
        externalId: bad,
        status: 'parked',
        attempts: 1,
        recordFailures: 1,
        reason: `FIELD_CUSTOM_VALIDATION_EXCEPTION [Outcome__c]: ${RULE.message}`,
        omittedFields: [],
        createdAt: expect.any(Number),
        nextAttemptAt: null,
        parkedAt: expect.any(Number),
        deliveredAt: null,
      },
    ]);
    // Parked is the default; delivered records are there to see too; a limit truncates.
    expect(
      (await asAdmin(server, 'GET', `/api/salesforce/outbox?orgId=${ORG_ID}`)).body.records?.map((r) => r.externalId),
    ).toEqual([bad]);
    const delivered = await asAdmin(server, 'GET', `/api/salesforce/outbox?orgId=${ORG_ID}&status=delivered&limit=1`);
    expect(delivered.body.records?.map((r) => r.externalId)).toEqual([good]);
    expect(delivered.body.truncated).toBe(false);

    // The admin fixes the validation rule and requeues the record: it is written on the next pass.
    double.validationRules.length = 0;
    const retried = await asAdmin(server, 'POST', `/api/salesforce/outbox/${badId}/retry`, { orgId: ORG_ID });
    expect(retried.status).toBe(200);
    expect(retried.body.record).toMatchObject({
      id: badId,
      status: 'pending',
      recordFailures: 0,
      parkedAt: null,
      nextAttemptAt: expect.any(Number),
    });
    await eventually(
      () => double.records.has(`Tandem_Session__c/${bad}`),
      Boolean,
      'the requeued record in Salesforce',
      5000,
    );
    expect(double.records.get(`Tandem_Session__c/${bad}`)?.fields).toMatchObject({ Outcome__c: BLOCKED });
    const after = await onceDelivered(server, [bad], 'the record delivered');
    expect(entryOf(after, bad)).toMatchObject({ attempts: 1, parkedAt: null });
    expect((await asAdmin(server, 'GET', `/api/salesforce/outbox?orgId=${ORG_ID}`)).body.records).toEqual([]);
    // A record that is not parked cannot be requeued.
    const again = await asAdmin(server, 'POST', `/api/salesforce/outbox/${badId}/retry`, { orgId: ORG_ID });
    expect(again).toMatchObject({
      status: 409,
      body: { code: 'outbox_record_not_parked', message: expect.stringContaining('delivered') },
    });
  });

  it("never shows or requeues another org's records, and refuses callers without the org's key", async () => {
    const { server, badId } = await parkedRecord();
    const theirs = await asAdmin(
      server,
      'GET',
      `/api/salesforce/outbox?orgId=${OTHER_ORG_ID}`,
      undefined,
      OTHER_API_KEY,
    );
    expect(theirs).toMatchObject({ status: 200, body: { orgId: OTHER_ORG_ID, records: [] } });
    const requeue = await asAdmin(
      server,
      'POST',
      `/api/salesforce/outbox/${badId}/retry`,
      { orgId: OTHER_ORG_ID },
      OTHER_API_KEY,
    );
    expect(requeue).toMatchObject({
      status: 404,
      body: { code: 'outbox_record_not_found', message: expect.stringContaining(String(badId)) },
    });
    // The other org's key does not open this org, and no key opens nothing.
    expect(
      await asAdmin(server, 'GET', `/api/salesforce/outbox?orgId=${ORG_ID}`, undefined, OTHER_API_KEY),
    ).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    expect(await asAdmin(server, 'GET', `/api/salesforce/outbox?orgId=${ORG_ID}`, undefined, null)).toMatchObject({
      status: 401,
      body: { code: 'unauthorized' },
    });
    expect(
      (await asAdmin(server, 'POST', `/api/salesforce/outbox/${badId}/retry`, { orgId: ORG_ID }, 'wrong-key')).status,
    ).toBe(401);
    // Unknown ids get the same answer as another org's.
    expect(await asAdmin(server, 'POST', '/api/salesforce/outbox/999999/retry', { orgId: ORG_ID })).toMatchObject({
      status: 404,
      body: { code: 'outbox_record_not_found' },
    });
    expect((await outboxOf(server)).find((e) => e.id === badId)?.status).toBe('parked');
  });

  it('refuses malformed requests with a clear error and changes nothing', async () => {
    const { server, badId } = await parkedRecord();
    const before = await outboxOf(server);
    const refusals = [
      await asAdmin(server, 'GET', `/api/salesforce/outbox?orgId=${ORG_ID}&status=lost`),
      await asAdmin(server, 'GET', `/api/salesforce/outbox?orgId=${ORG_ID}&limit=0`),
      await asAdmin(server, 'GET', `/api/salesforce/outbox?orgId=${ORG_ID}&limit=201`),
      await asAdmin(server, 'GET', `/api/salesforce/outbox?orgId=${ORG_ID}&extra=1`),
      await asAdmin(server, 'GET', '/api/salesforce/outbox?orgId=not-an-org'),
      await asAdmin(server, 'GET', '/api/salesforce/outbox'),
      await asAdmin(server, 'POST', '/api/salesforce/outbox/abc/retry', { orgId: ORG_ID }),
      await asAdmin(server, 'POST', `/api/salesforce/outbox/${'9'.repeat(16)}/retry`, { orgId: ORG_ID }),
      await asAdmin(server, 'POST', `/api/salesforce/outbox/${badId}/retry`, { orgId: ORG_ID, force: true }),
      await asAdmin(server, 'POST', `/api/salesforce/outbox/${badId}/retry`, {}),
    ];
    for (const refused of refusals) {
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    expect(refusals[0]?.body.message).toMatch(/status/);
    expect(refusals[6]?.body.message).toMatch(/id/);
    expect(await outboxOf(server)).toEqual(before);
  });
});

/** A logger that keeps what it is given, to check what the outbox says and does not say. */
function captureLogger(lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }>): FastifyBaseLogger {
  const at = (level: string) => (obj: unknown, msg?: string) => {
    lines.push({
      level,
      obj: typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>) : { value: obj },
      msg: msg ?? '',
    });
  };
  const logger = {
    level: 'info',
    fatal: at('fatal'),
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    trace: at('trace'),
    silent: () => undefined,
    child: () => logger,
  };
  return logger as unknown as FastifyBaseLogger;
}
