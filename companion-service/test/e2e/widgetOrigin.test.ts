import type { ConsoleMessage, Page } from 'playwright-core';
import { serveFiles, type ServedFiles } from '../helpers/appFixtures';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';

/* The widget on a page whose origin no site lists: the service refuses its socket, so the widget says why in the
 * browser console (for the site's developer) and stays hidden (nothing broken for the visitor). On a listed page it
 * shows as usual, and the check is made once per tab, not on every page. */

jest.setTimeout(60_000);

let listed: ServedFiles;
let unlisted: ServedFiles;

const page = (serviceBaseUrl: string) => ({
  type: 'text/html; charset=utf-8',
  body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script src="${serviceBaseUrl}/widget.js" defer></script></head><body><main><h1>Shop</h1><a href="/other">Other page</a></main></body></html>`,
});

// The service's address is known only once it runs, and the pages must be served before it starts (their origins go
// into its configuration): the pages are served by a function that reads it when asked.
let serviceBaseUrl = '';
const suite = e2eSuite({
  server: async () => {
    const files = {
      get '/'() {
        return page(serviceBaseUrl);
      },
      get '/other'() {
        return page(serviceBaseUrl);
      },
    };
    listed = await serveFiles(files);
    unlisted = await serveFiles(files);
    return {
      // Not a loopback address: loopback pages are not taken as the service's own, only the listed one is allowed.
      publicUrl: 'https://tandem.example.invalid',
      sites: [
        {
          id: 'shop',
          apiKey: 'shop-site-api-key-0123456789abcdef',
          signingSecret: 'shop-signing-secret-0123456789abcdef012',
          allowedOrigins: [new URL(listed.url).origin],
        },
      ],
      devSignInSiteIds: ['shop'],
    } as never;
  },
});

beforeAll(() => {
  serviceBaseUrl = suite.server.baseUrl;
});
afterAll(async () => {
  await listed?.stop();
  await unlisted?.stop();
});

const launcher = (p: Page) => p.getByRole('button', { name: 'Start video session' });

function watch(p: Page): { errors: string[]; checks: () => number } {
  const errors: string[] = [];
  let checks = 0;
  p.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  p.on('request', (r) => {
    if (r.url().endsWith('/api/widget/origin')) checks++;
  });
  return { errors, checks: () => checks };
}

it('stays hidden on an unlisted page and says why in the console; no socket is opened', async () => {
  const visitor = await suite.newPage({ recordSockets: true });
  const seen = watch(visitor);
  await visitor.goto(unlisted.url);
  const said = await eventually(
    async () => seen.errors,
    (e) => e.some((t) => t.includes('Tandem:')),
    'the console message',
  );
  expect(said.find((t) => t.includes('Tandem:'))).toContain(new URL(unlisted.url).origin);
  expect(await visitor.locator('#tandem-widget').count()).toBe(0);
  expect(
    await visitor.evaluate(() => (window as unknown as { __ws: { sockets: unknown[] } }).__ws.sockets.length),
  ).toBe(0);
});

it('shows on a listed page, and asks once per tab', async () => {
  const visitor = await suite.newPage({ recordSockets: true });
  const seen = watch(visitor);
  await visitor.goto(listed.url);
  await launcher(visitor).waitFor();
  await visitor.getByRole('link', { name: 'Other page' }).click();
  await visitor.waitForURL(/\/other$/);
  await launcher(visitor).waitFor();
  expect(seen.checks()).toBe(1);
  expect(seen.errors.filter((t) => t.includes('Tandem:'))).toEqual([]);
});
