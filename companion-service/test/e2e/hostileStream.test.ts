import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { FIELD_EVENT, FOCUS_EVENT } from '../../web/cobrowse/fieldWatcher';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventuallyWithin } from '../helpers/eventually';
import { sendPageBatch, serializedNodes } from '../helpers/pageStream';
import { consoleTicket, devToken } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';

/* A hostile customer. Anyone can start a session with the widget, and the page stream is whatever their socket sends:
 * here a raw socket sends, as its "page", rrweb events built to run script in the agent's console, navigate the live
 * view away, or break it. In real Chromium with the real console: nothing of it runs (the console's own window, and a
 * request any script would make, both stay untouched), the view is not taken elsewhere, and it keeps showing what
 * comes next. */

jest.setTimeout(120_000);

const suite = e2eSuite();
const { newPage } = suite;
const eventually = eventuallyWithin(15_000, 150);

/** Notes every request made to it: what a script that ran in the console would call home to. */
let canary: { server: Server; base: string; hits: string[] };

beforeAll(async () => {
  const hits: string[] = [];
  const server = createServer((request, response) => {
    hits.push(request.url ?? '');
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // localhost: the console's policy lets images load from there while the demo portal runs, so a script's beacon
  // could reach it.
  canary = { server, base: `http://localhost:${(server.address() as AddressInfo).port}`, hits };
});
afterAll(async () => new Promise((resolve) => canary.server.close(resolve)));

/** What a script does once it runs anywhere in the console: marks the console's window and calls home. */
const payload = (name: string) =>
  `try{top.__pwned=(top.__pwned||[]).concat('${name}')}catch(e){};new Image().src='${canary.base}/ran/${name}'`;

const { el, text, documentOf } = serializedNodes();

/** A page built to attack the agent's console, with a heading to show that the view works. */
function hostilePage() {
  const heading = el('h1', { id: 'heading' }, [text('Hostile page')]);
  const select = el('select', {}, [el('option', {}, [text('one')])]);
  const checkbox = el('input', { type: 'checkbox' });
  const body = el('body', {}, [
    heading,
    el('script', {}, [text(payload('script'))]),
    el('script', { src: `${canary.base}/script.js` }),
    el('img', { src: 'x', onerror: payload('img-onerror') }),
    el('svg', { onload: payload('svg-onload') }, [el('animate', { onbegin: payload('svg-animate') }, [], true)], true),
    el('iframe', { srcdoc: `<script>${payload('iframe-srcdoc')}</script>` }),
    el('iframe', { src: `javascript:${payload('iframe-javascript')}` }),
    el('object', { data: `javascript:${payload('object')}` }),
    el('embed', { src: `javascript:${payload('embed')}` }),
    el('a', { href: `javascript:${payload('link')}`, id: 'link' }, [text('a link')]),
    el('form', { action: `${canary.base}/form`, id: 'form' }, [el('input', { name: 'q', autofocus: '' })]),
    el('details', { open: '', ontoggle: payload('details-ontoggle') }, [text('details')]),
    el('input', { autofocus: '', onfocus: payload('input-onfocus') }),
    select,
    checkbox,
  ]);
  const head = el('head', {}, [
    el('meta', { 'http-equiv': 'refresh', content: `0;url=${canary.base}/meta-refresh` }),
    el('base', { href: `${canary.base}/base/` }),
    el('style', {}, [{ ...text(`body{background:url(javascript:${payload('css')})}`), isStyle: true }]),
  ]);
  const html = el('html', {}, [head, body]);
  return {
    node: documentOf(html),
    body,
    heading,
    select,
    checkbox,
  };
}

const now = () => Date.now();

/** Events that are not rrweb's, or that rrweb cannot apply. */
const notRrweb = (elementId: number) => [
  null,
  'text',
  { type: 99, timestamp: now(), data: {} },
  { type: 3, timestamp: 'soon', data: {} },
  { type: 3, data: null, timestamp: now() },
  { type: 3, data: { source: 0, adds: 'x', removes: 7 }, timestamp: now() },
  { type: 3, data: { source: 0, texts: null, attributes: null, removes: null, adds: null }, timestamp: now() },
  {
    type: 3,
    data: { source: 0, texts: [], attributes: [], removes: [], adds: [{ parentId: 999999, node: {} }] },
    timestamp: now(),
  },
  { type: 3, data: { source: 1, positions: null }, timestamp: now() },
  { type: 3, data: { source: 2, type: 1, id: elementId, x: 'a', y: {} }, timestamp: now() },
  { type: 3, data: { source: 5, id: 'nope', text: 42 }, timestamp: now() },
  { type: 3, data: { source: 13, styleId: 1, set: null }, timestamp: now() },
];

const liveView = (agent: Page) => agent.frameLocator('[data-testid="live-view"] iframe');

describe('a hostile page stream', () => {
  it('runs nothing in the agent\u2019s console, takes its view nowhere, and the view recovers from what it cannot show', async () => {
    const visitor = await TestClient.connect(suite.server.wsUrl);
    suite.track(visitor);
    visitor.send({ type: 'visitor.start' });
    const { code } = await visitor.next('session.created');
    // The console, with what its socket sends counted from the start.
    const agent = await newPage();
    const snapshotRequests: number[] = [];
    agent.on('websocket', (socket) =>
      socket.on('framesent', (frame) => {
        if (String(frame.payload).includes('"cobrowse.snapshot.request"')) snapshotRequests.push(Date.now());
      }),
    );
    const ticket = await consoleTicket(suite.server, await devToken(suite.server, 'Ana Agent'), code);
    await agent.goto(`${suite.server.baseUrl}/console#ticket=${encodeURIComponent(ticket)}`);
    await agent.getByRole('button', { name: 'Add Guest' }).waitFor();
    const consoleUrl = agent.url();
    const navigations: string[] = [];
    agent.on('framenavigated', (frame) => navigations.push(frame.url()));
    const consoleTitle = await agent.title();
    await visitor.next('peer.joined', 10_000);
    await visitor.next('cobrowse.snapshot.needed', 10_000); // the console asks for the page as it joins

    const page = hostilePage();
    sendPageBatch(
      visitor,
      0,
      [
        { type: 4, data: { href: `${canary.base}/page`, width: 1024, height: 768 }, timestamp: now() },
        { type: 2, data: { node: page.node, initialOffset: { left: 0, top: 0 } }, timestamp: now() },
      ],
      true,
    );
    await liveView(agent).getByRole('heading', { name: 'Hostile page' }).waitFor({ timeout: 15_000 });

    // Then the same again as changes to the page, field reports (the console's own code reads them) malformed, and
    // events that are not rrweb's.
    const mutation = (data: object) => ({
      type: 3,
      data: { source: 0, texts: [], attributes: [], removes: [], adds: [], ...data },
      timestamp: now(),
    });
    const said = el('p', { id: 'still-live' }); // a change adds each node on its own, children after their parent
    sendPageBatch(
      visitor,
      1,
      [
        mutation({
          adds: [
            { parentId: page.body.id, nextId: null, node: el('script', {}, [text(payload('added-script'))]) },
            { parentId: page.body.id, nextId: null, node: el('img', { src: 'y', onerror: payload('added-img') }) },
            {
              parentId: page.body.id,
              nextId: null,
              node: el('iframe', { srcdoc: `<script>${payload('added-srcdoc')}</script>` }),
            },
          ],
        }),
        mutation({
          attributes: [
            {
              id: page.heading.id,
              attributes: { onclick: payload('attr-onclick'), onmouseover: payload('attr-hover') },
            },
            { id: page.body.id, attributes: { onload: payload('attr-onload') } },
          ],
        }),
        {
          type: 5,
          data: { tag: FIELD_EVENT, payload: { id: page.select.id, value: 42, checked: 'yes' } },
          timestamp: now(),
        },
        {
          type: 5,
          data: { tag: FIELD_EVENT, payload: { id: page.checkbox.id, value: {}, checked: { toString: 1 } } },
          timestamp: now(),
        },
        { type: 5, data: { tag: FIELD_EVENT, payload: null }, timestamp: now() },
        { type: 5, data: { tag: FOCUS_EVENT, payload: { id: 'x', start: {}, end: [] } }, timestamp: now() },
        { type: 5, data: { tag: FIELD_EVENT, payload: 'not an object' }, timestamp: now() },
        ...notRrweb(page.select.id),
        // rrweb's live timer stops for good when one event it applies throws: a flood of those.
        ...Array.from({ length: 300 }, () => ({ type: 3, data: { source: 1, positions: null }, timestamp: now() })),
      ],
      false,
    );
    // The console has lost events: it asks for the page afresh, once (the service had its first ask at the join).
    await visitor.next('cobrowse.snapshot.needed', 10_000);
    sendPageBatch(
      visitor,
      2,
      [
        mutation({
          adds: [
            { parentId: page.body.id, nextId: null, node: said },
            { parentId: said.id, nextId: null, node: text('Still live') },
          ],
        }),
      ],
      false,
    );
    await liveView(agent).getByText('Still live').waitFor({ timeout: 15_000 });
    await liveView(agent).getByRole('heading', { name: 'Hostile page' }).hover(); // the handler set on it, if any

    // Give anything that was going to run (a refresh, an image's error, an animation) time to.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await agent.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(
      canary.hits.filter(
        (hit) => hit.startsWith('/ran/') || hit.includes('meta-refresh') || hit.includes('form') || hit.endsWith('.js'),
      ),
    ).toEqual([]);
    expect(agent.url()).toBe(consoleUrl);
    // Hundreds of lost events, one ask besides the join's (two if the snapshot's own lost events asked first): the
    // console paces its asking as the service does.
    expect(snapshotRequests.length).toBeGreaterThanOrEqual(2);
    expect(snapshotRequests.length).toBeLessThanOrEqual(3);
    expect(await agent.title()).toBe(consoleTitle);
    expect(navigations.filter((url) => url.startsWith(canary.base) || url.startsWith('javascript:'))).toEqual([]);
    await eventually(() => liveView(agent).getByText('Still live').isVisible(), Boolean, 'the view still shown');
  });
});
