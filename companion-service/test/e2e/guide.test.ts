import type { Page } from 'playwright-core';
import { expectNoAxeViolations } from '../helpers/axe';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventuallyWithin } from '../helpers/eventually';
import { people } from '../helpers/people';
import { pixelsOfColour, type Region } from '../helpers/screenshotPixels';
import { agentCursor, centreOf, cursorDistance } from '../helpers/agentCursor';

/* Guiding end to end, in real Chromium with the real service, widget and console: the agent's pointer over the live
 * view shows on the customer's page on the same element (through the customer's scrolling and another layout size), a
 * click ripples there (and read-aloud still works), the customer can hide it all; the agent draws (freehand, arrows)
 * and the customer's screen shows the strokes where they were drawn, until they fade or either side clears them; a
 * stroke over a private field leaves it private. The console runs on 127.0.0.1 and the portal on localhost. */

jest.setTimeout(240_000);

const suite = e2eSuite();
const { newPage } = suite;
const { visitorStarts, consoleFor: consoleAt } = people(suite);
const eventually = eventuallyWithin(15_000, 150);

const FORM_PATH = '/portal/form.html';
/** The strokes' colour (STROKE_COLOUR in web/cobrowse/guide/strokeLayer.ts). */
const STROKE_RGB = [0xd4, 0x14, 0x5a] as const;
const HIDE = 'Hide agent\u2019s pointer and drawings';
const SHOW = 'Show agent\u2019s pointer and drawings';

type Point = { x: number; y: number };

async function session(): Promise<{ visitor: Page; agent: Page }> {
  const visitor = await newPage();
  const code = await visitorStarts(visitor, { path: FORM_PATH, timeoutMs: 15_000 });
  const agent = await consoleAt(code, { origin: suite.server.baseUrl.replace('//localhost', '//127.0.0.1') });
  // Tall enough for the whole live view: the agent's mouse reaches every part of it.
  await agent.setViewportSize({ width: 1280, height: 1100 });
  await agent
    .frameLocator('[data-testid="live-view"] iframe')
    .getByRole('heading', { name: 'Update your details' })
    .waitFor({ timeout: 20_000 });
  return { visitor, agent };
}

/** Where a point of the customer's page (document coordinates) is in the console, on the scaled live view. */
function inView(agent: Page, target: string | [number, number]): Promise<Point> {
  return agent.evaluate((t) => {
    const frame = document.querySelector<HTMLIFrameElement>('[data-testid="live-view"] iframe')!;
    const box = frame.getBoundingClientRect();
    const scale = box.width / frame.clientWidth;
    const view = frame.contentWindow!;
    let x: number;
    let y: number;
    if (typeof t === 'string') {
      const r = frame.contentDocument!.querySelector(t)!.getBoundingClientRect();
      [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
    } else {
      [x, y] = [t[0] - view.scrollX, t[1] - view.scrollY];
    }
    return { x: box.left + x * scale, y: box.top + y * scale };
  }, target);
}

const distance = (a: Point | null, b: Point) => (a ? Math.hypot(a.x - b.x, a.y - b.y) : Infinity);

/** Where an element is on the live view once the view has stopped moving: after the customer's window changed size,
 * or a console panel opened and closed, the console lays the view out again (its scale, its box) over a few frames,
 * and a click aimed before that landed beside the element (13 px off the heading, once, on a loaded machine). */
async function steadyInView(agent: Page, target: string): Promise<Point> {
  let previous: Point | null = null;
  const steady = await eventually(
    async () => {
      await agent.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
      const now = await inView(agent, target);
      const same = distance(previous, now) < 0.5;
      previous = now;
      return same ? now : null;
    },
    (point) => point !== null,
    `the live view laid out around ${target}`,
  );
  return steady!;
}

async function cursorOn(visitor: Page, selector: string, what: string): Promise<void> {
  await eventually(
    () => cursorDistance(visitor, selector),
    (d) => d <= 4,
    what,
  );
}

/** Records, every frame, how far each shown ripple's centre is from the element's centre, on the customer's page. */
async function watchRipples(visitor: Page, selector: string): Promise<() => Promise<{ seen: number; near: number }>> {
  await visitor.evaluate((sel) => {
    const w = window as unknown as { __ripples: { seen: number; near: number } };
    w.__ripples = { seen: 0, near: Infinity };
    const frame = () => {
      const target = document.querySelector(sel)!.getBoundingClientRect();
      const root = document.getElementById('tandem-guides')?.shadowRoot;
      for (const ripple of root?.querySelectorAll('.ripple') ?? []) {
        w.__ripples.seen++;
        if (!ripple.checkVisibility()) continue;
        const r = ripple.getBoundingClientRect();
        const d = Math.hypot(
          r.left + r.width / 2 - (target.left + target.width / 2),
          r.top + r.height / 2 - (target.top + target.height / 2),
        );
        w.__ripples.near = Math.min(w.__ripples.near, d);
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }, selector);
  return () => visitor.evaluate(() => (window as unknown as { __ripples: { seen: number; near: number } }).__ripples);
}

/** The agent drags over the live view from one point of the customer's page to another (document coordinates). */
async function drag(agent: Page, from: [number, number], to: [number, number]): Promise<void> {
  const a = await inView(agent, from);
  const b = await inView(agent, to);
  await agent.mouse.move(a.x, a.y);
  await agent.mouse.down();
  await agent.mouse.move(b.x, b.y, { steps: 15 });
  await agent.mouse.up();
}

/** A band of the customer's viewport along a horizontal stroke drawn at page height `y`, between x1 and x2. */
async function band(visitor: Page, x1: number, x2: number, y: number): Promise<Region> {
  const scroll = await visitor.evaluate(() => ({ x: window.scrollX, y: window.scrollY }));
  return { x: x1 + 30 - scroll.x, y: y - 6 - scroll.y, width: x2 - x1 - 60, height: 12 };
}

const strokePixels = (visitor: Page, region: Region) => pixelsOfColour(visitor, region, STROKE_RGB);

/** The page-coordinate line of a stroke across an element, at its vertical centre. */
const acrossOf = (visitor: Page, selector: string) =>
  visitor.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    const y = Math.round(r.top + window.scrollY + r.height / 2);
    const x1 = Math.round(r.left + window.scrollX + 10);
    return { from: [x1, y] as [number, number], to: [x1 + 260, y] as [number, number] };
  });

describe('the agent\u2019s pointer', () => {
  it('shows on the customer\u2019s page on the element under it, through their scrolling and another layout; a click ripples there; the customer can hide it', async () => {
    const { visitor, agent } = await session();
    expect(await agent.getByRole('button', { name: 'Point', exact: true }).getAttribute('aria-pressed')).toBe('true');

    const field = '#full-name';
    const over = await inView(agent, field);
    await agent.mouse.move(over.x - 20, over.y - 5);
    await agent.mouse.move(over.x, over.y, { steps: 4 });
    await cursorOn(visitor, field, 'the agent cursor at the field\u2019s centre');
    expect((await agentCursor(visitor))?.name).toBe('Ana Agent');
    await expectNoAxeViolations(visitor, 'agent pointer shown');

    // The customer scrolls: the cursor stays on the field.
    await visitor.evaluate(() => window.scrollTo(0, 120));
    await cursorOn(visitor, field, 'the agent cursor on the field after scrolling');
    expect(await visitor.evaluate(() => window.scrollY)).toBe(120);
    // The customer's window is another size (the field moves and narrows): still on its centre.
    const before = await centreOf(visitor, field);
    await visitor.setViewportSize({ width: 860, height: 640 });
    await eventually(
      () => centreOf(visitor, field),
      (c) => c.x !== before.x,
      'the field laid out for the narrower window',
    );
    await cursorOn(visitor, field, 'the agent cursor on the field in the narrower window');

    // A click (no remote control) is a ripple on the element clicked, on the customer's page.
    const heading = '#contact-title';
    await eventually(
      () => agent.evaluate(() => document.querySelector<HTMLIFrameElement>('[data-testid="live-view"] iframe')!.width),
      (w) => w === '860',
      'the live view at the customer\u2019s new width',
    );
    const ripples = await watchRipples(visitor, heading);
    const onHeading = await steadyInView(agent, heading);
    await agent.mouse.click(onHeading.x, onHeading.y);
    await eventually(ripples, (r) => r.near <= 4, 'a ripple on the heading');
    await cursorOn(visitor, heading, 'the agent cursor on the heading');

    // Accessibility mode: a click still reads the element aloud to the customer, and ripples there too.
    await agent.getByRole('button', { name: 'Settings' }).click();
    await agent.getByRole('switch', { name: 'Accessibility mode' }).check();
    await agent.getByRole('button', { name: 'Settings' }).click();
    const label = 'label[for="paperless"]';
    const labelRipples = await watchRipples(visitor, label);
    const onLabel = await steadyInView(agent, label);
    await agent.mouse.click(onLabel.x, onLabel.y);
    await eventually(
      () => visitor.locator('[data-tandem-live-region]').textContent(),
      (t) => t === 'Send my statements online instead of on paper',
      'the label read aloud',
    );
    await eventually(labelRipples, (r) => r.near <= 4, 'a ripple on the label');

    // The customer hides it: the cursor is gone, and a later click's ripple is not shown either.
    await visitor.getByRole('button', { name: HIDE }).click();
    await eventually(
      () => agentCursor(visitor),
      (c) => c === null,
      'the agent cursor hidden',
    );
    await expectNoAxeViolations(visitor, 'agent pointer hidden');
    const hiddenRipples = await watchRipples(visitor, label);
    await agent.mouse.click(onLabel.x, onLabel.y);
    await eventually(hiddenRipples, (r) => r.seen > 0, 'the next click\u2019s ripple arrived');
    expect((await hiddenRipples()).near).toBe(Infinity);
    expect(await agentCursor(visitor)).toBeNull();

    // Shown again.
    await visitor.getByRole('button', { name: SHOW }).click();
    await agent.mouse.move(onLabel.x + 3, onLabel.y);
    await eventually(
      () => agentCursor(visitor),
      (c) => c !== null,
      'the agent cursor shown again',
    );
  });
});

describe('the agent\u2019s pointer in a frame of the customer\u2019s page', () => {
  const FRAME = '#help-frame';
  const BUTTON = '#frame-button';

  /** Where the centre of an element inside the page's frame is: in the console, over the scaled live view... */
  const inViewInFrame = (agent: Page) =>
    agent.evaluate(
      ({ frameSelector, selector }) => {
        const view = document.querySelector<HTMLIFrameElement>('[data-testid="live-view"] iframe')!;
        const box = view.getBoundingClientRect();
        const scale = box.width / view.clientWidth;
        const frame = view.contentDocument!.querySelector<HTMLIFrameElement>(frameSelector)!;
        const f = frame.getBoundingClientRect();
        const style = getComputedStyle(frame);
        const r = frame.contentDocument!.querySelector(selector)!.getBoundingClientRect();
        const x = f.left + frame.clientLeft + parseFloat(style.paddingLeft) + r.left + r.width / 2;
        const y = f.top + frame.clientTop + parseFloat(style.paddingTop) + r.top + r.height / 2;
        return { x: box.left + x * scale, y: box.top + y * scale };
      },
      { frameSelector: FRAME, selector: BUTTON },
    );

  /** ...and on the customer's page, in their viewport. */
  const centreInFrame = (visitor: Page) =>
    visitor.evaluate(
      ({ frameSelector, selector }) => {
        const frame = document.querySelector<HTMLIFrameElement>(frameSelector)!;
        const f = frame.getBoundingClientRect();
        const style = getComputedStyle(frame);
        const r = frame.contentDocument!.querySelector(selector)!.getBoundingClientRect();
        return {
          x: f.left + frame.clientLeft + parseFloat(style.paddingLeft) + r.left + r.width / 2,
          y: f.top + frame.clientTop + parseFloat(style.paddingTop) + r.top + r.height / 2,
        };
      },
      { frameSelector: FRAME, selector: BUTTON },
    );

  it('shows on the element under it inside the frame, through the frame\u2019s own scrolling', async () => {
    const { visitor, agent } = await session();
    // A frame of the page's own origin (as portals embed their own pages), with a border and padding around its
    // content, and content taller than the frame. Its page is served to the customer's browser by the test.
    await visitor.route('**/portal/help-frame.html', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body:
          '<!doctype html><title>Help</title><body style="margin:0;padding:40px 0 0 60px;height:900px">' +
          '<button id="frame-button">Ask for help</button></body>',
      }),
    );
    await visitor.evaluate((id) => {
      const frame = document.createElement('iframe');
      frame.id = id;
      frame.title = 'Help';
      frame.style.cssText = 'display:block;width:420px;height:160px;border:7px solid #333;padding:11px;margin:24px';
      frame.src = '/portal/help-frame.html';
      document.body.prepend(frame);
    }, FRAME.slice(1));
    await agent
      .frameLocator('[data-testid="live-view"] iframe')
      .frameLocator(FRAME)
      .getByRole('button', { name: 'Ask for help' })
      .waitFor({ timeout: 20_000 });

    const over = await inViewInFrame(agent);
    await agent.mouse.move(over.x - 12, over.y - 4);
    await agent.mouse.move(over.x, over.y, { steps: 4 });
    await eventually(
      async () => distance(await agentCursor(visitor), await centreInFrame(visitor)),
      (d) => d <= 4,
      'the agent cursor on the button inside the frame',
    );

    // The customer scrolls inside the frame: the cursor moves with the button.
    const before = await centreInFrame(visitor);
    await visitor.evaluate(
      (sel) => document.querySelector<HTMLIFrameElement>(sel)!.contentWindow!.scrollTo(0, 25),
      FRAME,
    );
    expect((await centreInFrame(visitor)).y).toBeCloseTo(before.y - 25, 0);
    await eventually(
      async () => distance(await agentCursor(visitor), await centreInFrame(visitor)),
      (d) => d <= 4,
      'the agent cursor on the button after the frame scrolled',
    );
  });
});

describe('drawing', () => {
  it('shows the agent\u2019s strokes on the customer\u2019s screen where drawn, scrolling with the page, until they fade or either side clears them', async () => {
    const { visitor, agent } = await session();
    await agent.getByRole('button', { name: 'Draw', exact: true }).click();
    expect(await agent.getByRole('button', { name: 'Draw', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await expectNoAxeViolations(agent, 'drawing tool chosen');

    const line = await acrossOf(visitor, '#greeting');
    const along = await band(visitor, line.from[0], line.to[0], line.from[1]);
    const below = { ...along, y: along.y + 40 };
    expect(await strokePixels(visitor, along)).toBe(0);
    await drag(agent, line.from, line.to);
    await eventually(
      () => strokePixels(visitor, along),
      (n) => n > 300,
      'the stroke on the customer\u2019s screen',
    );
    expect(await strokePixels(visitor, below)).toBe(0);

    // It is drawn on the page: the customer scrolls and it moves with what it was drawn over.
    await visitor.evaluate(() => window.scrollTo(0, 100));
    const scrolled = await band(visitor, line.from[0], line.to[0], line.from[1]);
    expect(scrolled.y).toBe(along.y - 100);
    await eventually(
      () => strokePixels(visitor, scrolled),
      (n) => n > 300,
      'the stroke scrolled with the page',
    );
    // It fades by itself.
    await eventually(
      () => strokePixels(visitor, scrolled),
      (n) => n === 0,
      'the stroke faded',
    );

    // An arrow, cleared by the agent before it fades.
    await agent.getByRole('button', { name: 'Arrow', exact: true }).click();
    await drag(agent, line.from, line.to);
    await eventually(
      () => strokePixels(visitor, scrolled),
      (n) => n > 300,
      'the arrow on the customer\u2019s screen',
    );
    await agent.getByTestId('guide-clear').click();
    await eventually(
      () => strokePixels(visitor, scrolled),
      (n) => n === 0,
      'the arrow cleared by the agent',
      2500,
    );

    // A stroke cleared by the customer, in the widget.
    await agent.getByRole('button', { name: 'Draw', exact: true }).click();
    await drag(agent, line.from, line.to);
    await eventually(
      () => strokePixels(visitor, scrolled),
      (n) => n > 300,
      'another stroke on the customer\u2019s screen',
    );
    await visitor.getByRole('button', { name: 'Clear drawings' }).click();
    await eventually(
      () => strokePixels(visitor, scrolled),
      (n) => n === 0,
      'the stroke cleared by the customer',
      2500,
    );
  });

  it('over a private field, shows the stroke and leaves the field private', async () => {
    const { visitor, agent } = await session();
    const secret = '12-34-56';
    await visitor.locator('#sort-code').fill(secret);
    const view = agent.frameLocator('[data-testid="live-view"] iframe');
    await eventually(
      () => view.locator('#sort-code').inputValue(),
      (v) => v.length > 0,
      'the private field filled in, in the live view',
    );
    // The field near the top of the customer's window, so that it is in the live view on the console's screen too.
    await visitor
      .locator('#sort-code')
      .evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 120));
    await eventually(
      async () => [
        await visitor.evaluate(() => window.scrollY),
        await agent.evaluate(
          () => document.querySelector<HTMLIFrameElement>('[data-testid="live-view"] iframe')!.contentWindow!.scrollY,
        ),
      ],
      ([customer, view]) => customer === view,
      'the live view at the customer\u2019s scroll position',
    );

    await agent.getByRole('button', { name: 'Draw', exact: true }).click();
    const line = await acrossOf(visitor, '#sort-code');
    await drag(agent, line.from, line.to);
    const along = await band(visitor, line.from[0], line.to[0], line.from[1]);
    await eventually(
      () => strokePixels(visitor, along),
      (n) => n > 300,
      'the stroke over the private field',
    );
    // The page itself is untouched, and its private value never reaches the console.
    expect(await visitor.locator('#sort-code').inputValue()).toBe(secret);
    expect(await view.locator('#sort-code').inputValue()).toMatch(/^•+$/);
    expect(await view.locator('body').innerHTML()).not.toContain(secret);
    expect(await agent.content()).not.toContain(secret);
  });
});
