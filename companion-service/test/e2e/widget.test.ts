import { createHash } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { signVisitorToken } from '../../src/identity/visitorToken';
import { ErrorCode } from '../../src/protocol/codes';
import { expectHearing } from '../helpers/audio';
import { expectNoAxeViolations } from '../helpers/axe';
import {
  expectFramesRising,
  framesDecoded,
  launchBrowser,
  newContext,
  probePage,
  videoWidth,
} from '../helpers/browser';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually, nextMillisecond } from '../helpers/eventually';
import { withPageStories } from '../helpers/pageStory';
import { people } from '../helpers/people';
import { devToken } from '../helpers/testServer';
import { recordTexts } from '../helpers/textsShown';
import { inviteTokenOf, TestClient } from '../helpers/wsClient';

/* The visitor widget in real Chromium: moving and snapping, isolation from the host page's CSS, the call controls
 * with a real agent console (video really stops and starts), 1-click connect with terms, and axe-core on every
 * screen. The agent console is only touched through its END button, its #remote video and its window closing. */

jest.setTimeout(120_000);

const VIEWPORT = { width: 1280, height: 720 };
const GAP = 16;
const SITE = {
  id: 'demo',
  apiKey: 'widget-test-site-api-key-0123',
  signingSecret: 'widget-test-signing-secret-0123456789abcd',
};
const TERMS_TEXT =
  'Terms for the widget test.\nLine two has <b>markup</b> & <img src=x onerror="window.__pwned=1"> that must stay text.';

const suite = e2eSuite({
  server: { sites: [SITE], terms: { version: 'w-1', text: TERMS_TEXT, promptSeconds: 12, agentWaitSeconds: 60 } },
  closeContexts: 'afterAll',
});
const newPage = (browser?: Browser) => suite.newPage({ browser });
const { closePages } = suite;
const { visitorStarts, customerSignsIn, agentJoinsWithCode } = people(suite);

// --- the widget's parts -------------------------------------------------------------------------------------------

const launcher = (page: Page) => page.getByRole('button', { name: 'Start video session' });
const panel = (page: Page) => page.locator('#tandem-widget .panel');
const handle = (page: Page) => page.getByRole('button', { name: 'Move video window' });
const announcer = (page: Page) => page.getByTestId('tandem-announcer');

async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await locator.boundingBox();
  if (!b) throw new Error('element is not rendered');
  return b;
}

type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

function expectAtCorner(b: { x: number; y: number; width: number; height: number }, corner: Corner): void {
  if (corner.startsWith('top')) expect(Math.abs(b.y - GAP)).toBeLessThan(1);
  else expect(Math.abs(b.y + b.height - (VIEWPORT.height - GAP))).toBeLessThan(1);
  if (corner.endsWith('left')) expect(Math.abs(b.x - GAP)).toBeLessThan(1);
  else expect(Math.abs(b.x + b.width - (VIEWPORT.width - GAP))).toBeLessThan(1);
}

async function openCameraScreen(page: Page): Promise<void> {
  await page.goto(`${suite.server.baseUrl}/`);
  await launcher(page).click();
  await page.getByRole('button', { name: 'Enable camera' }).waitFor();
}

/** The camera list is filled in asynchronously. */
async function cameraListed(page: Page): Promise<void> {
  await page.locator('#tandem-widget select option').first().waitFor({ state: 'attached' });
}

/** The element focused inside the widget's shadow root: its id, else its aria-label, else its text. */
async function focusedInWidget(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const active = document.getElementById('tandem-widget')?.shadowRoot?.activeElement;
    return active ? active.id || active.getAttribute('aria-label') || active.textContent : null;
  });
}

// --- axe-core and flows --------------------------------------------------------------------------------------------

/** axe-core on the whole page, shadow DOM included, named by its screen. */
const expectAccessible = (page: Page, screen: string) => expectNoAxeViolations(page, screen);

/** Frames decoded at `page` over a quiet window, after letting frames already in flight drain: both times are the
 * measurement itself (a stopped stream is one that decodes nothing for that long), not a wait for an event. */
async function framesOver(page: Page, settleMs: number, windowMs: number): Promise<{ first: number; later: number }> {
  await page.waitForTimeout(settleMs);
  const first = await framesDecoded(page);
  await page.waitForTimeout(windowMs);
  return { first, later: await framesDecoded(page) };
}

// --- tests ----------------------------------------------------------------------------------------------------------

describe('moving the widget', () => {
  it('snaps to the corner of the quadrant it is dropped in, with the mouse, and keeps that corner after a reload', async () => {
    const page = await newPage();
    await openCameraScreen(page);
    expectAtCorner(await box(panel(page)), 'bottom-right'); // the default

    const targets: Array<[Corner, { x: number; y: number }]> = [
      ['top-left', { x: 420, y: 250 }],
      ['bottom-right', { x: 900, y: 470 }],
      ['top-right', { x: 700, y: 300 }],
      ['bottom-left', { x: 560, y: 380 }],
      ['top-left', { x: 300, y: 330 }],
    ];
    for (const [corner, centre] of targets) {
      // Drag the handle so that the panel's centre ends up at `centre`, in the quadrant of `corner`.
      const start = await box(panel(page));
      const grip = await box(handle(page));
      const from = { x: grip.x + grip.width / 2, y: grip.y + grip.height / 2 };
      const dx = centre.x - (start.x + start.width / 2);
      const dy = centre.y - (start.y + start.height / 2);
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(from.x + dx, from.y + dy, { steps: 10 });
      // While dragging, the panel follows the pointer.
      const moving = await box(panel(page));
      expect(Math.abs(moving.x + moving.width / 2 - centre.x)).toBeLessThan(2);
      expect(Math.abs(moving.y + moving.height / 2 - centre.y)).toBeLessThan(2);
      await page.mouse.up();
      expectAtCorner(await box(panel(page)), corner);
      await announcer(page)
        .filter({ hasText: `${corner.replace('-', ' ')} corner` })
        .waitFor({ state: 'attached' });
    }

    expect(await page.evaluate(() => localStorage.getItem('tandem.widget.corner'))).toBe('top-left');
    await page.reload();
    await launcher(page).waitFor();
    expectAtCorner(await box(launcher(page)), 'top-left');
    await launcher(page).click();
    await page.getByRole('button', { name: 'Enable camera' }).waitFor();
    expectAtCorner(await box(panel(page)), 'top-left');
  });

  it('moves with the keyboard: Space picks it up, arrows move it 20 px, Space or Enter drops it, Escape puts it back', async () => {
    const page = await newPage();
    await openCameraScreen(page);
    await handle(page).focus();
    const start = await box(panel(page));
    expectAtCorner(start, 'bottom-right');

    await page.keyboard.press('Space');
    await announcer(page).filter({ hasText: 'Use the arrow keys' }).waitFor({ state: 'attached' });
    await page.keyboard.press('ArrowUp');
    const up = await box(panel(page));
    expect(up.y).toBeCloseTo(start.y - 20, 0);
    expect(up.x).toBeCloseTo(start.x, 0);
    await page.keyboard.press('ArrowLeft');
    expect((await box(panel(page))).x).toBeCloseTo(start.x - 20, 0);
    // Far enough left for the centre to cross the middle (Shift moves 100 px), then drop with Enter.
    for (let i = 0; i < 6; i++) await page.keyboard.press('Shift+ArrowLeft');
    await page.keyboard.press('Enter');
    expectAtCorner(await box(panel(page)), 'bottom-left');
    await announcer(page).filter({ hasText: 'bottom left corner' }).waitFor({ state: 'attached' });

    // Arrows pick it up by themselves; Escape cancels the move.
    for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowUp');
    expect((await box(panel(page))).y).toBeLessThan(start.y - 300);
    await page.keyboard.press('Escape');
    expectAtCorner(await box(panel(page)), 'bottom-left');
    await announcer(page).filter({ hasText: 'cancelled' }).waitFor({ state: 'attached' });

    for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Space');
    expectAtCorner(await box(panel(page)), 'top-left');
    await announcer(page).filter({ hasText: 'top left corner' }).waitFor({ state: 'attached' });
    expect(await page.evaluate(() => localStorage.getItem('tandem.widget.corner'))).toBe('top-left');
    // Focus stayed on the handle, and it shows.
    expect(await focusedInWidget(page)).toBe('Move video window');
    const outline = await handle(page).evaluate((e) => getComputedStyle(e).outlineStyle);
    expect(outline).toBe('solid');
  });
});

describe('host page styles', () => {
  /** Computed styles and boxes of everything visible in the widget. */
  async function widgetLook(page: Page) {
    // At rest: the pointer that clicked the launcher would otherwise hover whatever appears where it was (the
    // panel's first button), and :hover styles would depend on whether Chromium has re-checked it yet.
    await page.mouse.move(0, 0);
    return page.evaluate(() => {
      const root = document.getElementById('tandem-widget')!.shadowRoot!;
      return [...root.querySelectorAll<HTMLElement>('button, select, label, h2, p, .panel, .launcher')]
        .filter((e) => e.getClientRects().length > 0)
        .map((e) => {
          const s = getComputedStyle(e);
          const r = e.getBoundingClientRect();
          return {
            what: `${e.tagName} ${e.className} ${e.textContent?.slice(0, 20)}`,
            box: [r.x, r.y, r.width, r.height].map(Math.round),
            style: [s.display, s.visibility, s.opacity, s.color, s.backgroundColor, s.font, s.transform, s.filter].join(
              ' | ',
            ),
          };
        });
    });
  }

  it('does not change the widget, even with !important rules aimed at everything', async () => {
    const clean = await newPage();
    await clean.goto(`${suite.server.baseUrl}/`);
    const cleanLauncher = await widgetLook(clean);
    await launcher(clean).click();
    await cameraListed(clean);
    const cleanPanel = await widgetLook(clean);

    const hostile = await newPage();
    await hostile.goto(`${suite.server.baseUrl}/`);
    // A literal `* { display: none !important }` also hides <html> and <body>, which blanks the whole page and
    // everything in it; `body *` hides every element of the page itself, including the widget's host element.
    await hostile.addStyleTag({
      content: `
        body * { display: none !important; }
        div, #tandem-widget { visibility: hidden !important; opacity: 0 !important; transform: scale(0.2) rotate(30deg) !important;
          filter: blur(8px) !important; zoom: 3 !important; position: absolute !important; left: -9999px !important; clip-path: inset(50%) !important; }
        button, select, label, h2, p, section, aside, video { color: red !important; background: yellow !important;
          font: 40px/3 serif !important; display: none !important; border: 5px dashed lime !important; }
        :root { font-size: 40px !important; }
        * { box-sizing: content-box !important; letter-spacing: 10px !important; }
        body { transform: translate(120px, 80px) !important; overflow: hidden !important; }
      `,
    });
    await launcher(hostile).waitFor();
    expect(await widgetLook(hostile)).toEqual(cleanLauncher);
    expect(cleanLauncher.length).toBeGreaterThan(0);
    await launcher(hostile).click();
    await hostile.getByRole('button', { name: 'Enable camera' }).waitFor();
    await cameraListed(hostile);
    expect(await widgetLook(hostile)).toEqual(cleanPanel);
    expect(
      await hostile.getByRole('button', { name: 'Enable camera' }).evaluate((b) => getComputedStyle(b).color),
    ).toBe('rgb(255, 255, 255)');
    await closePages(clean, hostile);
  });
});

describe('screens before a call', () => {
  it('launcher, step 1 of 2 and step 2 of 2: focus moves along, focus is visible, and axe finds no violations', async () => {
    const page = await newPage();
    await page.goto(`${suite.server.baseUrl}/`);
    await launcher(page).waitFor();
    await expectAccessible(page, 'launcher');

    await launcher(page).click();
    await page.getByText('Step 1 of 2').waitFor();
    expect(await focusedInWidget(page)).toBe('Enable camera');
    await expectAccessible(page, 'step 1 of 2: camera not enabled');
    // Keyboard focus is visible (a solid outline).
    await page.keyboard.press('Shift+Tab');
    expect(await focusedInWidget(page)).toBe('Cancel');
    expect(await page.getByRole('button', { name: 'Cancel' }).evaluate((e) => getComputedStyle(e).outlineStyle)).toBe(
      'solid',
    );
    // Cancel goes back to the launcher, with focus on it.
    await page.keyboard.press('Enter');
    await launcher(page).waitFor();
    expect(await focusedInWidget(page)).toBe('Start video session');

    await launcher(page).click();
    await page.getByRole('button', { name: 'Enable camera' }).click();
    await page.getByText('Step 2 of 2').waitFor({ timeout: 10_000 });
    await page.getByTestId('session-code').waitFor();
    expect(await focusedInWidget(page)).toContain('Read this code to your agent');
    // The camera choice is still open before anyone joins, and lists the camera in use.
    const camera = page.getByLabel('Camera', { exact: true });
    expect(await camera.isEnabled()).toBe(true);
    expect(await camera.locator('option').count()).toBeGreaterThan(0);
    await page.waitForFunction(() => {
      const v = document
        .getElementById('tandem-widget')!
        .shadowRoot!.querySelector<HTMLVideoElement>('video[data-self]');
      return !!v && v.videoWidth > 0;
    });
    await page.getByTestId('waiting-message').filter({ hasText: 'Waiting for the agent' }).waitFor();
    await expectAccessible(page, 'step 2 of 2: preview with session code');

    await page.getByRole('button', { name: 'Hang up' }).click();
    await page.getByText('The session has ended.').waitFor();
    expect(await focusedInWidget(page)).toBe('Close');
    expect(await page.locator('video').count()).toBe(0);
    await expectAccessible(page, 'call ended');
    await closePages(page);
  });

  it('blocked camera: explains how to allow it, with a way to try again, and axe finds no violations', async () => {
    const denying = await launchBrowser('deny');
    try {
      const context = await denying.newContext();
      const page = await context.newPage();
      await openCameraScreen(page);
      await page.getByRole('button', { name: 'Enable camera' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Camera blocked' });
      await alert.waitFor({ timeout: 10_000 });
      expect(await alert.textContent()).toContain('camera icon');
      expect(await alert.textContent()).toContain('Allow');
      expect(await focusedInWidget(page)).toBe('Try again');
      expect(await page.getByTestId('session-code').count()).toBe(0);
      await expectAccessible(page, 'blocked camera alert');
    } finally {
      await denying.close();
    }
  });
});

describe('camera choice', () => {
  /** The camera the visitor's own preview (the stream sent to the call) is using. */
  const cameraInUse = (page: Page) =>
    page.evaluate(() => {
      const video = document
        .getElementById('tandem-widget')!
        .shadowRoot!.querySelector<HTMLVideoElement>('video[data-self]');
      return (video?.srcObject as MediaStream | null)?.getVideoTracks()[0]?.getSettings().deviceId;
    });

  it('uses the camera picked on step 1, can switch it before anyone joins, and then sends the chosen one', async () => {
    const twoCameras = await launchBrowser('allow', { cameras: 2 });
    try {
      const visitor = await (await newContext(twoCameras)).newPage();
      await openCameraScreen(visitor);
      const camera = visitor.getByLabel('Camera', { exact: true });
      await camera.locator('option').nth(1).waitFor({ state: 'attached' });
      const ids = await camera.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      expect(ids).toHaveLength(2);
      await camera.selectOption(ids[1]!);
      await visitor.getByRole('button', { name: 'Enable camera' }).click();
      const code = ((await visitor.getByTestId('session-code').textContent({ timeout: 10_000 })) ?? '').replace(
        /\s+/g,
        '',
      );
      await visitor.waitForFunction(() =>
        document.getElementById('tandem-widget')!.shadowRoot!.querySelector('video[data-self]'),
      );
      expect(await cameraInUse(visitor)).toBe(ids[1]);

      // Still before the call: switch back to the first camera.
      expect(await camera.inputValue()).toBe(ids[1]);
      await camera.selectOption(ids[0]!);
      await visitor.getByRole('status').filter({ hasText: 'Camera changed.' }).waitFor();
      expect(await cameraInUse(visitor)).toBe(ids[0]);

      const agentConsole = await agentJoinsWithCode(code);
      await expectFramesRising(agentConsole);
      expect(await camera.isDisabled()).toBe(true);
      expect(await cameraInUse(visitor)).toBe(ids[0]);
      const closed = agentConsole.waitForEvent('close', { timeout: 10_000 });
      await agentConsole.getByRole('button', { name: 'END' }).click();
      await closed;
    } finally {
      await twoCameras.close();
    }
  });
});

describe('in a call with an agent (code flow)', () => {
  let visitor: Page;
  let agentConsole: Page;

  beforeAll(async () => {
    visitor = await newPage();
    const code = await visitorStarts(visitor);
    agentConsole = await agentJoinsWithCode(code);
    await visitor.getByRole('status').filter({ hasText: 'Connected to Ana Agent' }).waitFor({ timeout: 15_000 });
    await expectFramesRising(agentConsole);
  });

  it('shows the agent by name while their camera is off, and their video only while the server says it is on', async () => {
    const tile = visitor.locator('#tandem-widget figure.tile-agent');
    await tile.waitFor();
    expect(await tile.locator('figcaption').textContent()).toBe('Ana Agent · camera off');
    expect(await tile.locator('.avatar').textContent()).toBe('AA');
    expect(await tile.locator('video[data-remote="agent"]').isVisible()).toBe(false);
    expect(await visitor.getByTestId('waiting-message').isVisible()).toBe(false);
    expect(await visitor.getByTestId('session-code').isVisible()).toBe(false);

    // The server rules the agent's video on (as the console's Video switch would ask): the widget shows it.
    const agentId = await tile.getAttribute('data-peer');
    expect(await suite.server.sessions.setVideo(agentId!, true)).toBeUndefined();
    await tile.locator('video[data-remote="agent"]').waitFor({ state: 'visible' });
    await expectFramesRising(visitor);
    await visitor.waitForFunction(() => {
      const v = document
        .getElementById('tandem-widget')!
        .shadowRoot!.querySelector<HTMLVideoElement>('video[data-remote="agent"]');
      return !!v && v.videoWidth > 0;
    });
    expect(await tile.locator('figcaption').textContent()).toBe('Ana Agent');
    expect(await suite.server.sessions.setVideo(agentId!, false)).toBeUndefined();
    await tile.locator('video[data-remote="agent"]').waitFor({ state: 'hidden' });
    expect(await tile.locator('.avatar').isVisible()).toBe(true);
  });

  it('locks the camera choice during the call and says why', async () => {
    const camera = visitor.getByLabel('Camera', { exact: true });
    expect(await camera.isDisabled()).toBe(true);
    const reason = visitor.getByText('You can switch cameras only before a session begins');
    expect(await reason.isVisible()).toBe(true);
    expect(await camera.getAttribute('aria-describedby')).toBe(await reason.getAttribute('id'));
  });

  it('video off really stops the frames at the agent and shows the camera-off alert; video on sends them again', async () => {
    await expectFramesRising(agentConsole);

    await visitor.getByRole('button', { name: 'Stop video' }).click();
    const alert = visitor.getByRole('alert').filter({ hasText: 'Your camera is off' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Start video');
    expect(await visitor.locator('#tandem-widget figure.tile-self figcaption').textContent()).toBe('You · camera off');
    const off = await framesOver(agentConsole, 700, 1500);
    expect(off.later).toBe(off.first);
    // Video off is the picture only: the agent still hears the customer.
    await expectHearing({ name: 'the console', page: agentConsole }, { name: 'the customer', page: visitor });
    await expectAccessible(visitor, 'camera off alert');

    await visitor.getByRole('button', { name: 'Start video' }).click();
    await alert.waitFor({ state: 'detached' });
    const on = await expectFramesRising(agentConsole);
    expect(on.later).toBeGreaterThan(off.later);
    expect(await videoWidth(agentConsole, '#remote video')).toBeGreaterThan(0);
  });

  it('larger and smaller video change the size of the video area', async () => {
    const self = visitor.locator('#tandem-widget figure.tile-self');
    const agent = visitor.locator('#tandem-widget figure.tile-agent');
    const small = { self: await box(self), agent: await box(agent), panel: await box(panel(visitor)) };
    await visitor.getByRole('button', { name: 'Larger video' }).click();
    await visitor.getByRole('button', { name: 'Smaller video' }).waitFor();
    const large = { self: await box(self), agent: await box(agent), panel: await box(panel(visitor)) };
    expect(large.agent.width).toBeGreaterThan(small.agent.width * 1.5);
    expect(large.agent.height).toBeGreaterThan(small.agent.height * 1.5);
    expect(large.self.width).toBeGreaterThan(small.self.width * 1.5);
    expectAtCorner(large.panel, 'bottom-right'); // it grows out of its corner
    await visitor.getByRole('button', { name: 'Smaller video' }).click();
    await visitor.getByRole('button', { name: 'Larger video' }).waitFor();
    expect((await box(agent)).width).toBeCloseTo(small.agent.width, 0);
  });

  it('hide video collapses the video area but keeps the widget and hang-up; show video brings it back', async () => {
    const stage = visitor.locator('#tandem-stage');
    expect(await stage.isVisible()).toBe(true);
    const shown = await box(panel(visitor));
    await visitor.getByRole('button', { name: 'Hide video' }).click();
    await stage.waitFor({ state: 'hidden' });
    expect(
      await visitor
        .locator('#tandem-widget video')
        .evaluateAll((vs) => vs.filter((v) => (v as HTMLElement).offsetParent !== null).length),
    ).toBe(0);
    expect(await visitor.getByRole('button', { name: 'Hang up' }).isVisible()).toBe(true);
    expect(await visitor.getByRole('button', { name: 'Show video' }).getAttribute('aria-controls')).toBe(
      'tandem-stage',
    );
    expect((await box(panel(visitor))).height).toBeLessThan(shown.height - 100);
    // The call goes on meanwhile: the agent still receives the visitor's video, and the visitor still hears the agent.
    await expectFramesRising(agentConsole);
    await expectHearing({ name: 'the customer', page: visitor }, { name: 'the console', page: agentConsole });
    await expectAccessible(visitor, 'call with video hidden');

    await visitor.getByRole('button', { name: 'Show video' }).click();
    await stage.waitFor({ state: 'visible' });
    expect(await visitor.locator('#tandem-widget figure.tile-agent').isVisible()).toBe(true);
    await expectAccessible(visitor, 'call with an agent');
  });

  it('hang-up ends the call for everyone: the agent console closes', async () => {
    const closed = agentConsole.waitForEvent('close', { timeout: 10_000 });
    await visitor.getByRole('button', { name: 'Hang up' }).click();
    await closed;
    await visitor.getByText('You hung up.').waitFor();
    expect(await visitor.locator('video').count()).toBe(0);
  });
});

describe('guests in the call', () => {
  it('shows each guest as a tile named with the text they typed, marks a paused guest, and removes them when they leave', async () => {
    const visitor = await newPage();
    const code = await visitorStarts(visitor);
    // Agent and guest as plain sockets: this test is about what the visitor's widget shows.
    const agent = await TestClient.connect(suite.server.wsUrl);
    const guest = await TestClient.connect(suite.server.wsUrl);
    try {
      agent.send({ type: 'agent.join', token: await devToken(suite.server, 'Ana Agent'), code });
      await agent.next('session.joined');
      await visitor.getByRole('status').filter({ hasText: 'Connected to Ana Agent' }).waitFor();
      agent.send({ type: 'guest.invite.create' });
      const invite = inviteTokenOf(await agent.next('guest.invite'));
      const name = '<img src=x onerror="window.__pwned=1"> Gil';
      guest.send({ type: 'guest.request', invite, name });
      agent.send({ type: 'guest.admit', code: (await guest.next('guest.code')).code });
      const guestId = (await guest.next('session.joined')).self.id;

      const tile = visitor.locator(`#tandem-widget figure.tile-guest[data-peer="${guestId}"]`);
      await tile.waitFor();
      expect(await tile.locator('.tile-name').textContent()).toBe(name);
      expect(await tile.locator('img').count()).toBe(0);
      expect(await visitor.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      await announcer(visitor)
        .filter({ hasText: `${name} joined the call.` })
        .waitFor({ state: 'attached' });

      agent.send({ type: 'peer.pause', peerId: guestId, paused: true });
      await tile.locator('figcaption').filter({ hasText: 'video paused' }).waitFor();
      expect(await tile.locator('video').isVisible()).toBe(false);

      guest.send({ type: 'session.leave' });
      await tile.waitFor({ state: 'detached' });
      await visitor
        .getByRole('status')
        .filter({ hasText: `${name} left the call.` })
        .waitFor();
      expect(await visitor.locator('#tandem-widget figure.tile-agent').isVisible()).toBe(true);
    } finally {
      agent.close();
      guest.close();
      await closePages(visitor);
    }
  });
});

describe('page sharing and remote control', () => {
  it('shares the page once an agent is in, asks before remote control, lets the visitor take it back, and ignores scripted clicks', async () => {
    const visitor = await suite.newPage({ recordSockets: true });
    const code = await visitorStarts(visitor);
    const agent = await TestClient.connect(suite.server.wsUrl);
    try {
      agent.send({ type: 'agent.join', token: await devToken(suite.server, 'Ana Agent'), code });
      await agent.next('session.joined');
      // The recorder is downloaded once the agent is in; the page starts with a full snapshot.
      expect((await agent.next('cobrowse.events', 15_000)).snapshot).toBe(true);

      agent.send({ type: 'control.request' });
      expect((await agent.next('control.state')).state).toBe('requested');
      const request = visitor.getByRole('alertdialog', { name: 'Ana Agent asks to control this page' });
      await request.waitFor();
      await expectAccessible(visitor, 'remote control request');
      // A script on the page (which is what remote control replays) can't answer for the visitor.
      const scriptedClick = (selector: string) =>
        visitor.evaluate((sel) => {
          for (const b of document
            .getElementById('tandem-widget')!
            .shadowRoot!.querySelectorAll<HTMLButtonElement>(sel))
            b.click();
        }, selector);
      await scriptedClick('.control-request button.primary');
      await agent.nothing('control.state', { after: probePage(visitor) });
      await request.getByRole('button', { name: 'Allow' }).click();
      expect((await agent.next('control.state')).state).toBe('on');
      await visitor
        .getByTestId('remote-control-on')
        .filter({ hasText: 'Ana Agent is controlling this page.' })
        .waitFor();
      expect(await focusedInWidget(visitor)).toBe('Stop remote control');

      // While the agent has control, scripted clicks can't turn the camera or the call off either.
      await scriptedClick('button.video-toggle, button.hangup, button.size-toggle');
      await agent.nothing('peer.media', { after: probePage(visitor) });
      await agent.nothing('session.ended', { after: probePage(visitor) });
      expect(await visitor.getByRole('button', { name: 'Stop video' }).isVisible()).toBe(true);
      expect(await visitor.getByRole('button', { name: 'Larger video' }).isVisible()).toBe(true);

      await visitor.getByRole('button', { name: 'Stop remote control' }).click();
      expect((await agent.next('control.state')).state).toBe('off');
      await visitor.getByTestId('remote-control-on').waitFor({ state: 'detached' });
      await announcer(visitor).filter({ hasText: 'Remote control has ended' }).waitFor({ state: 'attached' });
    } finally {
      agent.close();
      await closePages(visitor);
    }
  });
});

describe('1-click connect', () => {
  let visitorCounter = 0;
  let agentToken: string;

  beforeAll(async () => {
    agentToken = await devToken(suite.server);
  });

  function newVisitor(): { id: string; token: string } {
    const id = `003WIDGET${String(++visitorCounter).padStart(7, '0')}`;
    const { token } = signVisitorToken(
      { site: SITE.id, sub: id, name: 'Maya Jensen' },
      SITE.signingSecret,
      Date.now(),
      600,
    );
    return { id, token };
  }

  async function online(page: Page): Promise<void> {
    await page.locator('#tandem-widget .frame[data-presence="online"]').waitFor({ state: 'attached', timeout: 10_000 });
  }

  async function identified(visitorId: string, token: string, page?: Page): Promise<Page> {
    const p = page ?? (await suite.newPage({ recordSockets: true }));
    await p.goto(`${suite.server.baseUrl}/`);
    await p.evaluate((t) => window.Tandem!.identify(t), token);
    await online(p);
    void visitorId;
    return p;
  }

  async function invite(visitorId: string): Promise<{ invitationId: string; sessionId: string; consoleUrl: string }> {
    const response = await fetch(`${suite.server.baseUrl}/api/agent/invitations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agentToken}` },
      body: JSON.stringify({ visitorId }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { invitationId: string; sessionId: string; consoleUrl: string };
  }

  const prompt = (page: Page) => page.getByRole('alertdialog', { name: 'Video call request' });

  it('shows the terms prompt (as text, with a countdown); Accept records the shown text, waits for the agent, then video flows', async () => {
    const { id, token } = newVisitor();
    const visitor = await identified(id, token);
    const invitation = await invite(id);

    await prompt(visitor).waitFor();
    expect(await prompt(visitor).textContent()).toContain('Ana Agent would like to start a video call with you');
    const terms = visitor.getByRole('region', { name: 'Terms and conditions' });
    expect(await terms.evaluate((e) => e.textContent)).toBe(TERMS_TEXT);
    expect(await terms.locator('*').count()).toBe(0);
    expect(await visitor.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await visitor.getByRole('timer').textContent()).toMatch(/^Time left to answer: 0:(0\d|1[0-2])/);
    expect(await focusedInWidget(visitor)).toBe('tandem-screen-title');
    await expectAccessible(visitor, 'terms prompt');

    await recordTexts(visitor, 'status', '[role="status"]', '#tandem-widget');
    await visitor.getByRole('button', { name: 'Accept' }).click();
    const waiting = visitor.getByTestId('waiting-message');
    await waiting.filter({ hasText: 'Waiting for Ana Agent to connect' }).waitFor({ timeout: 10_000 });
    expect(await prompt(visitor).count()).toBe(0);
    await expectAccessible(visitor, 'waiting message');
    const acceptance = await suite.server.store.getTermsAcceptance(invitation.sessionId);
    expect(acceptance?.textSha256).toBe(createHash('sha256').update(TERMS_TEXT).digest('hex'));
    // Who accepted: the visitor of this site, (site, visitor id).
    expect(acceptance?.visitorId).toBe(`${SITE.id}/${id}`);

    // The console window is opened by a script (as the join page or Salesforce does), so it can close itself.
    const opener = await suite.newPage({ recordSockets: true });
    await opener.goto(`${suite.server.baseUrl}/join`);
    const consoleUrl = invitation.consoleUrl.replace(new URL(invitation.consoleUrl).origin, suite.server.baseUrl);
    const [agentConsole] = await Promise.all([
      opener.context().waitForEvent('page'),
      opener.evaluate((u) => void window.open(u), consoleUrl),
    ]);
    await withPageStories(
      visitor.getByRole('status').filter({ hasText: 'Connected to Ana Agent' }).waitFor({ timeout: 15_000 }),
      { visitor, console: agentConsole },
      'status',
    );
    await waiting.waitFor({ state: 'hidden' });
    await expectFramesRising(agentConsole);

    // The agent ends it; the tab comes back online for the next invitation.
    const closed = agentConsole.waitForEvent('close', { timeout: 10_000 });
    await agentConsole.getByRole('button', { name: 'END' }).click();
    await closed;
    await visitor.getByText('The session has ended.').waitFor({ timeout: 5000 });
    await online(visitor);
    await closePages(visitor, opener);
  });

  it('keeps the prompt open with the blocked-camera alert when Accept meets a blocked camera', async () => {
    const denying = await launchBrowser('deny');
    try {
      const page = await (await denying.newContext()).newPage();
      const { id, token } = newVisitor();
      await identified(id, token, page);
      const invitation = await invite(id);
      await prompt(page).waitFor();
      await page.getByRole('button', { name: 'Accept' }).click();
      await prompt(page).getByRole('alert').filter({ hasText: 'Camera blocked' }).waitFor({ timeout: 10_000 });
      expect(await focusedInWidget(page)).toBe('Accept');
      expect(await suite.server.store.getTermsAcceptance(invitation.sessionId)).toBeUndefined();
      await expectAccessible(page, 'terms prompt with the blocked-camera alert');
      await page.getByRole('button', { name: 'Decline' }).click();
      await expect(waitForEnded(invitation.sessionId)).resolves.toBe('visitor_declined');
    } finally {
      await denying.close();
    }
  });

  it('reads the token from data-visitor-token; Decline tells the agent', async () => {
    const { id, token } = newVisitor();
    const visitor = await newPage();
    // As if the portal's markup carried the token: <script src="/widget.js" data-visitor-token="..." defer>. (A
    // rewritten response would lose its local address space, and Chromium then blocks its socket to localhost.)
    await visitor.addInitScript((t) => {
      new MutationObserver((records, observer) => {
        for (const r of records) {
          for (const node of r.addedNodes) {
            if (node instanceof HTMLScriptElement && node.src.endsWith('/widget.js')) {
              node.dataset.visitorToken = t;
              observer.disconnect();
            }
          }
        }
      }).observe(document, { childList: true, subtree: true });
    }, token);
    await visitor.goto(`${suite.server.baseUrl}/`);
    await online(visitor);
    const invitation = await invite(id);
    await prompt(visitor).waitFor();
    await visitor.getByRole('button', { name: 'Decline' }).click();
    await visitor.getByText('You declined the video call. The agent has been told.').waitFor();
    await expect(waitForEnded(invitation.sessionId)).resolves.toBe('visitor_declined');
    expect(await suite.server.store.getTermsAcceptance(invitation.sessionId)).toBeUndefined();
    await visitor.getByRole('button', { name: 'Close' }).click();
    await launcher(visitor).waitFor();
    await closePages(visitor);
  });

  it('the demo portal signs a customer in with Tandem.identify, and out with Tandem.forget', async () => {
    const page = await newPage();
    await customerSignsIn(page, 'Omar Haddad');
    await page.getByText('Signed in as Omar Haddad').waitFor();
    await online(page);
    await expectAccessible(page, 'demo portal, signed in');
    const customerId = (await page.locator('#customer-id').textContent())!;
    await invite(customerId);
    await prompt(page).waitFor();
    await page.getByRole('button', { name: 'Decline' }).click();
    await page.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Sign in as').waitFor();
    expect(await page.locator('#tandem-widget .frame').getAttribute('data-presence')).toBeNull();
    const refusal = async () => {
      const response = await fetch(`${suite.server.baseUrl}/api/agent/invitations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${agentToken}` },
        body: JSON.stringify({ visitorId: customerId }),
      });
      return ((await response.json()) as { code?: string }).code;
    };
    // Offline once the server has seen the tab's socket close: nobody to invite.
    await eventually(refusal, (code) => code === ErrorCode.VisitorOffline, 'the signed-out customer offline', 5000);
    await closePages(page);
  });

  it('sends the prompt to the tab the visitor used last (window focus)', async () => {
    const { id, token } = newVisitor();
    const first = await identified(id, token, await suite.newPage({ recordSockets: true }));
    const second = await identified(id, token, await first.context().newPage());
    await probePage(second); // whatever the second tab said on registering has been handled
    // The second tab registered last; now, later by the clock, the visitor goes back to the first one.
    await nextMillisecond();
    await first.evaluate(() => window.dispatchEvent(new Event('focus')));
    await probePage(first); // its visitor.active has been handled
    await invite(id);
    await prompt(first).waitFor();
    await probePage(second); // a prompt sent to the second tab too would have been shown by now
    expect(await prompt(second).count()).toBe(0);
    await first.getByRole('button', { name: 'Decline' }).click();
    await closePages(first);
  });

  it('takes the prompt down when it times out', async () => {
    const { id, token } = newVisitor();
    const visitor = await identified(id, token);
    await invite(id);
    await prompt(visitor).waitFor();
    await prompt(visitor).waitFor({ state: 'detached', timeout: 20_000 });
    await launcher(visitor).waitFor();
    await announcer(visitor).filter({ hasText: 'timed out' }).waitFor({ state: 'attached' });
    await closePages(visitor);
  });

  async function waitForEnded(sessionId: string): Promise<string | null> {
    const session = await eventually(
      () => suite.server.store.getSession(sessionId),
      (s) => s?.status === 'ended',
      `session ${sessionId} to end`,
      5000,
      100,
    );
    return session!.endReason;
  }
});
