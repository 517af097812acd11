import type { Page } from 'playwright-core';
import { ErrorCode, Privilege } from '../../src/protocol/codes';
import type { ServerMessage } from '../../src/protocol/messages';
import { expectNoAxeViolations } from '../helpers/axe';
import { addFrameToPage } from '../helpers/customerFrame';
import { e2eSuite } from '../helpers/e2eSuite';
import { decodePageStream, recordSentFrames } from '../helpers/pageStream';
import { eventuallyWithin } from '../helpers/eventually';
import { people, remoteControlOn } from '../helpers/people';
import { consoleTicket, devToken } from '../helpers/testServer';
import { resources } from '../helpers/resourceTiming';
import { throttle } from '../helpers/slowNetwork';
import { expectRising } from '../helpers/video';
import { TestClient } from '../helpers/wsClient';

/* Cobrowse end to end, in real Chromium with fake media and the real service: the customer on the demo portal's
 * "Update your details" page with the real widget, the agent in the real console. The live view shows the page as
 * the customer changes it; remote control (privilege + the customer's Allow) changes the customer's real page and
 * app state; Back / Forward / Refresh act on the customer's history; forged control is refused by the server;
 * private fields never leave the customer's browser; accessibility mode reads elements out on the customer's side.
 * The console runs on 127.0.0.1 and the portal on localhost, so the replayed page is another origin, as in real use. */

jest.setTimeout(240_000);

const suite = e2eSuite();
const { newPage } = suite;
const { visitorStarts, customerSignsIn, consoleFor: consoleAt } = people(suite);
const eventually = eventuallyWithin(15_000, 150);
// axe-core runs on the whole console page: the replay's iframe runs no scripts, so axe checks the console around it.

// --- people --------------------------------------------------------------------------------------------------------

const FORM_PATH = '/portal/form.html';
const consoleOrigin = () => suite.server.baseUrl.replace('//localhost', '//127.0.0.1');

/** The customer opens the form page and starts a session with the widget; returns the session code. */
const customerOnForm = (visitor: Page) => visitorStarts(visitor, { path: FORM_PATH, timeoutMs: 15_000 });

const tokenFor = (privileges?: string[]) => devToken(suite.server, 'Ana Agent', privileges);

/** Opens the console (on the other origin) for a code as an agent with the given privileges (all of them when not given). */
const consoleFor = (code: string, privileges?: string[], options: { recordSockets?: boolean } = {}) =>
  consoleAt(code, { privileges, recordSockets: options.recordSockets, origin: consoleOrigin() });

/** The replayed customer's page inside the console. */
const liveView = (agent: Page) => agent.frameLocator('[data-testid="live-view"] iframe');
const controlStatus = (agent: Page) => agent.getByTestId('control-status');
const consentPrompt = (visitor: Page) =>
  visitor.getByRole('alertdialog', { name: 'Ana Agent asks to control this page' });
const liveRegion = (visitor: Page) => visitor.locator('[data-tandem-live-region]');

/** Opens the console for a code (on the other origin), with `prepare` done to its page first; returns as soon as the
 * page is committed, without waiting for the console to come up. */
async function consoleOpening(code: string, prepare: (page: Page) => Promise<unknown>): Promise<Page> {
  const ticket = await consoleTicket(suite.server, await tokenFor(), code);
  const page = await newPage();
  await prepare(page);
  await page.goto(`${consoleOrigin()}/console#ticket=${encodeURIComponent(ticket)}`, { waitUntil: 'commit' });
  return page;
}

/** The customer types their name on the form: the live view shows it. */
async function typingShown(visitor: Page, agent: Page): Promise<void> {
  await visitor.locator('#full-name').pressSequentially('Maya Jensen');
  await eventually(
    () => liveView(agent).locator('#full-name').inputValue(),
    (v) => v === 'Maya Jensen',
    'the customer\u2019s typing in the live view',
  );
}

async function pageShown(agent: Page): Promise<void> {
  await liveView(agent).getByRole('heading', { name: 'Update your details' }).waitFor({ timeout: 20_000 });
}

/** Marks the customer's page a moment after what it just did, and waits for the mark in the live view: by then the
 * view has had everything the page sent before, its word of where focus went included (said once focus settles). */
async function viewCaughtUp(visitor: Page, agent: Page, mark: string): Promise<void> {
  await visitor.evaluate(
    (value) =>
      new Promise<void>((done) =>
        setTimeout(() => {
          document.body.setAttribute('data-caught-up', value);
          done();
        }, 20),
      ),
    mark,
  );
  await liveView(agent).locator(`body[data-caught-up="${mark}"]`).waitFor();
}

// --- the page stream as the customer's browser sends it -----------------------------------------------------------

type SerializedNode = { id: number; attributes?: Record<string, unknown>; childNodes?: SerializedNode[] };

/** The rrweb node id of the element with this id attribute in a full snapshot. */
function nodeIdOf(events: unknown[], elementId: string): number | undefined {
  const find = (node: SerializedNode): number | undefined => {
    if (node.attributes?.id === elementId) return node.id;
    for (const child of node.childNodes ?? []) {
      const found = find(child);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  for (const event of events as Array<{ type: number; data?: { node?: SerializedNode } }>) {
    if (event.type === 2 && event.data?.node) return find(event.data.node);
  }
  return undefined;
}

/** A raw agent socket joined to the customer's session; returns it with the rrweb node id of an element. */
async function rawAgent(
  code: string,
  privileges: string[] | undefined,
  elementId: string,
): Promise<{ agent: TestClient; nodeId: number }> {
  const agent = await TestClient.connect(suite.server.wsUrl);
  suite.track(agent);
  agent.send({ type: 'agent.join', token: await tokenFor(privileges), code });
  await agent.next('session.joined', 10_000);
  const parts: string[] = [];
  for (;;) {
    const part = await agent.next('cobrowse.events', 20_000);
    parts.push(JSON.stringify(part));
    const snapshot = decodePageStream(parts).batches.find((b) => b.snapshot);
    const nodeId = snapshot && nodeIdOf(snapshot.events, elementId);
    if (nodeId !== undefined) return { agent, nodeId };
  }
}

async function errorFor(agent: TestClient, inReplyTo: string): Promise<string> {
  const error = await agent.next('error');
  expect(error.inReplyTo).toBe(inReplyTo);
  return error.code;
}

// --- tests ----------------------------------------------------------------------------------------------------------

describe('the live view', () => {
  it('waits for the customer\u2019s page, then shows it scaled to fit, with their typing, scrolling and pointer', async () => {
    const visitor = await newPage();
    // Hold the recorder's download, so the console's waiting state can be seen and checked.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await visitor.route('**/cobrowse-recorder*.js', async (route) => {
      await held;
      await route.continue();
    });
    const agent = await consoleFor(await customerOnForm(visitor));
    await agent
      .getByTestId('live-view-loading')
      .filter({ hasText: 'Waiting for the customer\u2019s page\u2026' })
      .waitFor();
    expect(await agent.getByTestId('live-view').isVisible()).toBe(false);
    await expectNoAxeViolations(agent, 'waiting for the customer\u2019s page');

    release();
    await pageShown(agent);
    const view = liveView(agent);
    expect(await agent.getByTestId('live-view-loading').isVisible()).toBe(false);
    expect(await view.getByTestId('step-indicator').textContent()).toBe('Step 1 of 2: Your details');
    // The private section is there, with its text masked by the customer's browser.
    expect(await view.getByTestId('account-number').textContent()).toMatch(/^•+$/);

    // Scaled to fit: the replayed 1280-pixel-wide page fits the console's column.
    const fit = await agent.evaluate(() => {
      const box = document.querySelector<HTMLElement>('[data-testid="live-view"]')!;
      const frame = box.querySelector<HTMLIFrameElement>('.replayer-wrapper iframe')!;
      return { box: box.clientWidth, shown: frame.getBoundingClientRect().width, page: frame.width };
    });
    expect(Number(fit.page)).toBe(1280);
    expect(fit.shown).toBeLessThanOrEqual(fit.box + 1);
    expect(fit.shown).toBeGreaterThan(fit.box * 0.9);

    // The customer types (and moves on to the next field): the agent sees it.
    await visitor.locator('#full-name').pressSequentially('Maya Jensen');
    await visitor.locator('#full-name').press('Tab');
    await eventually(
      () => view.locator('#full-name').inputValue(),
      (v) => v === 'Maya Jensen',
      'the customer\u2019s typing in the live view',
    );
    await visitor.locator('#paperless').check();
    await eventually(
      () => view.locator('#paperless').isChecked(),
      (v) => v,
      'the customer\u2019s checkbox in the live view',
    );

    // Their scroll position and their pointer.
    await visitor.evaluate(() => window.scrollTo(0, 120));
    await eventually(
      () =>
        agent.evaluate(
          () => document.querySelector<HTMLIFrameElement>('[data-testid="live-view"] iframe')!.contentWindow!.scrollY,
        ),
      (y) => y === 120,
      'the customer\u2019s scroll position',
    );
    // (The recorder samples the pointer at most every 50 ms, dropping moves in between: pause between moves.)
    for (const [x, y] of [
      [300, 200],
      [380, 280],
      [420, 330],
    ] as const) {
      await visitor.mouse.move(x, y);
      await visitor.waitForTimeout(120);
    }
    await eventually(
      () =>
        agent.evaluate(
          () => document.querySelector<HTMLElement>('[data-testid="live-view"] .replayer-mouse')!.style.left,
        ),
      (left) => left === '420px',
      'the customer\u2019s pointer',
    );
    expect(await agent.getByTestId('live-view-mode').textContent()).toContain('View only');
    await expectNoAxeViolations(agent, 'live view');

    // The console's Content-Security-Policy lets the replay load images from the customer's site, another origin.
    const loads = await agent.evaluate(async (src) => {
      const doc = document.querySelector<HTMLIFrameElement>('[data-testid="live-view"] iframe')!.contentDocument!;
      const img = doc.createElement('img');
      const loaded = new Promise<boolean>((resolve) => {
        img.addEventListener('load', () => resolve(true));
        img.addEventListener('error', () => resolve(false));
      });
      img.src = src;
      doc.body.append(img);
      const ok = await loaded;
      img.remove();
      return ok;
    }, `${suite.server.baseUrl}/portal/logo.svg`);
    expect(loads).toBe(true);
    // The portal's own image shows in the live view.
    await eventually(
      () => view.getByTestId('portal-logo').evaluate((img) => (img as HTMLImageElement).naturalWidth),
      (w) => w > 0,
      'the portal logo in the live view',
    );
  });

  it('never takes the agent\u2019s keyboard when the customer moves between fields on their page', async () => {
    const visitor = await newPage();
    const agent = await consoleFor(await customerOnForm(visitor));
    await pageShown(agent);
    // The agent writes a problem report while the customer fills in their name.
    await agent.getByRole('button', { name: 'Customer Info' }).click();
    await agent.getByLabel('What went wrong?').click();
    await agent.keyboard.type('The ');
    await visitor.locator('#full-name').click();
    await visitor.keyboard.type('Maya');
    await viewCaughtUp(visitor, agent, 'typed');
    await agent.keyboard.type('picture froze');
    expect(await agent.getByLabel('What went wrong?').inputValue()).toBe('The picture froze');
    expect(await liveView(agent).locator('#full-name').inputValue()).toBe('Maya');
  });
});

describe('a customer on a slow network', () => {
  it('has the recorder before the agent joins, and shares as soon as the call is connected, before the data channel is open', async () => {
    const visitor = await newPage();
    // When the call's connection is up (ICE and DTLS), when its data channel opens, and when the recorder's script is
    // put into the page: each on the page's own clock.
    await visitor.addInitScript(() => {
      const marks: Record<string, number> = {};
      (window as unknown as { __marks: Record<string, number> }).__marks = marks;
      const Native = window.RTCPeerConnection;
      window.RTCPeerConnection = class extends Native {
        constructor(config?: RTCConfiguration) {
          super(config);
          this.addEventListener('connectionstatechange', () => {
            if (this.connectionState === 'connected') marks.connected ??= performance.now();
          });
        }
        override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
          const channel = super.createDataChannel(label, init);
          channel.addEventListener('open', () => (marks.dataChannelOpen ??= performance.now()));
          return channel;
        }
      } as typeof RTCPeerConnection;
      new MutationObserver(() => {
        if (document.querySelector('script[src*="cobrowse-recorder"]')) marks.recorderRun ??= performance.now();
      }).observe(document, { childList: true, subtree: true });
    });
    await throttle(visitor);
    const code = await visitorStarts(visitor, { path: FORM_PATH, timeoutMs: 30_000 });

    // Waiting for an agent: the recorder is downloaded, not run.
    await eventually(
      () => resources(visitor, 'cobrowse-recorder'),
      (entries) => entries.some((e) => e.responseEnd > 0),
      'the recorder downloaded while the customer waits',
    );
    expect(await visitor.evaluate(() => '__tandemCobrowse' in window)).toBe(false);
    expect(await visitor.evaluate(() => (window as unknown as { __marks: object }).__marks)).toEqual({});

    const agent = await consoleFor(code);
    await pageShown(agent);
    // It came from the browser's cache: the download ahead was the only one.
    const entries = await resources(visitor, 'cobrowse-recorder');
    expect(entries.filter((e) => e.transferSize > 0)).toHaveLength(1);
    expect(entries.some((e) => e.initiatorType === 'script' && e.transferSize === 0)).toBe(true);
    // Sharing waited for the call's connection, not for its data channel (two round trips later on this network).
    const marks = await eventually(
      () => visitor.evaluate(() => (window as unknown as { __marks: Record<string, number> }).__marks),
      (m) => m.dataChannelOpen !== undefined,
      'the data channel open',
    );
    expect(marks.recorderRun).toBeGreaterThanOrEqual(marks.connected!);
    expect(marks.dataChannelOpen).toBeGreaterThan(marks.recorderRun!);
  });
});

describe('the console\u2019s own load', () => {
  it('finishes even when the customer\u2019s page is shown before it (rrweb leaves the replayed documents open)', async () => {
    const visitor = await newPage();
    const code = await customerOnForm(visitor);
    await addFrameToPage(visitor);
    const agent = await consoleOpening(code, async (page) => {
      // An image that takes its time holds the console's load event back, as on a slow network.
      await page.route('**/slow-image.png', async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        await route.fulfill({ status: 404, body: '' });
      });
      await page.addInitScript(`document.addEventListener('DOMContentLoaded', () => {
        const image = document.createElement('img');
        image.src = '/slow-image.png';
        image.alt = '';
        document.body.append(image);
      });`);
    });
    await pageShown(agent);
    const loadState = () =>
      agent.evaluate(() => {
        const view = document.querySelector<HTMLIFrameElement>('[data-testid="live-view"] iframe')?.contentDocument;
        return {
          console: document.readyState,
          view: view?.readyState,
          frame: view?.querySelector('iframe')?.contentDocument?.readyState,
        };
      });
    // The view was built while the console was still loading.
    expect((await loadState()).console).toBe('interactive');
    await liveView(agent).frameLocator('iframe').locator('#inside').waitFor();
    await eventually(
      loadState,
      (state) => state.console === 'complete' && state.view === 'complete' && state.frame === 'complete',
      'the console, its live view and the frame in it loaded',
    );
    // The view goes on.
    await typingShown(visitor, agent);
  });
});

describe('the live view\u2019s own script', () => {
  it('could not be loaded at first: the console says so, tries again, and then shows the customer\u2019s page', async () => {
    const visitor = await newPage();
    const code = await customerOnForm(visitor);
    // The replay's chunk fails once, as on a dropped connection.
    const attempts: string[] = [];
    const agent = await consoleOpening(code, (page) =>
      page.route('**/assets/console-replayer-*.js', async (route) => {
        attempts.push(route.request().url());
        if (attempts.length === 1) await route.abort('connectionreset');
        else await route.continue();
      }),
    );
    await agent
      .getByTestId('live-view-loading')
      .filter({ hasText: 'The live view could not be loaded. Trying again\u2026' })
      .waitFor();
    // The call does not wait for it.
    await expectRising(agent, visitor);
    await pageShown(agent);
    expect(attempts).toHaveLength(2);
    // What the customer does from then on reaches the view.
    await typingShown(visitor, agent);
  });
});

describe('the customer\u2019s first page lost on the way', () => {
  it('the console asks again, and then shows the customer\u2019s page', async () => {
    const visitor = await newPage();
    const code = await customerOnForm(visitor);
    // Every full snapshot that reaches the console in the 2.5 s after the first is dropped before the console sees
    // it: the one the customer's page sends as sharing starts, and the answer to the console's own first asking.
    const agent = await consoleOpening(code, (page) =>
      page.addInitScript(() => {
        const Native = window.WebSocket;
        const dropped: number[] = [];
        (window as unknown as { __droppedSnapshots: number[] }).__droppedSnapshots = dropped;
        window.WebSocket = class extends Native {
          constructor(url: string | URL, protocols?: string | string[]) {
            super(url, protocols);
            this.addEventListener('message', (e) => {
              const data = String(e.data);
              if (!data.startsWith('{"type":"cobrowse.events"') || !data.includes('"snapshot":true')) return;
              if (dropped.length > 0 && Date.now() - dropped[0]! > 2_500) return;
              dropped.push(Date.now());
              e.stopImmediatePropagation();
            });
          }
        };
      }),
    );
    await pageShown(agent);
    expect(
      await agent.evaluate(() => (window as unknown as { __droppedSnapshots: number[] }).__droppedSnapshots.length),
    ).toBeGreaterThan(0);
    await typingShown(visitor, agent);
  });
});

describe('the customer\u2019s recorder', () => {
  it('could not be downloaded at first: the customer\u2019s page tries again, and the agent sees it', async () => {
    const visitor = await newPage();
    // Every download of the recorder fails until the page's own load of it (its script element) has failed once, as
    // on a dropped connection; the download ahead of need (a fetch) fails too, so the script can't come from cache.
    const refused: string[] = [];
    const warnings: string[] = [];
    visitor.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
    });
    await visitor.route('**/assets/cobrowse-recorder-*.js', async (route) => {
      if (refused.includes('script')) return route.continue();
      refused.push(route.request().resourceType());
      await route.abort('connectionreset');
    });
    const agent = await consoleFor(await customerOnForm(visitor));
    await pageShown(agent);
    expect(refused).toContain('script');
    expect(warnings.some((w) => w.startsWith('Tandem: page sharing could not start; trying again.'))).toBe(true);
    await typingShown(visitor, agent);
  });
});

describe('remote control', () => {
  it('with the privilege and the customer\u2019s Allow, the agent fills the customer\u2019s real form, app state included', async () => {
    const visitor = await newPage();
    const agent = await consoleFor(await customerOnForm(visitor));
    await pageShown(agent);
    const view = liveView(agent);
    const button = agent.getByRole('button', { name: 'Remote Control' });
    const dot = agent.getByTestId('remote-control-on-dot');
    const nav = (name: string) => agent.getByRole('button', { name, exact: true });
    for (const name of ['Back', 'Forward', 'Refresh']) expect(await nav(name).isVisible()).toBe(false);

    // Accessibility mode first: remote control must take over the clicks while it is on.
    await agent.getByRole('button', { name: 'Settings' }).click();
    await agent.getByRole('switch', { name: 'Accessibility mode' }).check();
    await agent.getByRole('button', { name: 'Settings' }).click();

    // Asked, declined.
    await button.click();
    await controlStatus(agent).filter({ hasText: 'Waiting for the customer to allow remote control' }).waitFor();
    await expectNoAxeViolations(agent, 'remote control requested');
    await consentPrompt(visitor).getByRole('button', { name: 'Decline' }).click();
    await controlStatus(agent).filter({ hasText: 'The customer declined remote control.' }).waitFor();
    expect(await dot.isVisible()).toBe(false);

    // Asked, allowed: green dot, Back / Forward / Refresh, and the view in control mode.
    await remoteControlOn(agent, visitor);
    expect(await button.getAttribute('aria-pressed')).toBe('true');
    expect(await dot.isVisible()).toBe(true);
    for (const name of ['Back', 'Forward', 'Refresh']) expect(await nav(name).isVisible()).toBe(true);
    expect(await agent.getByTestId('live-view').getAttribute('data-mode')).toBe('control');
    expect(await agent.getByTestId('live-view-mode').textContent()).toContain(
      'Accessibility mode is paused while you control the page.',
    );
    await expectNoAxeViolations(agent, 'remote control on');

    // The agent types, checks, picks in the live view: the customer's page changes.
    await view.locator('#full-name').fill('Omar Haddad');
    await eventually(
      () => visitor.locator('#full-name').inputValue(),
      (v) => v === 'Omar Haddad',
      'the name typed by the agent',
    );
    await view.locator('#paperless').click();
    await eventually(
      () => visitor.locator('#paperless').isChecked(),
      (v) => v,
      'the checkbox ticked by the agent',
    );
    await view.locator('#contact-method').selectOption('phone');
    await eventually(
      () => visitor.locator('#contact-method').inputValue(),
      (v) => v === 'phone',
      'the option picked by the agent',
    );
    // The controlled field: the page's own state store takes the value (its rule squeezes spaces) and re-renders.
    await view.locator('#preferred-name').fill('Omar   the  Great');
    await eventually(
      () => visitor.getByTestId('greeting').textContent(),
      (t) => t === 'Preferred name: Omar the Great',
      'the page\u2019s state',
    );
    expect(await visitor.locator('#preferred-name').inputValue()).toBe('Omar the Great');
    await eventually(
      () => view.getByTestId('greeting').textContent(),
      (t) => t === 'Preferred name: Omar the Great',
      'the new state in the live view',
    );
    // Control won over accessibility mode: none of those clicks was read aloud.
    expect(await liveRegion(visitor).textContent()).toBe('');

    // Private fields stay out of reach: the view refuses the typing...
    await view.locator('#sort-code').fill('99-88-77');
    await agent.getByTestId('live-view-status').filter({ hasText: 'That field is private' }).waitFor();
    await view.locator('#portal-password').fill('agent-typed');
    // ...and the customer's page refuses input that gets past the view (as a forged message would).
    await agent.evaluate(() => {
      const doc = document.querySelector<HTMLIFrameElement>('[data-testid="live-view"] iframe')!.contentDocument!;
      for (const id of ['sort-code', 'portal-password']) {
        const input = doc.getElementById(id) as HTMLInputElement;
        input.value = 'forced-through';
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }
    });
    // Sent after those: once it has arrived, they have been handled.
    await view.locator('#full-name').fill('Omar H.');
    await eventually(
      () => visitor.locator('#full-name').inputValue(),
      (v) => v === 'Omar H.',
      'the name typed after the private fields',
    );
    expect(await visitor.locator('#sort-code').inputValue()).toBe('');
    expect(await visitor.locator('#portal-password').inputValue()).toBe('');

    // Back and Forward act on the customer's history (pushState steps), without loading the page.
    await visitor.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    await view.getByRole('link', { name: 'Step 2: Review' }).click();
    await eventually(
      () => visitor.getByTestId('step-indicator').textContent(),
      (t) => t === 'Step 2 of 2: Review',
      'step 2 on the customer\u2019s page',
    );
    expect(visitor.url()).toMatch(/\?step=2$/);
    await nav('Back').click();
    await eventually(
      () => visitor.getByTestId('step-indicator').textContent(),
      (t) => t === 'Step 1 of 2: Your details',
      'Back to step 1',
    );
    expect(visitor.url()).toBe(`${suite.server.baseUrl}${FORM_PATH}`);
    await nav('Forward').click();
    await eventually(
      () => visitor.getByTestId('step-indicator').textContent(),
      (t) => t === 'Step 2 of 2: Review',
      'Forward to step 2',
    );
    expect(visitor.url()).toMatch(/\?step=2$/);
    expect(await visitor.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await eventually(
      () => view.getByTestId('step-indicator').textContent(),
      (t) => t === 'Step 2 of 2: Review',
      'step 2 in the live view',
    );

    // The agent stops; asks again; the customer takes control back.
    await button.click();
    await controlStatus(agent).filter({ hasText: 'Remote control stopped.' }).waitFor();
    expect(await dot.isVisible()).toBe(false);
    expect(await nav('Back').isVisible()).toBe(false);
    expect(await agent.getByTestId('live-view').getAttribute('data-mode')).toBe('read-aloud');
    await remoteControlOn(agent, visitor);
    await visitor.getByRole('button', { name: 'Stop remote control' }).click();
    await controlStatus(agent).filter({ hasText: 'The customer took back control of their page.' }).waitFor();
    expect(await button.getAttribute('aria-pressed')).toBe('false');
    expect(await dot.isVisible()).toBe(false);
    for (const name of ['Back', 'Forward', 'Refresh']) expect(await nav(name).isVisible()).toBe(false);
    expect(await agent.getByTestId('live-view').getAttribute('data-mode')).toBe('read-aloud');
    await expectNoAxeViolations(agent, 'remote control revoked');
  });

  it('keeps the agent\u2019s field and caret when the view starts again from a fresh snapshot', async () => {
    const visitor = await newPage();
    const agent = await consoleFor(await customerOnForm(visitor), undefined, { recordSockets: true });
    await pageShown(agent);
    await remoteControlOn(agent, visitor);
    const frame = agent.locator('[data-testid="live-view"] iframe');
    await liveView(agent).locator('#full-name').click();
    await agent.keyboard.type('Om', { delay: 40 });
    await eventually(
      () => visitor.locator('#full-name').inputValue(),
      (v) => v === 'Om',
      'the agent\u2019s first letters',
    );

    // A fresh snapshot, as the console asks for when it fell behind: the view's page is built again, new elements.
    await liveView(agent)
      .locator('#full-name')
      .evaluate((el) => void ((el as unknown as { old: boolean }).old = true));
    await agent.evaluate(() =>
      (window as unknown as { __ws: { sockets: WebSocket[] } }).__ws.sockets
        .at(-1)!
        .send(JSON.stringify({ type: 'cobrowse.snapshot.request' })),
    );
    await eventually(
      () =>
        frame.evaluate((f) => {
          const field = (f as HTMLIFrameElement).contentDocument?.querySelector('#full-name');
          return !!field && !(field as unknown as { old?: boolean }).old;
        }),
      (rebuilt) => rebuilt,
      'the view built again',
    );
    // The field is still the agent's, caret at the end: text that comes without keys (an input method, dictation) and
    // keys both go on where they were.
    await eventually(
      () =>
        liveView(agent)
          .locator('#full-name')
          .evaluate((el) => el === el.ownerDocument.activeElement),
      (focused) => focused,
      'the field focused in the new view',
    );
    await agent.keyboard.insertText('ar');
    await agent.keyboard.type(' H', { delay: 40 });
    await eventually(
      () => visitor.locator('#full-name').inputValue(),
      (v) => v === 'Omar H',
      'the agent\u2019s typing after the view was built again',
    );
  });

  it('the field the agent just put the caret in stays theirs when an older word of the customer\u2019s focus comes in', async () => {
    const visitor = await newPage();
    const agent = await consoleFor(await customerOnForm(visitor));
    await pageShown(agent);
    await remoteControlOn(agent, visitor);
    const view = liveView(agent);
    await view.locator('#paperless').click();
    await eventually(
      () => visitor.locator('#paperless').isChecked(),
      (v) => v,
      'the checkbox ticked by the agent',
    );
    // The agent puts the caret in a field of the view (as a fill does: focus, then text without keys), and a report of
    // the customer's focus that left their page before anything of that reached it comes in: a slow stream's report
    // of the checkbox, or, as here, the customer's own Tab at the same moment.
    await view.locator('#preferred-name').focus();
    await visitor.locator('#full-name').focus();
    // The report has reached the view once a change made after it shows there.
    await viewCaughtUp(visitor, agent, 'focus');
    // The caret is still where the agent put it.
    expect(await view.locator('#preferred-name').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await agent.keyboard.insertText('Lia  Jensen');
    await eventually(
      () => visitor.getByTestId('greeting').textContent(),
      (t) => t === 'Preferred name: Lia Jensen',
      'the page\u2019s state, typed by the agent',
    );
    expect(await visitor.locator('#full-name').inputValue()).toBe('');
  });

  it('the agent\u2019s text goes to their caret\u2019s field when the customer\u2019s page has just left it', async () => {
    const visitor = await newPage();
    const agent = await consoleFor(await customerOnForm(visitor));
    await pageShown(agent);
    await remoteControlOn(agent, visitor);
    await visitor.locator('#preferred-name').click();
    await viewCaughtUp(visitor, agent, 'elsewhere');
    // The agent puts the caret in the name (as a fill does: nothing of it reaches the customer's page before the text),
    // while the customer's page focuses that field and leaves it (a click on the page's background). The view showed
    // the page's blur by dropping the agent's caret, then sent the text without a field, and it went nowhere.
    await liveView(agent).locator('#full-name').focus();
    await visitor.locator('#full-name').focus();
    await visitor.locator('#full-name').blur();
    await viewCaughtUp(visitor, agent, 'left');
    await agent.keyboard.insertText('Omar');
    await eventually(
      () => visitor.locator('#full-name').inputValue(),
      (v) => v === 'Omar',
      'the agent\u2019s text on the customer\u2019s page',
    );
  });

  it('typing over selected text: the view hearing the new text before the caret does not undo it', async () => {
    const visitor = await newPage();
    const agent = await consoleFor(await customerOnForm(visitor));
    await pageShown(agent);
    await remoteControlOn(agent, visitor);
    const field = liveView(agent).locator('#full-name');
    await field.click();
    await agent.keyboard.type('Maya', { delay: 40 });
    await agent.keyboard.press('Control+A');
    const viewSelection = () =>
      field.evaluate((el) => `${(el as HTMLInputElement).selectionStart},${(el as HTMLInputElement).selectionEnd}`);
    await eventually(viewSelection, (s) => s === '0,4', 'the customer\u2019s select-all shown in the view');

    // The customer's page types over the selection and says so in two parts: the new text, then where its caret went.
    // When the second comes a frame later, the view has the new text with its own caret kept within it (the first
    // letter selected) for that frame. The replay's step is done here as the replay does it: through the field's value.
    await field.evaluate((el) => void ((el as HTMLInputElement).value = 'E'));
    expect(await viewSelection()).toBe('0,1');
    // A key in that frame goes where the customer's caret is, not over the first letter.
    await agent.keyboard.press('KeyC');
    await eventually(
      () => visitor.locator('#full-name').inputValue(),
      (v) => v === 'c',
      'the agent\u2019s key typed over the whole selection',
    );
  });

  it('Refresh reloads the customer\u2019s page, and the session and remote control carry on', async () => {
    const visitor = await newPage();
    const agent = await consoleFor(await customerOnForm(visitor));
    await pageShown(agent);
    await remoteControlOn(agent, visitor);
    await visitor.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

    const loaded = visitor.waitForEvent('load');
    await agent.getByRole('button', { name: 'Refresh', exact: true }).click();
    await loaded;
    expect(
      await visitor.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
    ).toBeUndefined();

    // The widget picks the session up again after the page load: the new page is shared and still controllable.
    await visitor.getByTestId('remote-control-on').waitFor({ timeout: 20_000 });
    await visitor.locator('#full-name').pressSequentially('After the reload');
    await visitor.locator('#full-name').press('Tab');
    await eventually(
      () => liveView(agent).locator('#full-name').inputValue(),
      (v) => v === 'After the reload',
      'the reloaded page in the live view',
      20_000,
    );
    await liveView(agent).locator('#preferred-name').fill('Still in control');
    await eventually(
      () => visitor.getByTestId('greeting').textContent(),
      (t) => t === 'Preferred name: Still in control',
      'control after the reload',
    );
  });

  it('the server refuses forged control: without the privilege, and without the customer\u2019s consent', async () => {
    // An agent without the privilege asks anyway, and sends input anyway.
    const first = await newPage();
    const unprivileged = await rawAgent(await customerOnForm(first), [Privilege.AgentVideo], 'full-name');
    unprivileged.agent.send({ type: 'control.request' });
    expect(await errorFor(unprivileged.agent, 'control.request')).toBe(ErrorCode.NoPrivilege);
    unprivileged.agent.send({
      type: 'control.input',
      action: { kind: 'selectText', nodeId: unprivileged.nodeId, start: 0, end: 0, direction: 'none' },
    });
    expect(await errorFor(unprivileged.agent, 'control.input')).toBe(ErrorCode.Forbidden);
    unprivileged.agent.send({ type: 'control.navigate', action: 'refresh' });
    expect(await errorFor(unprivileged.agent, 'control.navigate')).toBe(ErrorCode.Forbidden);
    await unprivileged.agent.nothing('control.state', { after: unprivileged.agent });
    expect(await consentPrompt(first).count()).toBe(0);
    expect(await first.locator('#full-name').inputValue()).toBe('');

    // An agent with the privilege, before and after the customer declines.
    const second = await newPage();
    const privileged = await rawAgent(await customerOnForm(second), undefined, 'full-name');
    privileged.agent.send({ type: 'control.request' });
    expect((await privileged.agent.next('control.state')).state).toBe('requested');
    await consentPrompt(second).waitFor();
    const forge = () =>
      privileged.agent.send({
        type: 'control.input',
        action: { kind: 'selectText', nodeId: privileged.nodeId, start: 0, end: 0, direction: 'none' },
      });
    forge();
    expect(await errorFor(privileged.agent, 'control.input')).toBe(ErrorCode.Forbidden);
    await consentPrompt(second).getByRole('button', { name: 'Decline' }).click();
    expect((await privileged.agent.next('control.state')).state).toBe('off');
    forge();
    expect(await errorFor(privileged.agent, 'control.input')).toBe(ErrorCode.Forbidden);
    privileged.agent.send({ type: 'control.navigate', action: 'back' });
    expect(await errorFor(privileged.agent, 'control.navigate')).toBe(ErrorCode.Forbidden);
    expect(await second.locator('#full-name').inputValue()).toBe('');
    expect(second.url()).toBe(`${suite.server.baseUrl}${FORM_PATH}`);
    const unanswered = privileged.agent.received.filter((m: ServerMessage) => m.type === 'error');
    expect(unanswered).toEqual([]);
  });
});

describe('masking', () => {
  it('sends no private text or value from the customer\u2019s browser, but the rest of the page', async () => {
    const visitor = await newPage();
    const frames = recordSentFrames(visitor);
    const code = await customerOnForm(visitor);
    const secrets = { password: 'Hunter2-Secret!', sortCode: '40-11-62', account: 'NW-4417-2290-6632' };
    // Typed before the agent is there (so in the first full snapshot) ...
    await visitor.locator('#portal-password').fill(secrets.password);
    await visitor.locator('#sort-code').fill(secrets.sortCode);
    const agent = await consoleFor(code);
    await pageShown(agent);
    // ... and after (incremental events), then ordinary typing the agent does see.
    await visitor.locator('#portal-password').press('End');
    await visitor.locator('#portal-password').pressSequentially('-more');
    await visitor.locator('#portal-password').press('Tab');
    await visitor.locator('#sort-code').press('End');
    await visitor.locator('#sort-code').pressSequentially('-99');
    await visitor.locator('#sort-code').press('Tab');
    await visitor.locator('#full-name').fill('Lucia Ferreira');
    await visitor.locator('#full-name').press('Tab');
    await eventually(
      () => liveView(agent).locator('#full-name').inputValue(),
      (v) => v === 'Lucia Ferreira',
      'the unmasked typing in the live view',
    );

    // The agent can't type into the private field either.
    await remoteControlOn(agent, visitor);
    await liveView(agent).locator('#sort-code').fill('12-34-56');
    await agent.getByTestId('live-view-status').filter({ hasText: 'That field is private' }).waitFor();
    await liveView(agent).locator('#full-name').fill('Lucia F.');
    await eventually(
      () => visitor.locator('#full-name').inputValue(),
      (v) => v === 'Lucia F.',
      'the agent\u2019s typing after the private field',
    );
    expect(await visitor.locator('#sort-code').inputValue()).toBe(`${secrets.sortCode}-99`);

    const { batches, text } = decodePageStream(frames);
    expect(batches.some((b) => b.snapshot)).toBe(true);
    expect(batches.length).toBeGreaterThan(2);
    for (const secret of [
      secrets.password,
      `${secrets.password}-more`,
      secrets.sortCode,
      `${secrets.sortCode}-99`,
      secrets.account,
      '4417-2290',
    ]) {
      expect({ secret, inStream: text.includes(secret) }).toEqual({ secret, inStream: false });
      expect({ secret, inFrames: frames.some((f) => f.includes(secret)) }).toEqual({ secret, inFrames: false });
    }
    for (const shown of ['Lucia Ferreira', 'Update your details', 'How should we reach you?', 'Contact details']) {
      expect({ shown, inStream: text.includes(shown) }).toEqual({ shown, inStream: true });
    }
  });
});

describe('masking a component', () => {
  it('covers what a component marked private holds in its shadow root: its field, text, image and frame', async () => {
    const visitor = await newPage();
    const frames = recordSentFrames(visitor);
    const code = await customerOnForm(visitor);
    const card = { first: '4929 1180', then: ' 7423 5512', holder: 'Ines Ortega' };
    const statement = { line: 'Statement NW-9931-7710', note: 'note-4471' };
    // A page of the site's own, shown in a frame by the nested component.
    await visitor.route('**/card-statement.html', (route) =>
      route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body:
          `<!doctype html><title>Statement</title><p id="statement">${statement.line}</p>` +
          '<input id="statement-note" aria-label="Note"><img alt="" width="20" height="20" src="/portal/logo.svg?statement-photo">',
      }),
    );
    // A web component, as Experience Cloud's LWR sites render Lightning Web Components: what it shows is in its own
    // shadow root, and the site marks its host private, in the page.
    await visitor.evaluate((holder) => {
      class PaymentCard extends HTMLElement {
        constructor() {
          super();
          const label = document.createElement('label');
          label.textContent = 'Card number ';
          const field = document.createElement('input');
          field.id = 'card-number';
          label.append(field);
          const echo = document.createElement('p');
          echo.id = 'card-echo';
          field.addEventListener('input', () => (echo.textContent = `Card ${field.value}`));
          const name = document.createElement('p');
          name.textContent = `Card holder: ${holder}`;
          const photo = Object.assign(document.createElement('img'), { alt: '', width: 40, height: 40 });
          photo.src = '/portal/logo.svg?card-photo';
          // A component of its own inside this one, with its picture in its own shadow root.
          const badge = document.createElement('card-badge');
          // A text right in the shadow root (no parent element): rrweb never asks whether to mask it.
          this.attachShadow({ mode: 'open' }).append('Expires 08/29', label, echo, name, photo, badge);
        }
      }
      class CardBadge extends HTMLElement {
        constructor() {
          super();
          const picture = Object.assign(document.createElement('img'), { alt: '', width: 24, height: 24 });
          picture.src = '/portal/logo.svg?badge-photo';
          picture.id = 'badge-picture';
          const kind = document.createElement('select');
          kind.id = 'card-kind';
          for (const [value, text] of [
            ['kind-debit', 'Debit'],
            ['kind-gold', 'Gold credit'],
          ])
            kind.append(new Option(text, value));
          const statementFrame = Object.assign(document.createElement('iframe'), { title: 'Statement' });
          statementFrame.src = '/card-statement.html';
          this.attachShadow({ mode: 'open' }).append(picture, kind, statementFrame);
        }
      }
      customElements.define('card-badge', CardBadge);
      customElements.define('payment-card', PaymentCard);
      const host = document.createElement('payment-card');
      host.setAttribute('data-tandem-mask', '');
      (document.querySelector('main') ?? document.body).append(host);
    }, card.holder);
    // Typed before the agent is there (in the first full snapshot), and after (incremental events).
    await visitor.locator('#card-number').pressSequentially(card.first);
    const agent = await consoleFor(code);
    await pageShown(agent);
    await visitor.locator('#card-number').pressSequentially(card.then);
    // The nested component's choice, its picture changed, and another added: all in incremental events.
    await visitor.locator('#card-kind').selectOption('kind-gold');
    await visitor.locator('#badge-picture').evaluate((img) => {
      (img as HTMLImageElement).src = '/portal/logo.svg?badge-changed';
      img.after(Object.assign(document.createElement('img'), { src: '/portal/logo.svg?badge-added' }));
    });
    // Typed into the frame's field once the agent is there.
    const statementFrame = visitor.frameLocator('card-badge iframe');
    await statementFrame.locator('#statement').waitFor();
    await statementFrame.locator('#statement-note').pressSequentially(statement.note);
    const full = `${card.first}${card.then}`;
    await eventually(
      () => liveView(agent).locator('#card-echo').textContent(),
      (t) => t === `Card ${full}`.replace(/\S/g, '\u2022'),
      'the component\u2019s text in the live view, masked',
    );

    // The agent can't type into the component's field either.
    await remoteControlOn(agent, visitor);
    await liveView(agent).locator('#card-number').fill('1111');
    await agent.getByTestId('live-view-status').filter({ hasText: 'That field is private' }).waitFor();
    expect(await visitor.locator('#card-number').inputValue()).toBe(full);

    const { text } = decodePageStream(frames);
    expect(text).toContain('payment-card');
    // The nested picture's place is kept in the view, empty.
    const placeholder = await liveView(agent)
      .locator('card-badge img')
      .first()
      .evaluate((img) => ({
        src: img.getAttribute('src'),
        width: (img as HTMLElement).style.width,
      }));
    expect(placeholder).toEqual({ src: null, width: '24px' });
    // The frame's page is there, masked.
    await eventually(
      () => liveView(agent).frameLocator('card-badge iframe').locator('#statement').textContent(),
      (t) => t === statement.line.replace(/\S/g, '\u2022'),
      'the frame\u2019s text in the live view, masked',
    );
    for (const secret of [
      card.first,
      card.then.trim(),
      card.holder,
      'card-photo',
      '08/29',
      'badge-photo',
      'badge-changed',
      'badge-added',
      'kind-',
      'Gold credit',
      'NW-9931',
      statement.note,
      'statement-photo',
    ]) {
      expect({ secret, inStream: text.includes(secret) }).toEqual({ secret, inStream: false });
      expect({ secret, inFrames: frames.some((f) => f.includes(secret)) }).toEqual({ secret, inFrames: false });
    }
  });
});

describe('a frame whose page is written into it (srcdoc)', () => {
  it('sends nothing private in it from the customer\u2019s browser, and the live view goes on', async () => {
    const visitor = await newPage();
    const frames = recordSentFrames(visitor);
    const agent = await consoleFor(await customerOnForm(visitor));
    await pageShown(agent);
    // A frame of the page's own, as apps write a preview or a help panel into one, with a private line in it.
    await visitor.evaluate(() => {
      const frame = document.createElement('iframe');
      frame.id = 'notes-frame';
      frame.title = 'Notes';
      frame.style.cssText = 'display:block;width:420px;height:160px';
      // The portal's pages enforce Trusted Types, as the service's own pages do: the page's script writes markup
      // through a policy of its own.
      type Policy = { createHTML(html: string): unknown };
      const factory = (window as unknown as { trustedTypes: { createPolicy(name: string, rules: Policy): Policy } })
        .trustedTypes;
      const markup = factory
        .createPolicy('notes-fixture', { createHTML: (html) => html })
        .createHTML(
          '<!doctype html><body><h2>Your notes</h2><p data-tandem-mask>Card 4929-1180-7423-5512</p>' +
            '<button>Save notes</button></body>',
        );
      frame.srcdoc = markup as unknown as string;
      document.body.prepend(frame);
    });
    await liveView(agent).locator('#notes-frame').waitFor({ state: 'attached', timeout: 20_000 });
    // The page around it still shows what the customer does.
    await visitor.locator('#full-name').fill('Typed after the frame');
    await visitor.locator('#full-name').press('Tab');
    await eventually(
      () => liveView(agent).locator('#full-name').inputValue(),
      (v) => v === 'Typed after the frame',
      'the customer\u2019s typing after the frame came',
    );

    // The frame's document was recorded, masked; its page as raw HTML (the srcdoc attribute) was not sent.
    const { text } = decodePageStream(frames);
    expect(text).toContain('Save notes');
    expect(text).not.toContain('srcdoc');
    expect({ inStream: text.includes('4929-1180'), inFrames: frames.some((f) => f.includes('4929-1180')) }).toEqual({
      inStream: false,
      inFrames: false,
    });
  });
});

describe('accessibility mode', () => {
  it('without remote control, a click in the live view focuses that element on the customer\u2019s page and reads it out', async () => {
    const visitor = await newPage();
    const agent = await consoleFor(await customerOnForm(visitor), [Privilege.AgentVideo]);
    await pageShown(agent);
    expect(await agent.getByRole('button', { name: 'Remote Control' }).count()).toBe(0);
    await visitor.locator('#full-name').fill('Maya Jensen');
    await visitor.locator('#full-name').press('Tab');

    await agent.getByRole('button', { name: 'Settings' }).click();
    const toggle = agent.getByRole('switch', { name: 'Accessibility mode' });
    expect(await toggle.isChecked()).toBe(false);
    await toggle.check();
    await agent.getByTestId('live-view-mode').filter({ hasText: 'Accessibility mode: click an element' }).waitFor();
    await expectNoAxeViolations(agent, 'accessibility mode on');

    await liveView(agent).getByRole('heading', { name: 'Contact details' }).click();
    await eventually(
      () => visitor.evaluate(() => document.activeElement?.id ?? ''),
      (id) => id === 'contact-title',
      'the heading focused on the customer\u2019s page',
    );
    await eventually(
      () => liveRegion(visitor).textContent(),
      (t) => t === 'Contact details',
      'the heading read out',
    );
    await agent.getByTestId('live-view-status').filter({ hasText: 'Read aloud to the customer' }).waitFor();

    await liveView(agent).locator('#full-name').click();
    await eventually(
      () => visitor.evaluate(() => document.activeElement?.id ?? ''),
      (id) => id === 'full-name',
      'the field focused on the customer\u2019s page',
    );
    await eventually(
      () => liveRegion(visitor).textContent(),
      (t) => t === 'Full name: Maya Jensen',
      'the field read out with its label and value',
    );
    // Reading is not controlling: the page did not change.
    expect(await visitor.locator('#full-name').inputValue()).toBe('Maya Jensen');

    // A private field is named as private, never read out.
    await liveView(agent).locator('#sort-code').click();
    await eventually(
      () => liveRegion(visitor).textContent(),
      (t) => t === 'A private field.',
      'the private field announced as private',
    );
    await expectNoAxeViolations(agent, 'accessibility mode after reading');

    await toggle.uncheck();
    await agent.getByTestId('live-view-mode').filter({ hasText: 'View only' }).waitFor();
    expect(await agent.getByTestId('live-view').getAttribute('data-mode')).toBe('view');
  });
});

describe('the demo form page', () => {
  it('is linked from the portal, and a customer signed in there is online for 1-click connect on it', async () => {
    const visitor = await newPage();
    await customerSignsIn(visitor, 'Omar Haddad');
    await visitor
      .getByRole('navigation', { name: 'Portal' })
      .getByRole('link', { name: 'Update your details' })
      .click();
    await visitor.waitForURL(`${suite.server.baseUrl}${FORM_PATH}`);
    await visitor.getByText('Signed in as Omar Haddad.').waitFor();
    await visitor
      .locator('#tandem-widget .frame[data-presence="online"]')
      .waitFor({ state: 'attached', timeout: 15_000 });
    const presence = await fetch(`${suite.server.baseUrl}/api/agent/presence/003DEMO000000002`, {
      headers: { authorization: `Bearer ${await tokenFor()}` },
    });
    expect(await presence.json()).toEqual({ visitorId: '003DEMO000000002', online: true });
  });
});

describe('the console coming back', () => {
  it('asks for a fresh snapshot after its connection dropped, so the view misses nothing the customer did meanwhile', async () => {
    const visitor = await newPage();
    const agent = await consoleFor(await customerOnForm(visitor), undefined, { recordSockets: true });
    await pageShown(agent);
    // The console's socket drops; the customer fills in a field while it is away (those events reach no one).
    await agent.evaluate(() => (window as unknown as { __ws: { sockets: WebSocket[] } }).__ws.sockets.at(-1)!.close());
    await visitor.locator('#full-name').fill('Typed while you were away');
    await visitor.locator('#full-name').press('Tab');
    await agent.getByRole('status').filter({ hasText: 'Reconnected.' }).waitFor();
    await eventually(
      () => liveView(agent).locator('#full-name').inputValue(),
      (v) => v === 'Typed while you were away',
      'the fresh snapshot',
    );
  });
});
