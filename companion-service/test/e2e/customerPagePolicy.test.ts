import type { Page } from 'playwright-core';
import { serveFiles, type ServedFiles } from '../helpers/appFixtures';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';
import { people, remoteControlOn, visitorStartsHere } from '../helpers/people';
import { expectRising } from '../helpers/video';

/* The widget on customers' pages that lock themselves down as security-minded sites do:
 *  - a Content-Security-Policy with no inline script or style, scripts and connections only from the site and the
 *    Tandem service, and Trusted Types enforced (`require-trusted-types-for 'script'`: a string put into innerHTML or
 *    a script's src throws), with the widget's policy allowed by name as the widget's README asks (`trusted-types
 *    tandem`); both with the service's origin listed, and with a nonce and 'strict-dynamic' instead;
 *  - cross-origin isolation (COOP same-origin and COEP require-corp), where nothing from another origin loads unless
 *    it says it may.
 * Everything a call does on the customer's page works there, and the page reports no violation or error. */

jest.setTimeout(120_000);

const suite = e2eSuite();
const { consoleFor } = people(suite);

let site: ServedFiles;
const NONCE = 'c2l0ZS1ub25jZS0xMjM0';
beforeAll(async () => {
  const service = new URL(suite.server.baseUrl);
  const policy = (scripts: string) =>
    [
      "default-src 'self'",
      // WebAssembly for background blur, as the README asks of such a page.
      `script-src ${scripts} 'wasm-unsafe-eval'`,
      `connect-src 'self' ${service.origin} ws://${service.host}`,
      "style-src 'self'",
      "img-src 'self' data:",
      "object-src 'none'",
      "base-uri 'none'",
      "require-trusted-types-for 'script'",
      'trusted-types tandem',
    ].join('; ');
  const page = (headers: Record<string, string>, nonce?: string) => ({
    type: 'text/html; charset=utf-8',
    headers,
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Strict bank</title>
<script src="${service.origin}/widget.js"${nonce ? ` nonce="${nonce}"` : ''} defer></script></head>
<body><main><h1>Strict bank</h1><label for="payee">Payee</label> <input id="payee" name="payee">
<p id="notice">Transfer approved</p></main></body></html>`,
  });
  site = await serveFiles({
    '/locked-down': page({ 'content-security-policy': policy(`'self' ${service.origin}`) }),
    // The strict CSP Google recommends: only the tag with the page's nonce runs, and what it adds (the widget's
    // chunks, the blur runtime) is trusted through it ('strict-dynamic'); host lists are ignored.
    '/nonce': page({ 'content-security-policy': policy(`'nonce-${NONCE}' 'strict-dynamic'`) }, NONCE),
    // Cross-origin isolated, as pages that use SharedArrayBuffer must be: every script and file the widget loads
    // from the service must say it may be embedded (CORP or CORS).
    '/isolated': page({ 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }),
    '/no-camera': page({ 'permissions-policy': 'camera=(), microphone=(self)' }),
    '/own-camera': page({ 'permissions-policy': 'camera=(self), microphone=(self), geolocation=()' }),
  });
});
afterAll(async () => {
  await site?.stop();
});

/** Everything the page reports going wrong: policy violations (seen from before any script of the page ran) and
 * uncaught errors. */
async function troubleOf(page: Page): Promise<() => Promise<string[]>> {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(
        `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`,
      ),
    );
  });
  return async () => [
    ...errors,
    ...(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)),
  ];
}

it.each([
  ['a strict Content-Security-Policy with Trusted Types', 'locked-down'],
  ['a nonce-based strict-dynamic Content-Security-Policy with Trusted Types', 'nonce'],
  ['cross-origin isolation (COOP and COEP)', 'isolated'],
])(
  '%s lets the visitor call, share the page as it is, see the agent pointing, hand over control and blur their background',
  async (_name, path) => {
    const visitor = await suite.newPage();
    const trouble = await troubleOf(visitor);
    await visitor.goto(`${site.url}${path}`);
    if (path === 'isolated') expect(await visitor.evaluate(() => crossOriginIsolated)).toBe(true);
    // The page's own script styles a notice and hides it (through CSSOM: the policy allows no style attribute in markup).
    await visitor.evaluate(() => {
      const notice = document.getElementById('notice')!;
      notice.style.color = 'rgb(0, 100, 0)';
      notice.style.display = 'none';
    });
    const code = await visitorStartsHere(visitor, 15_000);

    const agent = await consoleFor(code, { origin: suite.server.baseUrl.replace('//localhost', '//127.0.0.1') });
    await agent.getByRole('button', { name: 'Video', exact: true }).click();
    await expectRising({ name: 'the agent', page: agent }, { name: 'the visitor', page: visitor }, 30_000);
    await expectRising({ name: 'the visitor', page: visitor }, { name: 'the agent', page: agent }, 30_000);

    // Page sharing: the recorder loaded into the page, and the console shows it.
    const liveView = agent.frameLocator('[data-testid="live-view"] iframe');
    await liveView.getByRole('heading', { name: 'Strict bank' }).waitFor({ timeout: 20_000 });
    await liveView.locator('#notice').waitFor({ state: 'hidden' });
    // The page shows the notice by taking `display` out of its style (keeping its colour): the live view shows it too.
    await visitor.evaluate(() => document.getElementById('notice')!.style.removeProperty('display'));
    await liveView.getByText('Transfer approved').waitFor({ timeout: 10_000 });

    // The agent's pointer over the field shows on the customer's page.
    const field = await agent.evaluate(() => {
      const frame = document.querySelector<HTMLIFrameElement>('[data-testid="live-view"] iframe')!;
      const box = frame.getBoundingClientRect();
      const scale = box.width / frame.clientWidth;
      const r = frame.contentDocument!.querySelector('#payee')!.getBoundingClientRect();
      return { x: box.left + (r.left + r.width / 2) * scale, y: box.top + (r.top + r.height / 2) * scale };
    });
    await agent.mouse.move(field.x - 20, field.y - 5);
    await agent.mouse.move(field.x, field.y, { steps: 4 });
    await eventually(
      () =>
        visitor.evaluate(
          () =>
            document.getElementById('tandem-guides')?.shadowRoot?.querySelector('.cursor')?.checkVisibility() ?? false,
        ),
      (shown) => shown,
      "the agent's cursor on the customer's page",
    );

    // Remote control: the agent types into the field, on the customer's page.
    await remoteControlOn(agent, visitor);
    await liveView.locator('#payee').click();
    await agent.keyboard.type('Acme Ltd');
    await eventually(
      () => visitor.locator('#payee').inputValue(),
      (value) => value === 'Acme Ltd',
      'the typed payee on the customer\u2019s page',
    );

    // Background blur: its chunk and its WebAssembly runtime load, and it goes on.
    await visitor.getByRole('switch', { name: 'Blur my background' }).click();
    await eventually(
      () => visitor.getByTestId('blur-setting').first().getAttribute('data-state'),
      (state) => state === 'on',
      'background blur on',
      30_000,
    );
    await expectRising({ name: 'the agent', page: agent }, { name: 'the visitor', page: visitor });

    expect(await trouble()).toEqual([]);
  },
);

describe('a page whose Permissions-Policy forbids the camera', () => {
  it('has no widget, and the browser console tells the site why; one that allows it to itself has', async () => {
    const visitor = await suite.newPage();
    const errors: string[] = [];
    visitor.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await visitor.goto(`${site.url}no-camera`);
    await eventually(
      async () => errors,
      (e) => e.some((t) => t.startsWith('Tandem:')),
      'the widget to say why it stays hidden',
    );
    expect(errors.find((t) => t.startsWith('Tandem:'))).toContain('does not allow camera');
    expect(await visitor.locator('#tandem-widget').count()).toBe(0);

    await visitor.goto(`${site.url}own-camera`);
    await visitor.getByRole('button', { name: 'Start video session' }).click();
    await visitor.getByRole('button', { name: 'Enable camera' }).click();
    await visitor.getByTestId('session-code').waitFor();
  });
});
