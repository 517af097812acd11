import type { Page } from 'playwright-core';
import { By, Key, Origin } from 'selenium-webdriver';
import { cursorDistance } from '../helpers/agentCursor';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';
import { people, visitorStartsHere } from '../helpers/people';
import { consoleTicket, devToken } from '../helpers/testServer';
import { clickButton, launchWebKit, shownText, textOfTestId, type WebKit } from '../helpers/webkit';

/* WebKit, Safari's engine (Debian's WebKitGTK, through its WebDriver: helpers/webkit.ts), against real Chromium, the
 * service on plain http as `npm start` runs it. WebKitGTK here has no WebRTC, so whoever is in it takes the path of a
 * browser that can't make calls; everything else is WebKit's own. A customer in WebKit: the widget's loader and call
 * chunk, 1-click connect, rrweb recording the page, remote control applied to it. An agent in WebKit: the console,
 * rrweb's replayer rebuilding the customer's page, remote control clicked and typed into that view. WebKit runs no
 * event listener in the view's sandboxed document, so there the console takes the agent's input over the view
 * (web/cobrowse/inputRelay.ts): before, an agent in Safari clicked and typed into the view and nothing reached the
 * customer. Before, the service's pages asked
 * browsers to upgrade every request to https (upgrade-insecure-requests, also over plain http), which WebKit does
 * even for localhost: the widget never loaded. */

jest.setTimeout(180_000);

const suite = e2eSuite();
const { newPage } = suite;
const { consoleFor, agentJoinsOnline } = people(suite);

const FORM_PATH = '/portal/form.html';

// A fresh browser for each test, as Chromium's tests get a fresh context: a page's stored call must not carry over.
let webkit: WebKit;
beforeEach(async () => {
  webkit = await launchWebKit();
});
afterEach(async () => {
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

describe('a customer in WebKit, signed in on the portal', () => {
  it('accepts the agent\u2019s 1-click Join; the agent sees their page', async () => {
    const { driver } = webkit;
    await driver.get(`${suite.server.baseUrl}/`);
    await eventually(
      () => driver.findElements(By.css('#customer option')),
      (options) => options.length > 0,
      'the demo customers',
    );
    await driver.findElement(By.xpath('//select[@id="customer"]/option[.="Maya Jensen"]')).click();
    await clickButton(driver, 'Sign in');

    const agent = await agentJoinsOnline('Maya Jensen');
    await textOfTestId(driver, 'no-calls-note');
    await clickButton(driver, 'Accept');
    await agent.locator('#status').filter({ hasText: 'Video calls are off in the customer\u2019s browser' }).waitFor();
    await liveView(agent).getByRole('heading', { name: 'Your policies' }).waitFor({ timeout: 20_000 });
  });
});

describe('an agent in WebKit', () => {
  it('sees the customer\u2019s page rebuilt in the console, fills it by typing and choosing in the view, and points and reads aloud in accessibility mode', async () => {
    const { driver } = webkit;
    const customer = await newPage();
    await customer.goto(`${suite.server.baseUrl}${FORM_PATH}`);
    // A field inside a web component's shadow root (an LWC on an LWR site): the view's document sees only its host.
    await customer.evaluate(() => {
      customElements.define(
        'driver-note',
        class extends HTMLElement {
          constructor() {
            super();
            const field = Object.assign(document.createElement('input'), {
              id: 'note',
              ariaLabel: 'Note for the driver',
            });
            this.attachShadow({ mode: 'open' }).append(field);
          }
        },
      );
      (document.querySelector('main') ?? document.body).append(document.createElement('driver-note'));
    });
    const ticket = await consoleTicket(
      suite.server,
      await devToken(suite.server, 'Ana Agent'),
      await visitorStartsHere(customer),
    );
    await driver.get(`${suite.server.baseUrl}/console#ticket=${encodeURIComponent(ticket)}`);
    await eventually(
      () => driver.findElement(By.id('alert')).getText(),
      (t) => t.startsWith('Video calls are off in this browser'),
      'the console saying why there is no video',
    );
    await eventually(
      () =>
        driver.executeScript<string | undefined>(
          `return document.querySelector('[data-testid="live-view"] iframe')?.contentDocument?.querySelector('h1')?.textContent`,
        ),
      (t) => t === 'Update your details',
      'the customer\u2019s page in the live view',
    );

    await clickButton(driver, 'Remote Control');
    await customer
      .getByRole('alertdialog', { name: 'Ana Agent asks to control this page' })
      .getByRole('button', { name: 'Allow' })
      .click();
    await eventually(
      () => driver.findElement(By.css('[data-testid="control-status"]')).getText(),
      (t) => t.includes('You are controlling'),
      'remote control on',
    );
    // The agent's own pointer and keys, on the view (a WebDriver action, as a person's: not aimed at an element).
    await clickInLiveView(driver, '#preferred-name');
    await driver.actions().sendKeys('Omar   the  Great').perform();
    await eventually(
      () => customer.getByTestId('greeting').textContent(),
      (t) => t === 'Preferred name: Omar the Great',
      'the customer\u2019s page state, typed from WebKit',
    );
    // Tab goes on to the next field as on the customer's page, and the agent's next keys go there, also once the
    // customer's page has said where its focus went (the view's caret follows it).
    await clickInLiveView(driver, '#full-name');
    await driver.actions().sendKeys('Maya').perform();
    await driver.actions().sendKeys(Key.TAB).perform();
    await eventually(
      () => customer.evaluate(() => document.activeElement?.id),
      (id) => id === 'preferred-name',
      'the customer\u2019s focus moved on by the agent\u2019s Tab',
    );
    await customer.evaluate(() => document.body.setAttribute('data-after-tab', ''));
    await eventually(
      () =>
        driver.executeScript<boolean>(
          `return !!document.querySelector('[data-testid="live-view"] iframe')?.contentDocument?.querySelector('body[data-after-tab]')`,
        ),
      (seen) => seen,
      'the customer\u2019s page after the Tab, in the view',
    );
    await driver.actions().sendKeys('Lia').perform();
    await eventually(
      () => customer.getByTestId('greeting').textContent(),
      (t) => t === 'Preferred name: Lia',
      'the keys after Tab, in the next field',
    );
    expect(await customer.locator('#full-name').inputValue()).toBe('Maya');
    // The same in a component's field.
    await clickInLiveView(driver, 'driver-note', '#note');
    await driver.actions().sendKeys('Gate code 1942').perform();
    await eventually(
      () => customer.locator('driver-note #note').inputValue(),
      (v) => v === 'Gate code 1942',
      'the component\u2019s field, typed from WebKit',
    );
    // A click on a box: ticked on the customer's page.
    await clickInLiveView(driver, '#paperless');
    await eventually(
      () => customer.locator('#paperless').isChecked(),
      (checked) => checked,
      'the box ticked from WebKit',
    );

    // A select: its own list can't open in the view here, so the console shows the options in a list of its own,
    // and the agent's choice changes the customer's page. Before, the agent in Safari could not choose at all.
    await clickInLiveView(driver, '#contact-method');
    const choice = await driver.findElement(By.css('.input-relay-choice'));
    expect(await choice.getAttribute('aria-label')).toBe('Choose for the customer: How should we reach you?');
    await choice.findElement(By.css('option:nth-child(2)')).click();
    await eventually(
      () => customer.locator('#contact-method').inputValue(),
      (v) => v === 'phone',
      'the option chosen from WebKit, on the customer\u2019s page',
    );
    await eventually(
      () => driver.findElements(By.css('.input-relay-choice')).then((found) => found.length),
      (n) => n === 0,
      'the console\u2019s list closed once chosen',
    );

    // Accessibility mode, remote control off: the agent's pointer over the view shows on the customer's page, on the
    // element under it, and a click has that element read aloud there. Before, the pointer never showed from WebKit.
    await clickButton(driver, 'Remote Control');
    await eventually(
      () => driver.findElement(By.css('[data-testid="control-status"]')).getText(),
      (t) => t.includes('Remote control stopped'),
      'remote control off',
    );
    await clickButton(driver, 'Settings');
    await driver.findElement(By.id('accessibility-mode')).click();
    await clickButton(driver, 'Settings');
    await eventually(
      () => driver.findElement(By.css('[data-testid="live-view"]')).getAttribute('data-mode'),
      (mode) => mode === 'read-aloud',
      'the view in read-aloud mode',
    );
    const heading = await inLiveView(driver, '#contact-title');
    await driver
      .actions()
      .move({ x: heading.x - 10, y: heading.y, origin: Origin.VIEWPORT })
      .move({ x: heading.x, y: heading.y, origin: Origin.VIEWPORT, duration: 200 })
      .perform();
    await eventually(
      () => cursorDistance(customer, '#contact-title'),
      (d) => d <= 4,
      'the agent\u2019s pointer on the heading, on the customer\u2019s page',
    );
    await clickInLiveView(driver, 'label[for="paperless"]');
    await eventually(
      () => customer.locator('[data-tandem-live-region]').textContent(),
      (t) => t === 'Send my statements online instead of on paper',
      'the label read aloud on the customer\u2019s page',
    );
  });
});

/** Clicks the middle of an element of the live view with the pointer, where the person would: the view is scaled.
 * `inShadow`: the element is that one in the shadow root of the element `selector` finds. */
async function clickInLiveView(driver: WebKit['driver'], selector: string, inShadow?: string): Promise<void> {
  const point = await inLiveView(driver, selector, inShadow);
  await driver.actions().move({ x: point.x, y: point.y, origin: Origin.VIEWPORT }).click().perform();
}

/** The middle of an element of the live view, in the console's viewport (scrolled into sight first). */
function inLiveView(driver: WebKit['driver'], selector: string, inShadow?: string): Promise<{ x: number; y: number }> {
  return driver.executeScript<{ x: number; y: number }>(
    `const frame = document.querySelector('[data-testid="live-view"] iframe');
    frame.scrollIntoView({ block: 'center' });
    const found = frame.contentDocument.querySelector(arguments[0]);
    const element = arguments[1] ? found.shadowRoot.querySelector(arguments[1]) : found;
    element.scrollIntoView({ block: 'center' });
    const box = frame.getBoundingClientRect();
    const scale = box.width / frame.offsetWidth;
    const target = element.getBoundingClientRect();
    return { x: Math.round(box.left + (target.left + target.width / 2) * scale),
             y: Math.round(box.top + (target.top + target.height / 2) * scale) };`,
    selector,
    inShadow,
  );
}
