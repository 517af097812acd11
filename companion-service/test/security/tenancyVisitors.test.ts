import { createHash } from 'node:crypto';
import { ErrorCode } from '../../src/protocol/codes';
import { signVisitorToken } from '../../src/identity/visitorToken';
import { nextMillisecond } from '../helpers/eventually';
import { serviceSuite } from '../helpers/serviceSuite';
import { AGENT, callAsApex, newContactId } from '../helpers/salesforceFixtures';
import {
  ACME_KEY,
  ACME_ORG,
  ACME_PORTAL,
  ACME_SHOP,
  MALLORY_KEY,
  MALLORY_ORG,
  MALLORY_SHOP,
  orgLinkedTo,
} from '../helpers/tenancyFixtures';
import { devToken } from '../helpers/testServer';
import type { TestClient } from '../helpers/wsClient';

/* Finding 1: a site could impersonate another site's visitor. Presence was keyed by the visitor id alone, so a site
 * that minted a token for the Contact id another site's visitor uses got that visitor's terms prompt, and its
 * acceptance was stored as theirs; and an org's agents saw and invited the visitors of every site. Now a visitor is
 * (site, visitor id), an org is linked to its sites, and every lookup an agent makes stays within its tenant. */

jest.setTimeout(20_000);

const TERMS = 'Terms for the tenancy test.';
const TERMS_HASH = createHash('sha256').update(TERMS).digest('hex');

// The victim is Acme (its portal and shop); the attacker is Mallory, another customer of the same service.
const VICTIM_SITE = ACME_PORTAL;
const VICTIM_SHOP = ACME_SHOP;
const ATTACKER_SITE = MALLORY_SHOP;
const org = orgLinkedTo;

const suite = serviceSuite({
  sites: [VICTIM_SITE, VICTIM_SHOP, ATTACKER_SITE],
  // The development sign-in's agents serve the victim's portal only.
  devSignInSiteIds: [VICTIM_SITE.id],
  terms: { version: 't-1', text: TERMS, promptSeconds: 30, agentWaitSeconds: 60 },
  salesforce: {
    orgs: [
      org(ACME_ORG, ACME_KEY, [VICTIM_SITE.id, VICTIM_SHOP.id]),
      org(MALLORY_ORG, MALLORY_KEY, [ATTACKER_SITE.id]),
    ],
    outbox: { enabled: false },
  },
} as never);

/** A browser tab on a site's page (its Origin) that says hello with a visitor token. */
async function tab(site: { allowedOrigins: string[] }, token: string): Promise<TestClient> {
  const t = await suite.connect({ origin: site.allowedOrigins[0]! });
  t.send({ type: 'visitor.hello', visitorToken: token });
  await t.next('presence.registered');
  return t;
}

/** A token minted by the site's own server with its API key, for any visitor id it likes. */
async function mintedBy(site: { apiKey: string }, visitorId: string): Promise<string> {
  const response = await fetch(`${suite.server.baseUrl}/api/visitor-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tandem-site-key': site.apiKey },
    body: JSON.stringify({ visitorId }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

const agentOf = (orgId: string, key: string, contactId?: string) =>
  callAsApex(
    suite.server,
    '/api/salesforce/agent-tokens',
    { ...AGENT, orgId, ...(contactId ? { contactId } : {}) },
    key,
  );

/** A socket of the service's own pages (the join page, the component) following these visitors. */
async function watching(token: string, visitorIds: string[]): Promise<TestClient> {
  const agent = await suite.connect({ origin: suite.server.baseUrl });
  agent.send({ type: 'agent.watch', token, visitorIds });
  return agent;
}

async function pollPresence(token: string, visitorId: string): Promise<boolean> {
  const response = await fetch(`${suite.server.baseUrl}/api/agent/presence/${visitorId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await response.json()) as { online: boolean }).online;
}

async function inviteAsAgent(token: string, visitorId: string) {
  const response = await fetch(`${suite.server.baseUrl}/api/agent/invitations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ visitorId }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe("a site speaking for another site's visitor", () => {
  it("never gets the terms prompt of an invitation for the other site's visitor (Salesforce Join)", async () => {
    const contactId = newContactId();
    // Mallory's server mints a token for the Contact id Acme's customer uses, and opens its own page with it.
    const impostor = await tab(ATTACKER_SITE, await mintedBy(ATTACKER_SITE, contactId));
    const join = await callAsApex(
      suite.server,
      '/api/salesforce/invitations',
      { ...AGENT, orgId: ACME_ORG, contactId },
      ACME_KEY,
    );
    expect(join).toMatchObject({ status: 409, body: { code: ErrorCode.VisitorOffline } });
    await impostor.nothing('terms.prompt', { after: [] }); // the invitation was refused over HTTP above
  });

  it('never gets it either with a token it signs itself, while the real visitor is online and less recently active', async () => {
    const contactId = newContactId();
    const real = await tab(VICTIM_SITE, await mintedBy(VICTIM_SITE, contactId));
    const forgedByMallory = signVisitorToken(
      { site: ATTACKER_SITE.id, sub: contactId },
      ATTACKER_SITE.signingSecret,
      Date.now(),
      600,
    ).token;
    const impostor = await tab(ATTACKER_SITE, forgedByMallory);
    // The impostor's tab is the most recently active one.
    await nextMillisecond();
    impostor.send({ type: 'visitor.active' });
    await impostor.probe(); // visitor.active has been handled

    const join = await callAsApex(
      suite.server,
      '/api/salesforce/invitations',
      { ...AGENT, orgId: ACME_ORG, contactId },
      ACME_KEY,
    );
    expect(join.status).toBe(201);
    const prompt = await real.next('terms.prompt');
    await impostor.nothing('terms.prompt', { after: [] }); // the invitation was made (and answered) over HTTP above
    // Knowing the invitation is not enough: its visitor is Acme's, not Mallory's.
    impostor.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash: TERMS_HASH });
    expect((await impostor.next('error')).code).toBe(ErrorCode.InvalidInvitation);

    real.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash: TERMS_HASH });
    await real.next('session.joined');
    const sessionId = join.body.sessionId as string;
    // The stored acceptance and the Salesforce link name the site with the visitor.
    expect((await suite.server.store.getTermsAcceptance(sessionId))?.visitorId).toBe(`${VICTIM_SITE.id}/${contactId}`);
    expect(await suite.server.store.getSalesforceSessionLink(sessionId)).toMatchObject({
      orgId: ACME_ORG,
      siteId: VICTIM_SITE.id,
      contactId,
    });
  });

  it("never gets it through the join page's invitation either", async () => {
    const contactId = newContactId();
    const impostor = await tab(ATTACKER_SITE, await mintedBy(ATTACKER_SITE, contactId));
    const acmeAgent = (await agentOf(ACME_ORG, ACME_KEY)).body.token as string;
    expect(await inviteAsAgent(acmeAgent, contactId)).toMatchObject({
      status: 409,
      body: { code: ErrorCode.VisitorOffline },
    });
    expect(await inviteAsAgent(await devToken(suite.server), contactId)).toMatchObject({
      status: 409,
      body: { code: ErrorCode.VisitorOffline },
    });
    await impostor.nothing('terms.prompt', { after: [] }); // the invitations were refused over HTTP above
  });
});

describe("an org's agents", () => {
  it('do not see the visitors of sites not linked to their org, on any presence path', async () => {
    const contactId = newContactId();
    await tab(ATTACKER_SITE, await mintedBy(ATTACKER_SITE, contactId));

    const acme = await agentOf(ACME_ORG, ACME_KEY, contactId);
    expect(acme.body.online).toBe(false);
    expect(
      (await callAsApex(suite.server, '/api/salesforce/presence', { orgId: ACME_ORG, contactId }, ACME_KEY)).body,
    ).toEqual({ contactId, online: false });
    expect(await pollPresence(acme.body.token as string, contactId)).toBe(false);
    const watcher = await watching(acme.body.token as string, [contactId]);
    expect(await watcher.next('presence')).toEqual({ type: 'presence', visitorId: contactId, online: false });
    // The development sign-in's tenant is the victim's portal only.
    expect(await pollPresence(await devToken(suite.server), contactId)).toBe(false);

    // Mallory's own org does see its own visitor.
    const mallory = await agentOf(MALLORY_ORG, MALLORY_KEY, contactId);
    expect(mallory.body.online).toBe(true);
    expect(await pollPresence(mallory.body.token as string, contactId)).toBe(true);
  });

  it("are not pushed presence changes of another site's visitor", async () => {
    const contactId = newContactId();
    const acme = (await agentOf(ACME_ORG, ACME_KEY)).body.token as string;
    const watcher = await watching(acme, [contactId]);
    expect(await watcher.next('presence')).toMatchObject({ online: false });
    const impostor = await tab(ATTACKER_SITE, await mintedBy(ATTACKER_SITE, contactId));
    await watcher.nothing('presence', { after: impostor });
    impostor.close();
    await watcher.nothing('presence', { after: suite.server.closeHandled(impostor) });
  });

  it("cannot invite another org's visitors, and the other org's invitation reaches only its own site's tab", async () => {
    const contactId = newContactId();
    const acmeCustomer = await tab(VICTIM_SITE, await mintedBy(VICTIM_SITE, contactId));
    const mallory = (await agentOf(MALLORY_ORG, MALLORY_KEY)).body.token as string;
    expect(await inviteAsAgent(mallory, contactId)).toMatchObject({
      status: 409,
      body: { code: ErrorCode.VisitorOffline },
    });
    const join = await callAsApex(
      suite.server,
      '/api/salesforce/invitations',
      { ...AGENT, orgId: MALLORY_ORG, contactId },
      MALLORY_KEY,
    );
    expect(join).toMatchObject({ status: 409, body: { code: ErrorCode.VisitorOffline } });
    await acmeCustomer.nothing('terms.prompt', { after: [] }); // the invitations were refused over HTTP above
  });

  it("see a visitor online while they are on any of the org's sites, and told only when that changes", async () => {
    const contactId = newContactId();
    const acme = (await agentOf(ACME_ORG, ACME_KEY)).body.token as string;
    const watcher = await watching(acme, [contactId]);
    expect(await watcher.next('presence')).toEqual({ type: 'presence', visitorId: contactId, online: false });
    const onPortal = await tab(VICTIM_SITE, await mintedBy(VICTIM_SITE, contactId));
    expect(await watcher.next('presence')).toEqual({ type: 'presence', visitorId: contactId, online: true });
    const onShop = await tab(VICTIM_SHOP, await mintedBy(VICTIM_SHOP, contactId));
    onPortal.close();
    await watcher.nothing('presence', { after: suite.server.closeHandled(onPortal) }); // still on the shop
    // Join finds them on the site where they are.
    const join = await callAsApex(
      suite.server,
      '/api/salesforce/invitations',
      { ...AGENT, orgId: ACME_ORG, contactId },
      ACME_KEY,
    );
    expect(join.status).toBe(201);
    await onShop.next('terms.prompt');
    expect(await suite.server.store.getSalesforceSessionLink(join.body.sessionId as string)).toMatchObject({
      siteId: VICTIM_SHOP.id,
    });
    onShop.close();
    expect(await watcher.next('presence')).toEqual({ type: 'presence', visitorId: contactId, online: false });
  });
});

describe('Experience Cloud visitor tokens', () => {
  it("are signed for the org's first site", async () => {
    const contactId = newContactId();
    const minted = await callAsApex(
      suite.server,
      '/api/salesforce/visitor-tokens',
      { orgId: ACME_ORG, contactId },
      ACME_KEY,
    );
    expect(minted.status).toBe(201);
    const claims = JSON.parse(
      Buffer.from((minted.body.token as string).split('.')[0]!, 'base64url').toString(),
    ) as Record<string, unknown>;
    expect(claims).toMatchObject({ site: VICTIM_SITE.id, sub: contactId });
  });
});
