import { createHash } from 'node:crypto';
import { ErrorCode } from '../../src/protocol/codes';
import { dropSchema, freshSchema, postgresConfig, sql } from '../helpers/postgres';
import { devToken, startServer, type RunningServer } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';

/* The service on PostgreSQL end to end: a 1-click call over real WebSockets (invitation, terms accepted, agent and
 * visitor connected, the agent ends it), then the rows as PostgreSQL holds them. The other integration files run on
 * PostgreSQL too with TANDEM_TEST_STORE=postgres; this one always does. */

jest.setTimeout(20_000);

const SITE = {
  id: 'acme',
  apiKey: 'acme-site-api-key-0123456789',
  signingSecret: 'acme-signing-secret-0123456789abcdef',
};
const TERMS_TEXT = 'Terms for the PostgreSQL test.';
const TERMS_HASH = createHash('sha256').update(TERMS_TEXT).digest('hex');
const schema = freshSchema();
let server: RunningServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  server = await startServer({
    sites: [SITE],
    devSignInSiteIds: [SITE.id],
    terms: { version: 'v9', text: TERMS_TEXT, promptSeconds: 10, agentWaitSeconds: 60 },
    store: postgresConfig(schema),
  });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await server.stop();
  await dropSchema(schema);
});

async function connect(headers?: Record<string, string>): Promise<TestClient> {
  const c = await TestClient.connect(server.wsUrl, headers);
  clients.push(c);
  return c;
}

/** A visitor's tab on the site, and an invitation to it from a development agent. */
async function invitedVisitor(visitorId: string, headers?: Record<string, string>) {
  const minted = await fetch(`${server.baseUrl}/api/visitor-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tandem-site-key': SITE.apiKey },
    body: JSON.stringify({ visitorId, name: 'Maya' }),
  });
  const tab = await connect(headers);
  tab.send({ type: 'visitor.hello', visitorToken: ((await minted.json()) as { token: string }).token });
  await tab.next('presence.registered');
  const token = await devToken(server, 'Ana Agent');
  const invited = await fetch(`${server.baseUrl}/api/agent/invitations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ visitorId }),
  });
  expect(invited.status).toBe(201);
  const { sessionId, ticket } = (await invited.json()) as { sessionId: string; ticket: string };
  return { tab, sessionId, ticket };
}

it('runs a 1-click call with the terms accepted, and PostgreSQL holds the session, its people, its events and the acceptance', async () => {
  const visitorId = '003PG0000000001';
  const before = Date.now();
  const { tab, sessionId, ticket } = await invitedVisitor(visitorId, {
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0',
  });
  const agent = await connect();
  agent.send({ type: 'agent.join', ticket });
  await agent.next('session.joined');

  const prompt = await tab.next('terms.prompt');
  tab.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash: TERMS_HASH });
  const joined = await tab.next('session.joined');
  expect(joined.sessionId).toBe(sessionId);
  expect((await agent.next('peer.joined')).link.peer.role).toBe('visitor');
  expect(await sql(schema, 'SELECT status FROM sessions WHERE id = $1', [sessionId])).toEqual([{ status: 'active' }]);

  agent.send({ type: 'session.end' });
  expect((await tab.next('session.ended')).reason).toBe('agent_ended');
  await agent.next('session.ended');

  const [session] = await sql(
    schema,
    'SELECT status, end_reason, site_id, created_at, ended_at FROM sessions WHERE id = $1',
    [sessionId],
  );
  expect(session).toMatchObject({ status: 'ended', end_reason: 'agent_ended', site_id: SITE.id });
  // Times are bigint milliseconds, in the order they happened.
  expect(Number(session!.created_at)).toBeGreaterThanOrEqual(before);
  expect(Number(session!.ended_at)).toBeGreaterThanOrEqual(Number(session!.created_at));

  const acceptances = await sql(
    schema,
    'SELECT site_id, visitor_id, terms_version, text_sha256, ip, user_agent FROM terms_acceptances WHERE session_id = $1',
    [sessionId],
  );
  expect(acceptances).toEqual([
    {
      site_id: SITE.id,
      visitor_id: visitorId,
      terms_version: 'v9',
      text_sha256: TERMS_HASH,
      ip: '127.0.0.1',
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0',
    },
  ]);

  const people = await sql(
    schema,
    'SELECT role, identity, name, left_at IS NOT NULL AS "left" FROM participants WHERE session_id = $1 ORDER BY role',
    [sessionId],
  );
  expect(people).toEqual([
    { role: 'agent', identity: expect.any(String), name: 'Ana Agent', left: true },
    { role: 'visitor', identity: `${SITE.id}/${visitorId}`, name: null, left: true },
  ]);

  const events = await sql(schema, 'SELECT kind FROM events WHERE session_id = $1 ORDER BY seq', [sessionId]);
  const kinds = events.map((e) => e.kind as string);
  expect(kinds[0]).toBe('invitation.sent');
  expect(kinds).toEqual(expect.arrayContaining(['terms.accepted', 'agent.joined', 'session.ended']));
  expect(kinds.indexOf('terms.accepted')).toBeLessThan(kinds.indexOf('session.ended'));

  // The service reads back what it wrote, through the same store.
  expect(await server.store.getTermsAcceptance(sessionId)).toMatchObject({
    visitorId: `${SITE.id}/${visitorId}`,
    termsVersion: 'v9',
  });
});

it('refuses an answer for a session whose acceptance is already stored, rather than reporting it accepted twice', async () => {
  const { tab, sessionId } = await invitedVisitor('003PG0000000002');
  const prompt = await tab.next('terms.prompt');
  // As if an earlier answer had been stored and the service had failed before the session went on.
  await sql(
    schema,
    `INSERT INTO terms_acceptances (site_id, visitor_id, session_id, terms_version, text_sha256, accepted_at, ip, user_agent)
     VALUES ('acme', '003PG0000000002', $1, 'v9', $2, 1, '127.0.0.1', 'earlier')`,
    [sessionId, TERMS_HASH],
  );
  tab.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash: TERMS_HASH });
  expect(await tab.next('error')).toMatchObject({ code: ErrorCode.InvalidInvitation, inReplyTo: 'terms.accept' });
  expect(tab.received.some((m) => m.type === 'session.joined')).toBe(false);
  expect(await sql(schema, 'SELECT user_agent FROM terms_acceptances WHERE session_id = $1', [sessionId])).toEqual([
    { user_agent: 'earlier' },
  ]);
});
