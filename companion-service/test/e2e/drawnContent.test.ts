import type { Page } from 'playwright-core';
import { serveFiles, type ServedFiles } from '../helpers/appFixtures';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';
import { decodePageStream } from '../helpers/pageStream';
import { people, visitorStartsHere } from '../helpers/people';

/* Drawings on the customer's page (<canvas>: a chart, a signature pad) are not sent to the agent. In real Chromium
 * with the real widget and console: each canvas of the live view, in the page and in a component's shadow root, takes
 * the box it has on the customer's screen (a CSS size, one side of it, or none) and says that a drawing is there;
 * again after the page resizes it or sets its style whole, and for one the page adds later; a canvas inside a masked
 * element keeps its size and says nothing; what follows the drawings sits where it does on the customer's screen.
 * Before, the view (a document without scripts, which shows a canvas as its fallback content) gave each canvas no
 * room at all. */

jest.setTimeout(120_000);

const suite = e2eSuite();
const { newPage } = suite;
const { consoleFor } = people(suite);

const NOTE = 'A drawing or chart the customer sees here. The live view can\u2019t show drawn content.';

let site: ServedFiles;

beforeAll(async () => {
  site = await serveFiles({
    '/': {
      type: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Statement</title>
<script src="${suite.server.baseUrl}/widget.js" defer></script></head>
<body><h1>Your spending</h1>
<canvas id="chart" width="600" height="300" style="width:300px;height:150px"></canvas>
<div style="width:600px"><canvas id="wide" width="400" height="100" style="width:100%"></canvas></div>
<div data-tandem-mask><canvas id="signature" width="300" height="100"></canvas></div>
<spending-card></spending-card>
<p id="below">Below the drawings</p>
<script>
  // Red bars, as a chart library draws them.
  function drawBars(canvas) {
    const context = canvas.getContext('2d');
    context.fillStyle = '#e00000';
    for (let x = 10; x < canvas.width; x += 60) context.fillRect(x, 20, 40, canvas.height - 20);
  }
  for (const canvas of document.querySelectorAll('canvas')) drawBars(canvas);
  customElements.define('spending-card', class extends HTMLElement {
    constructor() {
      super();
      const canvas = Object.assign(document.createElement('canvas'), { id: 'card-chart', width: 200, height: 100 });
      this.attachShadow({ mode: 'open' }).append(canvas);
      drawBars(canvas);
    }
  });
</script></body></html>`,
    },
  });
});
afterAll(async () => {
  await site?.stop();
});

interface Box {
  top: number;
  width: number;
  height: number;
  text: string;
}

/** Where an element is (by selector, in the document or in the shadow root of `host`) and the text it shows: in the
 * live view's document, or on the customer's page. The view's document is laid out at the customer's viewport size
 * (the console scales the whole frame), so the two compare as they are. */
function boxOf(page: Page, where: 'view' | 'page', selector: string, host?: string): Promise<Box | null> {
  return page.evaluate(
    ([inView, elementSelector, hostSelector]) => {
      const doc = inView
        ? (document.querySelector('[data-testid="live-view"] iframe') as HTMLIFrameElement | null)?.contentDocument
        : document;
      const root = hostSelector ? doc?.querySelector(hostSelector)?.shadowRoot : doc;
      const element = root?.querySelector(elementSelector);
      if (!element) return null;
      const rect = element.getBoundingClientRect();
      const round = (n: number) => Math.round(n);
      return {
        top: round(rect.top + (doc?.defaultView?.scrollY ?? 0)),
        width: round(rect.width),
        height: round(rect.height),
        text: element.textContent ?? '',
      };
    },
    [where === 'view', selector, host] as const,
  );
}

/** The view's canvas has the customer's box and says a drawing is there. */
async function expectLabelled(agent: Page, customer: Page, selector: string, host?: string): Promise<void> {
  const onPage = await boxOf(customer, 'page', selector, host);
  await eventually(
    () => boxOf(agent, 'view', selector, host),
    (inView) => inView?.width === onPage?.width && inView?.height === onPage?.height && inView?.text === NOTE,
    `${selector} as big in the view as on the page (${JSON.stringify(onPage)}), saying a drawing is there`,
  );
}

describe('drawings on the customer\u2019s page', () => {
  it('keep their place and size in the live view and say what is there; none of their pixels is sent', async () => {
    const customer = await newPage();
    await customer.goto(site.url);
    const agent = await consoleFor(await visitorStartsHere(customer), { recordSockets: true });
    await agent
      .frameLocator('[data-testid="live-view"] iframe')
      .getByRole('heading', { name: 'Your spending' })
      .waitFor({ timeout: 20_000 });

    // A CSS size (for a high-density screen), a CSS width only, none (the component's): each as on the page.
    expect(await boxOf(customer, 'page', '#chart')).toMatchObject({ width: 300, height: 150 });
    expect(await boxOf(customer, 'page', '#wide')).toMatchObject({ width: 600, height: 150 });
    await expectLabelled(agent, customer, '#chart');
    await expectLabelled(agent, customer, '#wide');
    await expectLabelled(agent, customer, '#card-chart', 'spending-card');
    expect(
      await agent.frameLocator('[data-testid="live-view"] iframe').locator('#chart').getAttribute('aria-label'),
    ).toBe('Drawing not shown in the live view');
    // Masked: the size masking recorded, and nothing said.
    const masked = await boxOf(agent, 'view', '[data-tandem-mask] canvas');
    expect(masked).toEqual({ ...(await boxOf(customer, 'page', '#signature')), text: '' });
    expect((await boxOf(agent, 'view', '#below'))?.top).toBe((await boxOf(customer, 'page', '#below'))?.top);

    // The page resizes its chart, setting its style whole (as chart libraries do), and adds one.
    await customer.evaluate(() => {
      const chart = document.getElementById('chart') as HTMLCanvasElement;
      chart.width = 800;
      chart.setAttribute('style', 'width:400px;height:200px');
      const later = Object.assign(document.createElement('canvas'), { id: 'later', width: 120, height: 60 });
      document.body.append(later);
    });
    await expectLabelled(agent, customer, '#chart');
    expect((await boxOf(agent, 'view', '#chart'))?.width).toBe(400);
    await expectLabelled(agent, customer, '#later');
    await eventually(
      async () => [(await boxOf(agent, 'view', '#below'))?.top, (await boxOf(customer, 'page', '#below'))?.top],
      ([inView, onPage]) => inView === onPage,
      'the text below the drawings where it is on the page',
    );

    // No picture of any canvas left the customer's browser.
    const received = await agent.evaluate(
      () => (window as unknown as { __ws: { received: { type: string }[] } }).__ws.received,
    );
    const { text } = decodePageStream(received);
    expect(text).toContain('card-chart');
    expect(text).not.toContain('rr_dataURL');
    expect(text).not.toContain('data:image');
  });
});
