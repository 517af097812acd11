import type { Page } from 'playwright-core';
import { encodeBatch } from '../../web/cobrowse/streamCodec';
import { e2eSuite } from '../helpers/e2eSuite';
import { people } from '../helpers/people';
import { TestClient } from '../helpers/wsClient';

/* A long session in the agent's console: the customer goes from page to page (each load is a full snapshot of the new
 * page), or stays on one page that keeps changing (a single-page app, a carousel, a ticking clock), and the live view
 * must hold what it shows, not every page or change the customer has seen. rrweb's replayer, in live mode, keeps
 * every event it was given for as long as it lives. In real Chromium with the real console, measured by the
 * console's own JavaScript heap after a garbage collection. */

jest.setTimeout(180_000);

const suite = e2eSuite();
const { consoleFor } = people(suite);

const ELEMENTS_PER_PAGE = 3000;
const PAGES = 40;
/** One page's changes: `CHANGE_BATCHES` batches of `CHANGES_PER_BATCH` style changes (an animation), each batch
 * ending with the heading's text. */
const CHANGE_BATCHES = 80;
const CHANGES_PER_BATCH = 500;

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

/** A small page whose ids are known: html 2 > head 3, body 4 > h1 5 > text 6, div 7 (the animated box). */
function sendAnimatedPage(visitor: TestClient): void {
  const node = {
    type: 0,
    id: 1,
    childNodes: [
      {
        type: 2,
        tagName: 'html',
        id: 2,
        attributes: {},
        childNodes: [
          { type: 2, tagName: 'head', id: 3, attributes: {}, childNodes: [] },
          {
            type: 2,
            tagName: 'body',
            id: 4,
            attributes: {},
            childNodes: [
              {
                type: 2,
                tagName: 'h1',
                id: 5,
                attributes: {},
                childNodes: [{ type: 3, id: 6, textContent: 'Step 0' }],
              },
              { type: 2, tagName: 'div', id: 7, attributes: { style: 'width: 40px; height: 40px' }, childNodes: [] },
            ],
          },
        ],
      },
    ],
  };
  const events = [
    { type: 4, data: { href: 'https://shop.example/app', width: 1024, height: 768 }, timestamp: Date.now() },
    { type: 2, data: { node, initialOffset: { left: 0, top: 0 } }, timestamp: Date.now() },
  ];
  for (const part of encodeBatch(events, 0, true)) visitor.send({ type: 'cobrowse.events', ...part });
}

/** rrweb's mutation events as an animation makes them: the box's style, frame after frame; then the heading. */
function sendChanges(visitor: TestClient, seq: number, step: number): void {
  const now = Date.now();
  const events: unknown[] = Array.from({ length: CHANGES_PER_BATCH }, (_, i) => ({
    type: 3,
    data: {
      source: 0,
      texts: [],
      attributes: [
        { id: 7, attributes: { style: { transform: `translateX(${(step * CHANGES_PER_BATCH + i) % 300}px)` } } },
      ],
      removes: [],
      adds: [],
    },
    timestamp: now - CHANGES_PER_BATCH + i,
  }));
  events.push({
    type: 3,
    data: { source: 0, texts: [{ id: 6, value: `Step ${step}` }], attributes: [], removes: [], adds: [] },
    timestamp: now,
  });
  for (const part of encodeBatch(events as never, seq, false)) visitor.send({ type: 'cobrowse.events', ...part });
}

/** A raw visitor socket (the "page" is what the test sends) and the agent's console joined to it. */
async function rawVisitorWithConsole(): Promise<{ visitor: TestClient; agent: Page }> {
  const visitor = await TestClient.connect(suite.server.wsUrl);
  suite.track(visitor);
  visitor.send({ type: 'visitor.start' });
  const { code } = await visitor.next('session.created');
  const agent = await consoleFor(code);
  await visitor.next('peer.joined', 10_000);
  return { visitor, agent };
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
    const { visitor, agent } = await rawVisitorWithConsole();

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

  it('holds the page it shows, not every change made to it', async () => {
    const { visitor, agent } = await rawVisitorWithConsole();

    sendAnimatedPage(visitor);
    await liveView(agent).getByRole('heading', { name: 'Step 0' }).waitFor({ timeout: 15_000 });
    sendChanges(visitor, 1, 1);
    await liveView(agent).getByRole('heading', { name: 'Step 1' }).waitFor({ timeout: 15_000 });
    const before = await heapUsed(agent);

    for (let step = 2; step <= CHANGE_BATCHES; step++) {
      sendChanges(visitor, step, step);
      await liveView(agent)
        .getByRole('heading', { name: `Step ${step}` })
        .waitFor({ timeout: 15_000 });
    }
    const after = await heapUsed(agent);
    const grownMb = (after - before) / 2 ** 20;

    expect(grownMb).toBeLessThan(2); // 10 MB while every change was kept
  });
});
