import type { Page } from 'playwright-core';
import { expectFramesRising } from '../helpers/browser';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';
import { people } from '../helpers/people';
import { consoleTicket, devToken } from '../helpers/testServer';

/* A Join while the agent's console window is still open, in real Chromium. The join page (the console's own origin)
 * opens the same named window every time, so its Join reaches that console and posts the ticket; a console link
 * opened in the console's own window changes only the fragment, so the page does not load again. An idle console
 * (its session did not start, or could not be joined) takes the new ticket and joins; a console in a session keeps
 * it and says so, and nobody is invited for nothing. Salesforce's page, on another origin, can't reach an open
 * console (the console's Cross-Origin-Opener-Policy): each of its Joins opens a window of its own. */

jest.setTimeout(180_000);

const suite = e2eSuite();
const { newPage } = suite;
const { agentSignsIn, customerSignsIn: signsIn, visitorStarts } = people(suite);

const WAITING = 'Waiting for the customer to accept the invitation';
const REFUSED_IN_CONSOLE = 'You joined another customer while this session is on.';
const BUSY_ON_JOIN_PAGE = 'Your console is in a session. End that session before you join another customer';

async function agentOnCustomers(): Promise<Page> {
  const join = await newPage();
  await agentSignsIn(join);
  await join.getByRole('tab', { name: 'Customers on the demo portal' }).click();
  await join.locator('#customer-list li').first().waitFor();
  return join;
}

async function customerOnline(join: Page, name: string): Promise<Page> {
  const portal = await newPage();
  await signsIn(portal, name);
  await eventually(
    () => join.locator('#customer-list li').filter({ hasText: name }).locator('.presence').textContent(),
    (t) => t === 'Online',
    `${name} online`,
  );
  return portal;
}

const joinButton = (join: Page, name: string) => join.getByRole('button', { name: `Join ${name}` });

/** Counts the page loads of a window (its document's new loads), from now on. Counted when each document is parsed
 * and its scripts have run, not at its load event: a console that joined asks for the live view's chunk, and its load
 * event waits for that script, which on a busy machine comes after what the test waits for next. */
async function countLoads(page: Page): Promise<() => number> {
  await page.waitForLoadState('domcontentloaded');
  let loads = 0;
  page.on('domcontentloaded', () => loads++);
  return () => loads;
}

describe('a Join reaches the console window already open', () => {
  it('from the join page: an idle console takes the next Join; one in a session keeps it and nobody is invited', async () => {
    const join = await agentOnCustomers();
    const maya = await customerOnline(join, 'Maya Jensen');
    const [agent] = await Promise.all([join.context().waitForEvent('page'), joinButton(join, 'Maya Jensen').click()]);
    await agent.getByRole('status').filter({ hasText: WAITING }).waitFor();
    await maya.getByRole('button', { name: 'Decline' }).click();
    await agent.getByRole('heading', { name: 'The customer declined' }).waitFor();

    // Asked again: the same window (no new one) loads once more and joins; Maya accepts this time.
    const newWindows: Page[] = [];
    join.context().on('page', (p) => newWindows.push(p));
    const loads = await countLoads(agent);
    await joinButton(join, 'Maya Jensen').click();
    await agent.getByRole('status').filter({ hasText: WAITING }).waitFor();
    await maya.getByRole('button', { name: 'Accept' }).click();
    await expectFramesRising(agent);
    expect(loads()).toBe(1);
    expect(newWindows).toHaveLength(0);
    expect(agent.url()).not.toContain('ticket');

    // In the session, a Join for Omar: the join page says why and Omar is never asked.
    const omar = await customerOnline(join, 'Omar Haddad');
    await joinButton(join, 'Omar Haddad').click();
    await join.getByText(BUSY_ON_JOIN_PAGE).waitFor();
    expect(await join.locator('#customer-list li').filter({ hasText: 'Omar Haddad' }).textContent()).not.toContain(
      'Invitation sent',
    );
    // Maya's invitation was the last one: Omar's widget, open all along, shows no terms prompt.
    expect(await omar.getByRole('button', { name: 'Accept' }).count()).toBe(0);
    expect(loads()).toBe(1);
    expect(newWindows).toHaveLength(0);
    await expectFramesRising(agent);
    await agent.getByRole('status').filter({ hasText: 'Connected.' }).waitFor();

    // A ticket that reaches it anyway (the session started between a click and its ticket): the console keeps its
    // session, says so, and answers that it is busy.
    const answer = await join.evaluate(
      () =>
        new Promise<unknown>((resolve) => {
          const win = window.open('', 'tandem-console')!;
          addEventListener('message', (event) => {
            if (event.source === win) resolve(event.data);
          });
          win.postMessage({ source: 'tandem-join', type: 'ticket', ticket: 'A'.repeat(32) }, location.origin);
        }),
    );
    expect(answer).toEqual({ source: 'tandem-console', type: 'busy' });
    await agent.getByRole('alert').filter({ hasText: REFUSED_IN_CONSOLE }).waitFor();
    expect(loads()).toBe(1);
    await expectFramesRising(agent);
  });

  it('a console link opened in the open console (same page, only the fragment changes): idle takes it, in a session refuses it', async () => {
    const a = await visitorStarts(await newPage());
    const visitorB = await newPage();
    const b = await visitorStarts(visitorB);
    const token = await devToken(suite.server);
    const consoleLink = (ticket: string) => `${suite.server.baseUrl}/console#ticket=${encodeURIComponent(ticket)}`;

    // A link whose ticket the service refuses: the console says so and stays, idle.
    const agent = await newPage();
    await agent.goto(consoleLink('x'.repeat(32)));
    await agent.getByRole('heading', { name: 'Could not join the session' }).waitFor();

    // The agent pastes the next link into the same window: a navigation within the page (nothing loads by itself);
    // the console loads itself again with the ticket and joins.
    const loads = await countLoads(agent);
    await agent.goto(consoleLink(await consoleTicket(suite.server, token, a)));
    await eventually(loads, (n) => n === 1, 'the console loaded again');
    await expectFramesRising(agent);
    expect(agent.url()).not.toContain('ticket');

    // In the session, another link: the console keeps its session and says why; visitor B is never joined.
    await agent.goto(consoleLink(await consoleTicket(suite.server, token, b)));
    await agent.getByRole('alert').filter({ hasText: REFUSED_IN_CONSOLE }).waitFor();
    expect(loads()).toBe(1);
    expect(agent.url()).not.toContain('ticket');
    await expectFramesRising(agent);
    expect(await visitorB.getByTestId('session-code').isVisible()).toBe(true);
  });

  it('from Salesforce (another origin): each Join gets a window of its own and never disturbs a console in a session', async () => {
    const a = await visitorStarts(await newPage());
    const b = await visitorStarts(await newPage());
    const token = await devToken(suite.server);
    // Salesforce's page is on another origin than the service: 127.0.0.1 against localhost.
    const lightningOrigin = suite.server.baseUrl.replace('localhost', '127.0.0.1');
    expect(lightningOrigin).not.toBe(suite.server.baseUrl);
    const lightning = await newPage();
    await lightning.goto(`${lightningOrigin}/join`);
    // What the Salesforce component does (force-app tandemJoin.js openConsole): the named window, opened empty inside
    // the click, its opener cut, then pointed at the console link the service returned. Answers whether the window
    // was a new, empty one.
    const salesforceJoin = async (code: string) => {
      const link = `${suite.server.baseUrl}/console#ticket=${encodeURIComponent(await consoleTicket(suite.server, token, code))}`;
      return lightning.evaluate((url) => {
        const win = window.open('', 'tandem-console')!;
        const empty = win.location.href === 'about:blank';
        win.opener = null;
        win.location.replace(url);
        return empty;
      }, link);
    };

    const [first, firstEmpty] = await Promise.all([lightning.context().waitForEvent('page'), salesforceJoin(a)]);
    expect(firstEmpty).toBe(true);
    await first.waitForURL(/\/console$/);
    await expectFramesRising(first);

    // The console's own origin isolates its window (Cross-Origin-Opener-Policy: same-origin): Salesforce's page
    // can't find it by name, so the next Join opens another window, and the console in a session is left alone.
    const [second, secondEmpty] = await Promise.all([lightning.context().waitForEvent('page'), salesforceJoin(b)]);
    expect(secondEmpty).toBe(true);
    await second.waitForURL(/\/console$/);
    await expectFramesRising(second);
    await expectFramesRising(first);
    expect(await first.getByRole('alert').filter({ hasText: REFUSED_IN_CONSOLE }).count()).toBe(0);
  });
});
