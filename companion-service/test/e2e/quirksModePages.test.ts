import type { FrameLocator, Page } from 'playwright-core';
import { serveFiles, type ServedFiles } from '../helpers/appFixtures';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';
import { people, visitorStartsHere } from '../helpers/people';

/* A customer's page without a doctype, as older portals are served, with two frames: a page of the site's own in
 * standards mode, and a blank frame a script fills in (as rich-text editors do), in quirks mode as the page. In real Chromium with
 * the real widget and console. rrweb rebuilds a quirks-mode document by writing a doctype into it, which the console's
 * Trusted Types policy refuses; before, the live view of such a page stayed empty, and a frame's document was left
 * loading, so the console's own page never finished loading when the view came before its load event (the WebKit
 * e2e hung on that: rrweb keeps such frames in Safari pages). The view lays each document out in the customer's mode
 * (replayedDocuments.ts; drawnContent's e2e checks a page in standards mode). */

jest.setTimeout(120_000);

const suite = e2eSuite();
const { newPage } = suite;
const { consoleFor } = people(suite);

let portal: ServedFiles;

beforeAll(async () => {
  portal = await serveFiles({
    '/': {
      type: 'text/html; charset=utf-8',
      body: `<html><head><meta charset="utf-8"><title>Claims</title>
<script src="${suite.server.baseUrl}/widget.js" defer></script></head>
<body><h1>Your claims</h1><label>Claim number <input id="claim"></label>
<iframe id="terms" title="Terms" src="/terms.html" style="width:400px;height:100px"></iframe>
</body></html>`,
    },
    '/terms.html': {
      type: 'text/html; charset=utf-8',
      body: '<!doctype html><title>Terms</title><p>Terms of the claim</p>',
    },
  });
});
afterAll(async () => {
  await portal?.stop();
});

/** Adds a blank frame to the page and writes into it, as a rich-text editor does. */
const addScriptedFrame = (customer: Page) =>
  customer.evaluate(() => {
    const frame = Object.assign(document.createElement('iframe'), { id: 'note', title: 'Note' });
    document.body.append(frame);
    const body = frame.contentDocument?.body;
    if (!body) throw new Error('the blank frame has no document');
    body.append(Object.assign(document.createElement('p'), { textContent: 'Written by the editor' }));
  });

describe('a customer\u2019s page in quirks mode', () => {
  it('is shown in the live view with its frames, and the console finishes loading', async () => {
    const customer = await newPage();
    await customer.goto(portal.url);
    await addScriptedFrame(customer);
    expect(
      await customer.evaluate(() => [
        document.compatMode,
        (document.getElementById('terms') as HTMLIFrameElement).contentDocument?.compatMode,
        (document.getElementById('note') as HTMLIFrameElement).contentDocument?.compatMode,
      ]),
    ).toEqual(['BackCompat', 'CSS1Compat', 'BackCompat']);
    const code = await visitorStartsHere(customer);

    const refused: string[] = [];
    const agent = await consoleFor(code, {
      prepare: (page) => page.on('console', (m) => m.text().includes('Trusted') && refused.push(m.text())),
    });
    const view = agent.frameLocator('[data-testid="live-view"] iframe');
    await view.getByRole('heading', { name: 'Your claims' }).waitFor({ timeout: 20_000 });
    await view.frameLocator('#terms').getByText('Terms of the claim').waitFor({ timeout: 10_000 });
    await view.frameLocator('#note').getByText('Written by the editor').waitFor({ timeout: 10_000 });
    await customer.locator('#claim').fill('CL-2290');
    await eventually(
      () => view.locator('#claim').inputValue(),
      (value) => value === 'CL-2290',
      'the customer\u2019s typing in the live view',
    );

    // Every document of the view has finished loading, in the customer's mode, and so has the console's page around it.
    const documents = await agent.evaluate(() => {
      const states: string[] = [`${document.readyState} ${document.compatMode}`];
      const visit = (doc: Document) => {
        for (const frame of doc.querySelectorAll('iframe')) {
          if (!frame.contentDocument) continue;
          states.push(`${frame.contentDocument.readyState} ${frame.contentDocument.compatMode}`);
          visit(frame.contentDocument);
        }
      };
      visit(document);
      return states;
    });
    expect(documents).toEqual([
      'complete CSS1Compat',
      'complete BackCompat',
      'complete CSS1Compat',
      'complete BackCompat',
    ]);
    // Laid out as the customer's page is (quirks mode drops the heading's top margin, for one).
    const topOf = (doc: Page | FrameLocator, selector: string) =>
      doc.locator(selector).evaluate((element) => element.getBoundingClientRect().top);
    expect(await topOf(view, 'h1')).toBe(await topOf(customer, 'h1'));
    expect(await topOf(view.frameLocator('#terms'), 'p')).toBe(await topOf(customer.frameLocator('#terms'), 'p'));
    expect(refused).toEqual([]);
  });
});
