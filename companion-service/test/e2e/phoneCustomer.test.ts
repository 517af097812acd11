import type { BrowserContext, Page } from 'playwright-core';
import { expectHearing } from '../helpers/audio';
import { RECORD_PEER_CONNECTIONS } from '../helpers/browser';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';
import { people } from '../helpers/people';
import { expectRising } from '../helpers/video';

/* Most customers call from a phone. In real Chromium as a phone (390x844 CSS pixels, touch, a mobile user agent),
 * the customer taps through the widget on the demo portal's form: the widget's panel and the page fit the screen's
 * width (nothing to scroll sideways), the call works both ways, and the agent's live view shows the page at the
 * phone's width, and at the new width once the phone is turned sideways. Before, the portal's text fields stuck out of a phone's screen by their padding. */

jest.setTimeout(120_000);

const suite = e2eSuite();
const { consoleFor } = people(suite);

const PHONE = { width: 390, height: 844 };
let phone: BrowserContext | undefined;

afterEach(async () => {
  await phone?.close();
  phone = undefined;
});

async function phonePage(): Promise<Page> {
  phone = await suite.browser.newContext({
    viewport: PHONE,
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
    userAgent:
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  });
  await phone.addInitScript(RECORD_PEER_CONNECTIONS);
  return phone.newPage();
}

/** How far the page can be scrolled sideways (0: it fits the screen's width). */
const sidewaysScroll = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('a customer on a phone', () => {
  it('taps through the widget, fits the screen, and the call and the live view work', async () => {
    const customer = await phonePage();
    await customer.goto(`${suite.server.baseUrl}/portal/form.html`);
    expect(await sidewaysScroll(customer)).toBe(0);

    await customer.getByRole('button', { name: 'Start video session' }).tap();
    await customer.getByRole('button', { name: 'Enable camera' }).tap();
    const code = ((await customer.getByTestId('session-code').textContent()) ?? '').replace(/\s+/g, '');
    const panel = await customer.locator('#tandem-widget').boundingBox();
    expect(panel).not.toBeNull();
    expect(panel!.x).toBeGreaterThanOrEqual(0);
    expect(panel!.x + panel!.width).toBeLessThanOrEqual(PHONE.width);
    expect(panel!.y + panel!.height).toBeLessThanOrEqual(PHONE.height);

    const agent = await consoleFor(code);
    await agent.getByRole('button', { name: 'Video', exact: true }).click();
    await expectRising({ name: 'the customer', page: customer }, { name: 'the agent', page: agent });
    await expectRising({ name: 'the agent', page: agent }, { name: 'the customer', page: customer });
    await expectHearing({ name: 'the agent', page: agent }, { name: 'the customer', page: customer });
    expect(await sidewaysScroll(customer)).toBe(0);

    // The live view lays the page out at the phone's width, as the customer sees it.
    const view = agent.frameLocator('[data-testid="live-view"] iframe');
    await view.getByRole('heading', { name: 'Update your details' }).waitFor({ timeout: 20_000 });
    await eventually(
      () => agent.locator('[data-testid="live-view"] iframe').evaluate((f) => (f as HTMLIFrameElement).offsetWidth),
      (w) => w === PHONE.width,
      'the live view at the phone\u2019s width',
    );

    // Turned sideways: the live view follows the new width.
    await customer.setViewportSize({ width: PHONE.height, height: PHONE.width });
    await eventually(
      () => agent.locator('[data-testid="live-view"] iframe').evaluate((f) => (f as HTMLIFrameElement).offsetWidth),
      (w) => w === PHONE.height,
      'the live view at the turned phone\u2019s width',
    );
    expect(await sidewaysScroll(customer)).toBe(0);

    await customer.getByRole('button', { name: 'Hang up' }).tap();
    await agent.getByRole('heading', { name: /ended/i }).waitFor({ timeout: 15_000 });
  });
});
