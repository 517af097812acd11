import type { Page } from 'playwright-core';
import type { Browser, Page as FirefoxPage } from 'puppeteer-core';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';
import {
  clickButton,
  launchFirefox,
  liveViewState,
  newFirefoxPage,
  signInOnPortal,
  textOfTestId,
} from '../helpers/firefox';
import { guestLink } from '../helpers/guestSteps';
import { people, visitorStartsHere } from '../helpers/people';
import { consoleTicket, devToken } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';

/* A browser that can't make calls: real Firefox with WebRTC turned off (media.peerconnection.enabled = false, as
 * privacy-minded people and some Firefox builds have it), against the real service and a real Chromium. The customer
 * still gets help: the agent sees and controls their page, and both sides are told why there is no video (talk on
 * the phone). An agent in such a browser still sees the customer's page; a guest is told to use another browser.
 * Before, the customer's widget threw when the agent joined (simple-peer: "No WebRTC support"), never showed the
 * agent, never sent its page, and the console said "Connecting video…" for ever. */

jest.setTimeout(180_000);

const suite = e2eSuite();
const { newPage } = suite;
const { consoleFor, agentJoinsOnline } = people(suite);

const FORM_PATH = '/portal/form.html';
const AGENT_TOLD = 'Video calls are off in the customer\u2019s browser';

let firefox: Browser;
beforeAll(async () => {
  firefox = await launchFirefox({ webrtc: false });
});
afterAll(async () => {
  await firefox?.close();
});

/** A Firefox page without WebRTC, with the errors it throws collected, and its warnings (for a failure to show). */
async function pageWithoutCalls(): Promise<{ page: FirefoxPage; errors: string[]; warnings: string[] }> {
  const page = await newFirefoxPage(firefox);
  const errors: string[] = [];
  const warnings: string[] = [];
  page.on('pageerror', (err) => errors.push(err instanceof Error ? err.message : String(err)));
  page.on('console', (m) => {
    if (m.type() === 'warn' || m.type() === 'error') warnings.push(`${m.type()}: ${m.text()}`);
  });
  expect(await page.evaluate(() => typeof RTCPeerConnection)).toBe('undefined');
  return { page, errors, warnings };
}

/** Waits for the Firefox console's live view to show the customer's page (shown, with its heading); if it never does, fails with
 * what the console showed instead, and what its page and the customer's page logged. */
async function firefoxConsoleShows(
  agent: { page: FirefoxPage; errors: string[]; warnings: string[] },
  customerLog: string[],
  heading: string,
): Promise<void> {
  try {
    await agent.page.waitForFunction(
      (text) =>
        document.querySelector<HTMLElement>('[data-testid="live-view-loading"]')?.hidden === true &&
        document
          .querySelector<HTMLIFrameElement>('[data-testid="live-view"] iframe')
          ?.contentDocument?.querySelector('h1')?.textContent === text,
      { timeout: 20_000, polling: 100 },
      heading,
    );
  } catch (error) {
    const shown = await liveViewState(agent.page);
    throw new Error(
      `${(error as Error).message}\nthe console showed ${JSON.stringify(shown)}\n` +
        `its errors and warnings: ${JSON.stringify([...agent.errors, ...agent.warnings])}\n` +
        `the customer's page logged: ${JSON.stringify(customerLog)}`,
    );
  }
}

/** Everything the page shows, shadow roots included (the widget's), as one line. */
function shownText(page: FirefoxPage): Promise<string> {
  return page.evaluate(() => {
    const parts: string[] = [];
    const visit = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) {
          parts.push(el.shadowRoot.textContent ?? '');
          visit(el.shadowRoot);
        }
      }
    };
    parts.push(document.body.innerText);
    visit(document);
    return parts.join(' ').replace(/\s+/g, ' ');
  });
}

const liveView = (agent: Page) => agent.frameLocator('[data-testid="live-view"] iframe');

async function agentToldAboutCustomer(agent: Page): Promise<void> {
  await agent.locator('#status').filter({ hasText: AGENT_TOLD }).waitFor({ timeout: 15_000 });
  await eventually(
    () => agent.locator('.tile[data-role="visitor"] .tile-state').textContent(),
    (t) => t === 'Video calls are off in their browser',
    'the customer\u2019s tile in the console',
  );
}

describe('a customer whose browser can\u2019t make calls', () => {
  it('gets a code, and the agent sees and fills their page; both are told why there is no video', async () => {
    const { page: customer, errors } = await pageWithoutCalls();
    await customer.goto(`${suite.server.baseUrl}${FORM_PATH}`);
    await clickButton(customer, 'Start video session');
    await customer.waitForFunction(
      () => document.querySelector('#tandem-widget')?.shadowRoot?.textContent?.includes('Video calls are off'),
      { timeout: 15_000 },
    );
    await clickButton(customer, 'Get a code');
    const code = (await textOfTestId(customer, 'session-code')).replace(/\s+/g, '');

    const agent = await consoleFor(code);
    await agentToldAboutCustomer(agent);
    await liveView(agent).getByRole('heading', { name: 'Update your details' }).waitFor({ timeout: 20_000 });
    await customer.type('#full-name', 'Maya Jensen');
    await eventually(
      () => liveView(agent).locator('#full-name').inputValue(),
      (v) => v === 'Maya Jensen',
      'the customer\u2019s typing in the live view',
    );

    await agent.getByRole('button', { name: 'Remote Control' }).click();
    await clickButton(customer, 'Allow');
    await agent
      .getByTestId('control-status')
      .filter({ hasText: 'You are controlling the customer\u2019s page' })
      .waitFor();
    await liveView(agent).locator('#preferred-name').fill('Omar   the  Great');
    await eventually(
      () => customer.$eval('[data-testid="greeting"]', (el) => el.textContent),
      (t) => t === 'Preferred name: Omar the Great',
      'the customer\u2019s page state, set by the agent',
    );

    // The customer is told, and sees the agent in the session (not "waiting for the agent").
    const widget = await shownText(customer);
    expect(widget).toContain('Video calls are off in this browser');
    expect(widget).toContain('Ana Agent');
    expect(widget).not.toMatch(/Waiting for the agent|connecting/i);
    expect(errors).toEqual([]);
  });

  it('signed in on the portal: accepts the agent\u2019s 1-click Join, and the agent sees their page', async () => {
    const { page: customer, errors } = await pageWithoutCalls();
    await customer.goto(`${suite.server.baseUrl}/`);
    await signInOnPortal(customer, 'Maya Jensen');

    const agent = await agentJoinsOnline('Maya Jensen');
    // The prompt says what accepting does here.
    await textOfTestId(customer, 'no-calls-note');
    await clickButton(customer, 'Accept');

    await agentToldAboutCustomer(agent);
    await liveView(agent).getByRole('heading').first().waitFor({ timeout: 20_000 });
    expect(await shownText(customer)).toContain('Video calls are off in this browser');
    expect(errors).toEqual([]);
  });
});

describe('an agent whose browser can\u2019t make calls', () => {
  it('is told, still sees the customer\u2019s page, and the customer sees why there is no agent video', async () => {
    const customer = await newPage();
    const customerLog: string[] = [];
    customer.on('console', (m) => customerLog.push(`${m.type()}: ${m.text()}`));
    await customer.goto(`${suite.server.baseUrl}${FORM_PATH}`);
    const ticket = await consoleTicket(
      suite.server,
      await devToken(suite.server, 'Ana Agent'),
      await visitorStartsHere(customer),
    );
    const firefoxAgent = await pageWithoutCalls();
    const { page: agent, errors } = firefoxAgent;
    await agent.goto(`${suite.server.baseUrl}/console#ticket=${encodeURIComponent(ticket)}`);
    await agent.waitForFunction(
      () => document.getElementById('alert')?.textContent?.startsWith('Video calls are off in this browser'),
      { timeout: 15_000 },
    );
    await agent.waitForFunction(() => document.getElementById('status')?.textContent === 'The customer is here.', {
      timeout: 15_000,
    });
    await firefoxConsoleShows(firefoxAgent, customerLog, 'Update your details');
    await eventually(
      () => customer.locator('#tandem-widget .tile-agent .tile-state').textContent(),
      (t) => /no video calls in their browser/.test(t ?? ''),
      'the agent\u2019s tile in the widget',
    );
    expect(errors).toEqual([]);
  });

  it('says so the moment they join, before the customer\u2019s page could offer a call: still drawn there, and the page still shared', async () => {
    const customer = await newPage();
    // A busy page: its offer takes half a second (as on a loaded machine), so the agent's word comes first.
    await customer.addInitScript(() => {
      const createOffer = RTCPeerConnection.prototype.createOffer;
      RTCPeerConnection.prototype.createOffer = function (this: RTCPeerConnection, ...args: unknown[]) {
        return new Promise((resolve) => setTimeout(resolve, 500)).then(() =>
          (createOffer as (...a: unknown[]) => Promise<RTCSessionDescriptionInit>).apply(this, args),
        );
      } as typeof createOffer;
    });
    await customer.goto(`${suite.server.baseUrl}${FORM_PATH}`);
    const code = await visitorStartsHere(customer);
    // A console whose "no calls here" comes right behind its join: the customer's page has just begun a connection
    // to the agent, which is dropped before it sent anything. Before, the agent's tile and the page sharing waited for
    // that connection's first signal, which never came, and were dropped with it: the agent waited for good.
    const agent = await TestClient.connect(suite.server.wsUrl);
    agent.send({ type: 'agent.join', token: await devToken(suite.server, 'Ana Agent'), code });
    agent.send({ type: 'media.set', video: false, webrtc: false });
    await agent.next('session.joined');
    agent.send({ type: 'cobrowse.snapshot.request' });

    await eventually(
      () =>
        customer
          .locator('#tandem-widget .tile-agent .tile-state')
          .textContent({ timeout: 1_000 })
          .catch(() => null),
      (t) => /no video calls in their browser/.test(t ?? ''),
      'the agent\u2019s tile in the widget',
    );
    const snapshot = await agent.next('cobrowse.events', 10_000);
    expect(snapshot.snapshot).toBe(true);
    agent.close();
  });
});

describe('a guest whose browser can\u2019t make calls', () => {
  it('is told to open the link in another browser', async () => {
    const customer = await newPage();
    await customer.goto(`${suite.server.baseUrl}/`);
    const agent = await consoleFor(await visitorStartsHere(customer));
    const { page: guest } = await pageWithoutCalls();
    await guest.goto(await guestLink(agent, suite.server.baseUrl));
    await guest.waitForFunction(() => document.body.innerText.includes('Video calls are off in this browser'), {
      timeout: 15_000,
    });
    expect(await shownText(guest)).toContain('Open the guest link in a browser with video calls on.');
  });
});
