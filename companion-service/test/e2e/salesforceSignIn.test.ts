import type { Page } from 'playwright-core';
import { axeViolations } from '../helpers/axe';
import { e2eSuite } from '../helpers/e2eSuite';
import { OWN_SECRETS } from '../helpers/ownSecrets';
import type { DoubleUser, SalesforceDouble } from '../helpers/salesforceDouble';
import { CLIENT_ID, CLIENT_SECRET, orgWithDouble, startOrgDouble } from '../helpers/salesforceFixtures';
import { freePort } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';

/* Sign in with Salesforce on the agent join page, in Chromium: the page sends the agent to Salesforce (a local
 * double of its OAuth endpoints), comes back signed in with the permissions read there, and the token it got joins
 * a real session. Refusals come back as messages the agent can act on. */

jest.setTimeout(60_000);

const AGENT: DoubleUser = {
  id: '0055g00000BrowseAA',
  name: 'Bea Browser',
  username: 'bea@acme.test',
  permissions: ['Tandem_Join'],
};
const NOT_AN_AGENT: DoubleUser = {
  id: '0055g00000NoJoinAA',
  name: 'Nico Nojoin',
  username: 'nico@acme.test',
  permissions: [],
};

let double: SalesforceDouble;

// Salesforce sends the browser back to publicUrl, so the server must know its own address before it starts.
const suite = e2eSuite({
  server: async () => {
    double = await startOrgDouble([AGENT, NOT_AN_AGENT]);
    const port = await freePort();
    return {
      port,
      publicUrl: `http://localhost:${port}`,
      devSignIn: false,
      // Without the development sign-in, the published secrets of config/default.json are refused.
      ...OWN_SECRETS,
      salesforce: {
        orgs: [orgWithDouble(double, { siteIds: [] })],
        loginUrl: double.url,
        oauth: { enabled: true, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
        outbox: { enabled: false },
      },
    } as never;
  },
});
afterAll(async () => {
  await double?.stop();
});

async function joinPage(): Promise<Page> {
  const page = await suite.newPage();
  await page.goto(`${suite.server.baseUrl}/join`);
  await page.getByRole('link', { name: 'Sign in with Salesforce' }).waitFor();
  return page;
}

it('offers only Sign in with Salesforce when development sign-in is off, and passes axe', async () => {
  const page = await joinPage();
  expect(await page.getByRole('button', { name: 'Sign in (development)' }).isVisible()).toBe(false);
  await page.getByText('Development sign-in is turned off on this server.').waitFor();
  expect(await axeViolations(page)).toEqual([]);
});

it('signs the agent in through Salesforce and joins a session with the token it got', async () => {
  const page = await joinPage();
  double.nextLogin = AGENT;
  await page.getByRole('link', { name: 'Sign in with Salesforce' }).click();
  await page.getByText('Signed in as').waitFor();
  expect(await page.locator('#agent-label').textContent()).toBe('Bea Browser');
  // The one-time code is gone from the address bar once traded.
  expect(new URL(page.url()).hash).toBe('');

  const visitor = await TestClient.connect(suite.server.wsUrl);
  visitor.send({ type: 'visitor.start' });
  const { code } = await visitor.next('session.created');
  await page.getByLabel('Session key from the visitor').fill(code);
  const [consolePage] = await Promise.all([
    page.context().waitForEvent('page'),
    page.getByRole('button', { name: 'Join' }).click(),
  ]);
  await consolePage.waitForURL(/\/console$/);
  const joined = await visitor.next('peer.joined', 10_000);
  expect(joined.link.peer.name).toBe('Bea Browser');
  expect(joined.link.peer.role).toBe('agent');
  visitor.close();
});

it('tells a Salesforce user without the Tandem permission why they cannot join', async () => {
  const page = await joinPage();
  double.nextLogin = NOT_AN_AGENT;
  await page.getByRole('link', { name: 'Sign in with Salesforce' }).click();
  await page.getByRole('alert').filter({ hasText: 'not allowed to join sessions' }).waitFor();
  expect(await page.locator('#join').isVisible()).toBe(false);
  expect(await page.evaluate(() => sessionStorage.getItem('tandem.agentToken'))).toBeNull();
});

it('says so when the agent cancels at Salesforce, and refuses a forged code', async () => {
  const page = await joinPage();
  double.nextLogin = 'deny';
  await page.getByRole('link', { name: 'Sign in with Salesforce' }).click();
  await page.getByRole('alert').filter({ hasText: 'Salesforce sign-in was cancelled' }).waitFor();

  // A code this browser was never handed (a fresh page: a same-page fragment change would not reload it).
  const forged = await suite.newPage();
  await forged.goto(`${suite.server.baseUrl}/join#salesforce=${'x'.repeat(43)}`);
  await forged.getByRole('alert').filter({ hasText: 'This sign-in has expired' }).waitFor();
  expect(await forged.evaluate(() => sessionStorage.getItem('tandem.agentToken'))).toBeNull();
  expect(new URL(forged.url()).hash).toBe('');
});
