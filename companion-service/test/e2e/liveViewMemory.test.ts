import type { Page } from 'playwright-core';
import { encodeBatch } from '../../web/cobrowse/streamCodec';
import { e2eSuite } from '../helpers/e2eSuite';
import { people } from '../helpers/people';
import { TestClient } from '../helpers/wsClient';

/* A long session in the agent's console: the customer goes from page to page (each load is a full snapshot of the new
 * page), and the live view must hold what it shows, not every page the customer has seen. rrweb's replayer, in live
 * mode, keeps every event it was given for as long as it lives. In real Chromium with the real console, measured by
 * the console's own JavaScript heap after a garbage collection. */

jest.setTimeout(180_000);

const suite = e2eSuite();
const { consoleFor } = people(suite);

const ELEMENTS_PER_PAGE = 3000;
const PAGES = 40;

/** A customer's page of `ELEMENTS_PER_PAGE` list items, as rrweb's full snapshot describes it. */
function pageSnapshot(pageNumber: number) {
  let id = 1;
  const el = (tagName: string, childNodes: unknown[] = [], attributes: Record<string, string> = {}) => ({
    type: 2,
    tagName,
    attributes,
    childNodes,
    id: id++,
  });
  const text = (textContent: string) => ({ type: 3, textContent, id: id++ });
  const items = Array.from({ length: ELEMENTS_PER_PAGE }, (_, i) =>
    el('li', [text(`Page ${pageNumber}, order ${i}: ${'detail '.repeat(4)}${Math.random()}`)], { class: `row-${i}` }),
  );
  const body = el('body', [el('h1', [text(`Page ${pageNumber}`)]), el('ul', items)]);
  const html = el('html', [el('head'), body]);
  return { type: 0, childNodes: [{ type: 1, name: 'html', publicId: '', systemId: '', id: id++ }, html], id: id++ };
}

function sendPage(visitor: TestClient, seq: number, pageNumber: number): void {
  const events = [
    {
      type: 4,
      data: { href: `https://shop.example/page/${pageNumber}`, width: 1024, height: 768 },
      timestamp: Date.now(),
    },
    { type: 2, data: { node: pageSnapshot(pageNumber), initialOffset: { left: 0, top: 0 } }, timestamp: Date.now() },
  ];
  for (const part of encodeBatch(events, seq, true)) visitor.send({ type: 'cobrowse.events', ...part });
}

const liveView = (agent: Page) => agent.frameLocator('[data-testid="live-view"] iframe');

/** The console's JavaScript heap in use, after a full garbage collection. */
async function heapUsed(agent: Page): Promise<number> {
  const cdp = await agent.context().newCDPSession(agent);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

describe('the live view in a long session', () => {
  it('holds the page it shows, not every page the customer has been on', async () => {
    const visitor = await TestClient.connect(suite.server.wsUrl);
    suite.track(visitor);
    visitor.send({ type: 'visitor.start' });
    const { code } = await visitor.next('session.created');
    const agent = await consoleFor(code);
    await visitor.next('peer.joined', 10_000);

    sendPage(visitor, 0, 0);
    await liveView(agent).getByRole('heading', { name: 'Page 0' }).waitFor({ timeout: 15_000 });
    sendPage(visitor, 1, 1);
    await liveView(agent).getByRole('heading', { name: 'Page 1' }).waitFor({ timeout: 15_000 });
    const before = await heapUsed(agent);

    for (let page = 2; page <= PAGES; page++) {
      sendPage(visitor, page, page);
      await liveView(agent)
        .getByRole('heading', { name: `Page ${page}` })
        .waitFor({ timeout: 15_000 });
    }
    const after = await heapUsed(agent);
    const grownMb = (after - before) / 2 ** 20;

    expect(grownMb).toBeLessThan(5); // ~0.5 MB more a page while every page was kept
  });
});
