import { ErrorCode } from '../../src/protocol/codes';
import { serviceSuite } from '../helpers/serviceSuite';
import { AGENT, callAsApex, newContactId, sha256 } from '../helpers/salesforceFixtures';
import { devToken } from '../helpers/testServer';
import type { TestClient } from '../helpers/wsClient';

/* Finding 4 (part): 30 invitations for the same visitor made 30 terms prompts. Now a visitor has one open
 * invitation at a time: another Join while their prompt is up is refused with invitation_pending, and the first
 * prompt stays until it is answered or times out. */

jest.setTimeout(20_000);

const SITE = {
  id: 'acme-portal',
  apiKey: 'acme-portal-site-api-key-0123456789',
  signingSecret: 'acme-portal-signing-secret-0123456789abcdef',
  allowedOrigins: ['https://portal.acme.example'],
};
const ORG_ID = '00D5g000000AcmeEAA';
const API_KEY = 'acme-org-api-key-for-the-invitation-tests';

const suite = serviceSuite({
  sites: [SITE],
  devSignInSiteIds: [SITE.id],
  terms: { version: 't-1', text: 'Terms.', promptSeconds: 5, agentWaitSeconds: 60 },
  salesforce: {
    orgs: [
      {
        orgId: ORG_ID,
        name: 'Acme',
        apiKeySha256: sha256(API_KEY),
        instanceUrl: 'https://acme.example.invalid',
        siteIds: [SITE.id],
      },
    ],
    outbox: { enabled: false },
  },
} as never);

async function visitorTab(visitorId: string): Promise<TestClient> {
  const minted = await fetch(`${suite.server.baseUrl}/api/visitor-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tandem-site-key': SITE.apiKey },
    body: JSON.stringify({ visitorId }),
  });
  const tab = await suite.connect({ origin: SITE.allowedOrigins[0]! });
  tab.send({ type: 'visitor.hello', visitorToken: ((await minted.json()) as { token: string }).token });
  await tab.next('presence.registered');
  return tab;
}

async function inviteFromJoinPage(token: string, visitorId: string) {
  const response = await fetch(`${suite.server.baseUrl}/api/agent/invitations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ visitorId }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { code?: string; invitationId?: string; message?: string },
  };
}

const inviteFromSalesforce = (contactId: string) =>
  callAsApex(suite.server, '/api/salesforce/invitations', { ...AGENT, orgId: ORG_ID, contactId }, API_KEY);

/** Counts the prompts the tab got: every invitation was answered over HTTP, and the tab's probe is answered after
 * whatever the service had queued for it by then. */
async function promptsReceived(tab: TestClient): Promise<number> {
  await tab.probe();
  return tab.received.filter((m) => m.type === 'terms.prompt').length;
}

describe('one open invitation per visitor', () => {
  it('30 Joins at once, from the join page and from Salesforce, make one prompt; the others are refused', async () => {
    const contactId = newContactId();
    const tab = await visitorTab(contactId);
    const tokens = [await devToken(suite.server, 'Ana'), await devToken(suite.server, 'Bo')];
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 3 === 0 ? inviteFromSalesforce(contactId) : inviteFromJoinPage(tokens[i % 2]!, contactId),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(29);
    for (const refused of answers.filter((a) => a.status === 409))
      expect(refused.body.code).toBe(ErrorCode.InvitationPending);
    expect(await promptsReceived(tab)).toBe(1);
  });

  it('lets the next invitation through once the visitor has declined the first', async () => {
    const contactId = newContactId();
    const tab = await visitorTab(contactId);
    const token = await devToken(suite.server);
    expect((await inviteFromJoinPage(token, contactId)).status).toBe(201);
    const prompt = await tab.next('terms.prompt');
    expect((await inviteFromJoinPage(token, contactId)).body.code).toBe(ErrorCode.InvitationPending);
    tab.send({ type: 'terms.decline', invitationId: prompt.invitationId });
    await tab.probe(); // the decline has been handled: the next Join is free
    const again = await inviteFromJoinPage(token, contactId);
    expect(again.status).toBe(201);
    expect((await tab.next('terms.prompt')).invitationId).toBe(again.body.invitationId);
  });

  it('lets the next invitation through once the first has timed out', async () => {
    const contactId = newContactId();
    const tab = await visitorTab(contactId);
    const token = await devToken(suite.server);
    expect((await inviteFromJoinPage(token, contactId)).status).toBe(201);
    const first = await tab.next('terms.prompt');
    expect((await tab.next('terms.closed', 7000)).invitationId).toBe(first.invitationId);
    const again = await inviteFromSalesforce(contactId);
    expect(again.status).toBe(201);
    await tab.next('terms.prompt');
  });

  it('is per visitor: another visitor is invited meanwhile', async () => {
    const [first, second] = [newContactId(), newContactId()];
    await visitorTab(first);
    const secondTab = await visitorTab(second);
    const token = await devToken(suite.server);
    expect((await inviteFromJoinPage(token, first)).status).toBe(201);
    expect((await inviteFromJoinPage(token, second)).status).toBe(201);
    await secondTab.next('terms.prompt');
  });
});
