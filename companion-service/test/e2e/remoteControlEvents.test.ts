import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { serveFiles, type ServedFiles } from '../helpers/appFixtures';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventuallyWithin } from '../helpers/eventually';
import { people, remoteControlOn, visitorStartsHere } from '../helpers/people';
import { agentSurface, customerSurface, type Surface } from '../helpers/userScript';

/* "As far as a page can tell": a page that logs every input event it gets (test/fixtures/eventLog/), with what pages
 * read of each (key, code, keyCode, input type and data, button, click count, modifiers, value after, bubbles,
 * cancelable, composed), gets the same log from the agent's input through remote control as from the customer's own
 * hands, for clicks, double-clicks, right-clicks, typing, Backspace, arrows, Enter (in a field and a textarea), Tab,
 * a checkbox, hover, and keys and text the page refuses (preventDefault on keydown, on beforeinput); and a menu made of CSS :hover alone opens under the agent's pointer. Both runs use Playwright's own mouse and keyboard: on the page, and on the console's live
 * view. What a page can still tell: the events are not trusted (isTrusted is false), and pointer moves between
 * elements are fewer; the log leaves out moves. */

jest.setTimeout(180_000);

const suite = e2eSuite();
const { consoleFor } = people(suite);
const eventually = eventuallyWithin(15_000, 100);
const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'eventLog');

let site: ServedFiles;
beforeAll(async () => {
  const [html, bundle] = await Promise.all([
    readFile(path.join(FIXTURE, 'eventLog.html'), 'utf8'),
    build({
      entryPoints: [path.join(FIXTURE, 'eventLog.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'chrome110',
      logLevel: 'silent',
    }),
  ]);
  site = await serveFiles({
    '/': { type: 'text/html; charset=utf-8', body: html.replace('{{SERVICE}}', suite.server.baseUrl) },
    '/eventLog.js': { type: 'text/javascript; charset=utf-8', body: bundle.outputFiles[0]!.text },
  });
});
afterAll(() => site.stop());

interface Logged {
  type: string;
  target: string;
  detail: string;
}

const logOf = (page: Page) =>
  page.evaluate(() => (window as unknown as { __eventLog: Logged[] }).__eventLog.map((e) => ({ ...e })));
const clearLog = (page: Page) =>
  page.evaluate(() => void ((window as unknown as { __eventLog: Logged[] }).__eventLog.length = 0));

/** The same person's session, on either surface. */
async function script(surface: Surface): Promise<void> {
  const { page } = surface;
  const at = (selector: string) => surface.locate(selector);
  const field = { selector: '#field', at: { x: 14, y: 10 } };
  await surface.locate(field).click({ position: await surface.position(field) });
  await page.keyboard.type('ab', { delay: 40 });
  await page.keyboard.press('Backspace');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowLeft');
  await page.keyboard.type('Z');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await page.keyboard.type('x');
  await at('#area').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('two');
  await at('#letters').click();
  await page.keyboard.type('a1b2', { delay: 40 });
  await at('#lower').click();
  await page.keyboard.type('aBc', { delay: 40 });
  await at('#word').dblclick();
  await at('#word').click({ button: 'right' });
  await at('#check').click();
  await at('#hover-zone').hover();
  await at('#press').click();
}

/** The customer's page has logged the last action of the script (the click on Press me). */
const finished = (log: Logged[]) => log.some((e) => e.type === 'click' && e.target === 'press');

describe('remote control, as the page sees it', () => {
  it('gives the page the same events, in the same order, with the same fields, as the customer\u2019s own input', async () => {
    // By hand.
    const byHand = await suite.newPage();
    await byHand.goto(site.url);
    await byHand.waitForFunction(() => Array.isArray((window as unknown as { __eventLog?: unknown }).__eventLog));
    await clearLog(byHand);
    await script(customerSurface(byHand));
    const expected = await eventually(() => logOf(byHand), finished, 'the customer\u2019s own session logged');

    // By remote control.
    const customer = await suite.newPage();
    await customer.goto(site.url);
    const code = await visitorStartsHere(customer, 15_000);
    const agent = await consoleFor(code, { origin: suite.server.baseUrl.replace('//localhost', '//127.0.0.1') });
    await agent.frameLocator('[data-testid="live-view"] iframe').locator('#press').waitFor({ timeout: 20_000 });
    await remoteControlOn(agent, customer);
    await clearLog(customer);
    await script(agentSurface(agent));
    const actual = await eventually(
      () => logOf(customer),
      finished,
      'the agent\u2019s session logged on the customer\u2019s page',
    );

    const lines = (log: Logged[]) => log.map((e) => `${e.type} #${e.target} ${e.detail}`);
    expect(lines(actual)).toEqual(lines(expected));
    // What the page refused stayed out.
    expect(await customer.locator('#letters').inputValue()).toBe('ab');
    expect(await customer.locator('#lower').inputValue()).toBe('ac');

    // A menu made of CSS alone opens under the agent's pointer, on the customer's page and so in the live view.
    const shown = (page: Page | ReturnType<Page['frameLocator']>) => page.locator('#menu-items').isVisible();
    expect(await shown(customer)).toBe(false);
    await agentSurface(agent).locate('#menu').hover();
    await eventually(
      () => shown(customer),
      (v) => v,
      'the menu open on the customer’s page',
    );
    await eventually(
      () => shown(agent.frameLocator('[data-testid="live-view"] iframe')),
      (v) => v,
      'the menu open in the live view',
    );
    await agentSurface(agent).locate('#word').hover();
    await eventually(
      () => shown(customer),
      (v) => !v,
      'the menu shut again when the pointer left it',
    );
  });
});
