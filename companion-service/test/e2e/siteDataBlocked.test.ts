import type { BrowserContext, Page } from 'playwright-core';
import { launchBlockingSiteData } from '../helpers/browser';
import { e2eSuite } from '../helpers/e2eSuite';
import { people } from '../helpers/people';
import { expectRising } from '../helpers/video';

/* Browsers that block every site's data (Chrome's "Block all cookies", or a contact centre's managed browser): any
 * use of localStorage or sessionStorage throws. The join page, the console and the widget keep what they would have
 * stored for the page's lifetime instead, and the call works as it does anywhere else. */

jest.setTimeout(90_000);

const suite = e2eSuite();
const { visitorStarts, agentJoinsWithCode, consoleFor } = people(suite);

let blocking: { context: BrowserContext; close(): Promise<void> } | undefined;
afterEach(async () => {
  await blocking?.close();
  blocking = undefined;
});

/** A page of a browser that blocks site data, checked to really refuse storage on the service's pages. */
async function blockedPage(): Promise<Page> {
  blocking = await launchBlockingSiteData();
  const page = await blocking.context.newPage();
  await page.goto(`${suite.server.baseUrl}/join`);
  const refused = await page.evaluate(() =>
    ['localStorage', 'sessionStorage'].map((name) => {
      try {
        (window as unknown as Record<string, Storage>)[name]!.getItem('probe');
        return `${name}: allowed`;
      } catch (err) {
        return `${name}: ${(err as Error).name}`;
      }
    }),
  );
  expect(refused).toEqual(['localStorage: SecurityError', 'sessionStorage: SecurityError']);
  return page;
}

it('lets an agent sign in on the join page, join by key and call', async () => {
  const visitor = await suite.newPage();
  const code = await visitorStarts(visitor);
  const join = await blockedPage();

  const agent = await agentJoinsWithCode(code, join);
  await agent.getByRole('button', { name: 'Video', exact: true }).click();
  await expectRising({ name: 'the agent', page: agent }, { name: 'the visitor', page: visitor }, 30_000);
  await expectRising({ name: 'the visitor', page: visitor }, { name: 'the agent', page: agent }, 30_000);
  // The sign-in lasts as long as the page: the join page still knows the agent after the Join.
  await join.getByLabel('Session key from the visitor').waitFor();
});

it('lets a visitor start a session and call', async () => {
  const visitor = await blockedPage();
  const code = await visitorStarts(visitor);
  const agent = await consoleFor(code);
  await agent.getByRole('button', { name: 'Video', exact: true }).click();
  await expectRising({ name: 'the agent', page: agent }, { name: 'the visitor', page: visitor }, 30_000);
  await expectRising({ name: 'the visitor', page: visitor }, { name: 'the agent', page: agent }, 30_000);
});
