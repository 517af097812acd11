import type { Page, Request, Route } from 'playwright-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { signVisitorToken } from '../../src/identity/visitorToken';
import { webDistDir } from '../../src/paths';
import { serveFiles, type ServedFiles } from '../helpers/appFixtures';
import { expectNoAxeViolations } from '../helpers/axe';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventuallyWithin } from '../helpers/eventually';
import { resources } from '../helpers/resourceTiming';
import { devToken } from '../helpers/testServer';

/* The widget as a customer's page gets it, in real Chromium: the loader alone on a page where no call starts
 * (measured as the browser received it), the call chunk fetched only when it is needed (hovering or focusing the
 * launcher, pressing it, an invitation), and a page of a customer's site (another origin) that loaded the loader of a
 * previous deploy whose chunk is gone. The calls themselves are in widget.test.ts, oneClick.test.ts and
 * resume.test.ts. */

jest.setTimeout(120_000);

const suite = e2eSuite();
const { newPage } = suite;

/** A page of a customer's site: another origin than the service's (in development any loopback origin may use it). */
let shop: ServedFiles;
beforeAll(async () => {
  const page = () => ({
    type: 'text/html; charset=utf-8',
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script src="${suite.server.baseUrl}/widget.js" defer></script></head><body><main><h1>Shop</h1></main></body></html>`,
  });
  shop = await serveFiles({
    get '/'() {
      return page();
    },
  });
});
afterAll(async () => {
  await shop?.stop();
});

const eventually = eventuallyWithin(10_000, 100);
const CHUNK = /\/assets\/widget-call-[A-Z0-9]+\.js$/;
/** Downloaded ahead once a session starts or an invitation comes (pageSharing.ts), when the page is idle. */
const RECORDER = /\/assets\/cobrowse-recorder-[A-Z0-9]+\.js$/;
const withoutRecorder = (requests: string[]) => requests.filter((p) => !RECORDER.test(p));

/** The co-browse recorder came ahead, once, for the call to come, and was not run. */
async function recorderDownloadedNotRun(page: Page, requests: string[], when: string): Promise<void> {
  await eventually(
    () => requests.filter((p) => RECORDER.test(p)).length,
    (n) => n === 1,
    `the recorder downloaded ${when}`,
  );
  expect(await page.evaluate(() => '__tandemCobrowse' in window)).toBe(false);
}
const launcher = (page: Page) => page.getByRole('button', { name: 'Start video session' });
const currentChunk = () =>
  (JSON.parse(readFileSync(path.join(webDistDir, 'widget-manifest.json'), 'utf8')) as { chunks: { call: string } })
    .chunks.call;

/** Every request the page makes for the widget's own files (loader, chunks, recorder, manifest), in order. */
function widgetRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r: Request) => {
    const { pathname } = new URL(r.url());
    if (pathname === '/widget.js' || pathname === '/widget-manifest.json' || pathname.startsWith('/assets/'))
      seen.push(pathname);
  });
  return seen;
}

describe('a page where no call starts', () => {
  it('gets the launcher from a loader of at most 6 KB as sent, and nothing else of the widget', async () => {
    const page = await newPage();
    const requests = widgetRequests(page);
    const loader = page.waitForResponse((r) => new URL(r.url()).pathname === '/widget.js');
    await page.goto(`${suite.server.baseUrl}/`);
    await launcher(page).waitFor();
    await page.waitForLoadState('networkidle');

    const response = await loader;
    expect(['br', 'gzip']).toContain(await response.headerValue('content-encoding'));
    expect(await response.headerValue('cache-control')).toBe('public, max-age=300');
    const [entry] = await resources(page, '/widget.js');
    expect(entry).toBeDefined();
    // The body as it came over the wire, and in all with the headers (Chromium counts 300 bytes for them).
    expect(entry!.encodedBodySize).toBeLessThanOrEqual(6 * 1024);
    expect(entry!.encodedBodySize).toBeLessThan(entry!.decodedBodySize / 2);
    expect(entry!.transferSize).toBeGreaterThan(entry!.encodedBodySize);
    expect((await response.request().sizes()).responseBodySize).toBe(entry!.encodedBodySize);

    expect(requests).toEqual(['/widget.js']);
    expect(await page.evaluate(() => '__tandemWidgetCall' in window)).toBe(false);
    await expectNoAxeViolations(page, 'launcher from the loader');
  });

  it('the visitor\u2019s next page takes the loader from the browser\u2019s cache', async () => {
    const page = await newPage();
    await page.goto(`${suite.server.baseUrl}/`);
    await launcher(page).waitFor();
    await page.goto(`${suite.server.baseUrl}/portal/form.html`);
    await launcher(page).waitFor();
    const [entry] = await resources(page, '/widget.js');
    expect(entry!.decodedBodySize).toBeGreaterThan(0);
    expect(entry!.transferSize).toBe(0);
  });
});

describe('the call chunk', () => {
  it('is fetched when the pointer is over the launcher; the press then starts the call without fetching again', async () => {
    const page = await newPage();
    const requests = widgetRequests(page);
    await page.goto(`${suite.server.baseUrl}/`);
    await launcher(page).waitFor();
    await page.waitForLoadState('networkidle');
    expect(requests).toEqual(['/widget.js']);

    const chunk = page.waitForResponse((r) => CHUNK.test(new URL(r.url()).pathname));
    await launcher(page).hover();
    const response = await chunk;
    expect(new URL(response.url()).pathname).toBe(currentChunk());
    expect(response.status()).toBe(200);
    expect(await response.headerValue('cache-control')).toBe('public, max-age=31536000, immutable');

    await launcher(page).click();
    await page.getByRole('button', { name: 'Enable camera' }).click();
    await page.getByTestId('session-code').waitFor({ timeout: 15_000 });
    expect(withoutRecorder(requests)).toEqual(['/widget.js', currentChunk()]);
    await recorderDownloadedNotRun(page, requests, 'while waiting for an agent');
  });

  it('is fetched when the launcher gets keyboard focus', async () => {
    const page = await newPage();
    const requests = widgetRequests(page);
    await page.goto(`${suite.server.baseUrl}/`);
    await launcher(page).waitFor();
    await page.waitForLoadState('networkidle');
    expect(requests).toEqual(['/widget.js']);
    const chunk = page.waitForRequest((r) => CHUNK.test(new URL(r.url()).pathname));
    await launcher(page).focus();
    await chunk;
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Enable camera' }).waitFor();
  });

  it('for an identified visitor: downloaded once the tab is online, run only when an invitation comes', async () => {
    const visitorId = '003LOADER0000001';
    const site = suite.server.config.sites.find((s) => s.id === 'demo')!;
    const { token } = signVisitorToken(
      { site: site.id, sub: visitorId, name: 'Maya Jensen' },
      site.signingSecret,
      Date.now(),
      600,
    );
    const page = await newPage();
    const requests = widgetRequests(page);
    await page.goto(`${suite.server.baseUrl}/`);
    await page.waitForLoadState('networkidle');
    expect(requests).toEqual(['/widget.js']);
    const prefetch = page.waitForResponse((r) => CHUNK.test(new URL(r.url()).pathname));
    await page.evaluate((t) => window.Tandem!.identify(t), token);
    await page.locator('#tandem-widget .frame[data-presence="online"]').waitFor({ state: 'attached' });
    // Downloaded when the page is idle, not run: no panel, no entry point.
    expect((await prefetch).status()).toBe(200);
    await page.waitForLoadState('networkidle');
    expect(await page.evaluate(() => '__tandemWidgetCall' in window)).toBe(false);
    expect(await page.locator('#tandem-widget .panel').count()).toBe(0);

    const invitation = await fetch(`${suite.server.baseUrl}/api/agent/invitations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await devToken(suite.server)}` },
      body: JSON.stringify({ visitorId }),
    });
    expect(invitation.status).toBe(201);
    await page.getByRole('alertdialog', { name: 'Video call request' }).waitFor();
    // The script came from the browser's cache: the prefetch was the only download.
    const entries = await resources(page, '/assets/widget-call-');
    expect(entries.filter((e) => e.transferSize > 0)).toHaveLength(1);
    expect(entries.some((e) => e.initiatorType === 'script' && e.transferSize === 0)).toBe(true);
    expect(requests.filter((p) => CHUNK.test(p))).toEqual([currentChunk(), currentChunk()]);
    await recorderDownloadedNotRun(page, requests, 'while the customer reads the terms');
    await page.getByRole('button', { name: 'Decline' }).click();
    await page.getByText('You declined the video call.').waitFor();
  });
});

describe('after a deploy', () => {
  const GONE = '/assets/widget-call-GONE0000.js';

  /** Serves the page the loader of an earlier build: the same script, naming a chunk the service no longer has. */
  async function earlierLoader(page: Page): Promise<void> {
    await page.route('**/widget.js', async (route: Route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace(JSON.stringify(currentChunk()), JSON.stringify(GONE));
      const headers = response.headers();
      delete headers['content-encoding'];
      delete headers['content-length'];
      await route.fulfill({ response, headers, body });
    });
  }

  it('a customer\u2019s page with the previous loader, whose chunk is gone, starts the call with the current chunk', async () => {
    const page = await newPage();
    await earlierLoader(page);
    const requests = widgetRequests(page);
    // What became of each request: its status, or "failed" (Chromium blocks a cross-origin script's 404 outright).
    const outcome = new Map<string, number | 'failed'>();
    page.on('response', (r) => outcome.set(new URL(r.url()).pathname, r.status()));
    page.on('requestfailed', (r) => outcome.set(new URL(r.url()).pathname, 'failed'));
    await page.goto(shop.url);
    await launcher(page).click();
    await page.getByRole('button', { name: 'Enable camera' }).click();
    await page.getByTestId('session-code').waitFor({ timeout: 15_000 });
    expect(withoutRecorder(requests)).toEqual(['/widget.js', GONE, '/widget-manifest.json', currentChunk()]);
    expect([404, 'failed']).toContain(outcome.get(GONE));
    expect(outcome.get('/widget-manifest.json')).toBe(200);
    expect(outcome.get(currentChunk())).toBe(200);
  });

  it('when no chunk it can run is left, the launcher says so and a later press tries again', async () => {
    const page = await newPage();
    await earlierLoader(page);
    // The current build speaks another version of the loader's contract.
    let manifests = 0;
    await page.route('**/widget-manifest.json', async (route) => {
      manifests++;
      await route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({ abi: 999, chunks: { call: currentChunk() } }),
      });
    });
    await page.goto(shop.url);
    await launcher(page).click();
    const note = page.locator('#tandem-widget .launcher-note');
    await note.filter({ hasText: 'The video call could not be loaded.' }).waitFor();
    expect(await note.getAttribute('role')).toBe('status');
    expect(await launcher(page).isVisible()).toBe(true);
    expect(await launcher(page).getAttribute('aria-busy')).toBeNull();
    expect(await page.evaluate(() => '__tandemWidgetCall' in window)).toBe(false);
    await expectNoAxeViolations(page, 'the call could not be loaded');

    await launcher(page).click();
    await page.waitForResponse((r) => r.url().endsWith('/widget-manifest.json'));
    expect(manifests).toBe(2);
  });
});
