import type { Page } from 'playwright-core';
import { By } from 'selenium-webdriver';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';
import { people } from '../helpers/people';
import { clickButton, launchWebKit, shownText, textOfTestId, type WebKit } from '../helpers/webkit';

/* A customer in WebKit, Safari's engine (Debian's WebKitGTK, through its WebDriver: helpers/webkit.ts), the agent in
 * real Chromium, the service on plain http as `npm start` runs it. WebKitGTK here has no WebRTC, so the customer takes
 * the path of a browser that can't make calls; everything else is WebKit's own: the widget's loader and call chunk,
 * rrweb recording the page for the live view, remote control applied to the page. Before, the service's pages asked
 * browsers to upgrade every request to https (upgrade-insecure-requests, also over plain http), which WebKit does
 * even for localhost: the widget never loaded. */

jest.setTimeout(180_000);

const suite = e2eSuite();
const { consoleFor } = people(suite);

const FORM_PATH = '/portal/form.html';

let webkit: WebKit;
beforeAll(async () => {
  webkit = await launchWebKit();
});
afterAll(async () => {
  await webkit?.stop();
});

const liveView = (agent: Page) => agent.frameLocator('[data-testid="live-view"] iframe');

describe('a customer in WebKit (Safari\u2019s engine)', () => {
  it('gets a code from the widget; the agent sees, follows and fills their page', async () => {
    const { driver } = webkit;
    await driver.get(`${suite.server.baseUrl}${FORM_PATH}`);
    expect(await driver.executeScript('return typeof RTCPeerConnection')).toBe('undefined');
    await clickButton(driver, 'Start video session');
    await eventually(
      () => shownText(driver),
      (t) => t.includes('Video calls are off in this browser'),
      'the widget saying why there is no video',
    );
    await clickButton(driver, 'Get a code');
    const code = (await textOfTestId(driver, 'session-code')).replace(/\s+/g, '');

    const agent = await consoleFor(code);
    await agent.locator('#status').filter({ hasText: 'Video calls are off in the customer\u2019s browser' }).waitFor();
    await liveView(agent).getByRole('heading', { name: 'Update your details' }).waitFor({ timeout: 20_000 });
    await driver.findElement(By.css('#full-name')).sendKeys('Maya Jensen');
    await eventually(
      () => liveView(agent).locator('#full-name').inputValue(),
      (v) => v === 'Maya Jensen',
      'the customer\u2019s typing in the live view',
    );

    await agent.getByRole('button', { name: 'Remote Control' }).click();
    await clickButton(driver, 'Allow');
    await agent
      .getByTestId('control-status')
      .filter({ hasText: 'You are controlling the customer\u2019s page' })
      .waitFor();
    await liveView(agent).locator('#preferred-name').fill('Omar   the  Great');
    await eventually(
      () => driver.findElement(By.css('[data-testid="greeting"]')).getText(),
      (t) => t === 'Preferred name: Omar the Great',
      'the WebKit page\u2019s state, set by the agent',
    );
    await eventually(
      () => liveView(agent).getByTestId('greeting').textContent(),
      (t) => t === 'Preferred name: Omar the Great',
      'the new state in the live view',
    );
    expect(await shownText(driver)).toContain('Ana Agent');
  });
});
