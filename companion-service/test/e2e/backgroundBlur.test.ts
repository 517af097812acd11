import type { Locator, Page, Request, Route } from 'playwright-core';
import { expectHearing } from '../helpers/audio';
import { expectNoAxeViolations } from '../helpers/axe';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';
import { people } from '../helpers/people';
import { sharpness } from '../helpers/picture';
import { expectRising } from '../helpers/video';

/* Background blur, end to end in real Chromium with the fake camera: the agent turns it on in the console's Settings
 * and the customer's widget still decodes the agent's video, now with a smoother picture (the fake camera's pattern
 * loses its fine detail); off again, the picture is as sharp as before. The customer turns it on in the widget and
 * the agent sees it. The blur chunk, the model and the WebAssembly runtime come from the service, only to a page
 * that turned blur on; a page that can't load them, or can't keep up, says so and sends the plain camera. Every state
 * of the setting (off, loading, on, unavailable) is checked with axe-core. */

jest.setTimeout(240_000);

const suite = e2eSuite({ closeContexts: 'afterAll' });
const { newPage } = suite;
const { visitorStarts, consoleFor } = people(suite);

/** The blur chunk, the segmentation model and the TFLite runtime (scripts and WebAssembly). */
const BLUR_FILE = /\/assets\/(background-blur-|selfie_segmentation|tflite-)/;

/** Every request a page makes for blur's files, and every request to anywhere but the service. */
function watchRequests(page: Page): { blur: string[]; elsewhere: string[] } {
  const seen = { blur: [] as string[], elsewhere: [] as string[] };
  page.on('request', (r: Request) => {
    const url = new URL(r.url());
    if (BLUR_FILE.test(url.pathname)) seen.blur.push(r.url());
    if (url.protocol.startsWith('http') && url.origin !== suite.server.baseUrl) seen.elsewhere.push(r.url());
  });
  return seen;
}

/** The median of a few samples, half a second apart (the fake camera's picture moves). */
async function typicalSharpness(video: Locator): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(await sharpness(video));
    await video.page().waitForTimeout(500);
  }
  return samples.sort((a, b) => a - b)[2]!;
}

/** Waits until `video` has lost most of its detail against `before` (its sharpness unblurred). */
const blurredAt = async (video: Locator, before: number, what: string, sender: Page) => {
  try {
    return await eventually(
      () => sharpness(video),
      (s) => s < before * 0.4,
      `${what} to lose its detail (was ${before.toFixed(2)})`,
      30_000,
      500,
    );
  } catch (err) {
    // Blur turns itself off on a device that can't keep up (a machine busy with something else, say): say so.
    const setting = sender.getByTestId('blur-setting').first();
    const [state, note] = await Promise.all([
      setting.getAttribute('data-state'),
      setting.getByRole('status').textContent(),
    ]);
    throw new Error(`${(err as Error).message}; the sender's blur setting is ${state}: "${note}"`, {
      cause: err,
    });
  }
};

/** Waits until `video` is about as sharp as `before` again. */
const sharpAgainAt = (video: Locator, before: number, what: string) =>
  eventually(
    () => sharpness(video),
    (s) => s > before * 0.7,
    `${what} to be sharp again (was ${before.toFixed(2)})`,
    30_000,
    500,
  );

const blurSwitch = (page: Page) => page.getByRole('switch', { name: 'Blur my background' });
const blurState = (page: Page) => page.getByTestId('blur-setting').first().getAttribute('data-state');
const expectState = (page: Page, state: string) =>
  eventually(
    () => blurState(page),
    (s) => s === state,
    `background blur ${state}`,
    30_000,
  );

let visitor: Page;
let agent: Page;
let visitorRequests: ReturnType<typeof watchRequests>;
let agentRequests: ReturnType<typeof watchRequests>;
/** The agent's video at the visitor, and the visitor's at the agent. */
let agentAtVisitor: Locator;
let visitorAtAgent: Locator;
let agentSharpness: number;

beforeAll(async () => {
  visitor = await newPage();
  visitorRequests = watchRequests(visitor);
  const code = await visitorStarts(visitor);
  agent = await consoleFor(code);
  agentRequests = watchRequests(agent);
  await agent.getByRole('button', { name: 'Video', exact: true }).click();
  await expectRising({ name: 'visitor', page: visitor }, { name: 'agent', page: agent }, 30_000);
  await expectRising({ name: 'agent', page: agent }, { name: 'visitor', page: visitor }, 30_000);
  agentAtVisitor = visitor.locator('#tandem-widget video[data-remote="agent"]');
  visitorAtAgent = agent.locator('video[data-role="visitor"]');
});

describe('background blur', () => {
  it('is off, accessible, and nothing of it is loaded while nobody turns it on', async () => {
    await agent.getByRole('button', { name: 'Settings' }).click();
    await expect(blurSwitch(agent).isChecked()).resolves.toBe(false);
    expect(await blurState(agent)).toBe('off');
    await expectNoAxeViolations(agent, 'console settings, blur off');
    expect(await blurSwitch(visitor).isChecked()).toBe(false);
    await expectNoAxeViolations(visitor, 'widget call screen, blur off');
    expect({ visitor: visitorRequests.blur, agent: agentRequests.blur }).toEqual({ visitor: [], agent: [] });
  });

  it('on in the console: the customer still decodes the agent\u2019s video, and its picture is smoother', async () => {
    agentSharpness = await typicalSharpness(agentAtVisitor);
    expect(agentSharpness).toBeGreaterThan(0);
    // As in a browser without insertable streams (Firefox, Safari): blur draws what a video element plays. The widget's
    // tests below blur with them, as Chromium does.
    await agent.evaluate(() => {
      delete (window as { MediaStreamTrackProcessor?: unknown }).MediaStreamTrackProcessor;
    });

    // The model is held back until the loading state has been checked.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await agent.route(/selfie_segmentation.*\.tflite$/, async (route: Route) => {
      await held;
      await route.continue();
    });
    await blurSwitch(agent).click();
    await expectState(agent, 'loading');
    await expectNoAxeViolations(agent, 'console settings, blur loading');
    release();
    await expectState(agent, 'on');
    await agent.unroute(/selfie_segmentation.*\.tflite$/);
    expect(await blurSwitch(agent).isChecked()).toBe(true);
    await expectNoAxeViolations(agent, 'console settings, blur on');

    await blurredAt(agentAtVisitor, agentSharpness, 'the agent\u2019s video at the visitor', agent);
    await expectRising({ name: 'visitor', page: visitor }, { name: 'agent', page: agent });
    // Blur swaps the picture only: the agent's voice still goes out.
    await expectHearing({ name: 'visitor', page: visitor }, { name: 'agent', page: agent });
    // The agent's own preview shows what goes out.
    await blurredAt(agent.locator('video[data-role="self"]'), agentSharpness, 'the agent\u2019s preview', agent);

    // Fetched from the service only, and only by the page that turned blur on.
    expect(agentRequests.blur.length).toBeGreaterThanOrEqual(3);
    expect(agentRequests.blur.every((u) => u.startsWith(`${suite.server.baseUrl}/assets/`))).toBe(true);
    expect(agentRequests.elsewhere).toEqual([]);
    expect(visitorRequests.blur).toEqual([]);
  });

  it('off again: the customer sees the agent\u2019s camera as sharp as before', async () => {
    await blurSwitch(agent).click();
    await expectState(agent, 'off');
    await sharpAgainAt(agentAtVisitor, agentSharpness, 'the agent\u2019s video at the visitor');
    await expectRising({ name: 'visitor', page: visitor }, { name: 'agent', page: agent });
  });

  it('on in the widget: the agent sees the customer blurred; off, sharp again', async () => {
    const before = await typicalSharpness(visitorAtAgent);
    await blurSwitch(visitor).click();
    await expectState(visitor, 'on');
    await expectNoAxeViolations(visitor, 'widget call screen, blur on');
    await blurredAt(visitorAtAgent, before, 'the visitor\u2019s video at the agent', visitor);
    await expectRising({ name: 'agent', page: agent }, { name: 'visitor', page: visitor });
    await expectHearing({ name: 'agent', page: agent }, { name: 'visitor', page: visitor });
    // The visitor's own preview shows what goes out.
    await blurredAt(visitor.locator('#tandem-widget video[data-self]'), before, 'the visitor\u2019s preview', visitor);
    expect(visitorRequests.blur.every((u) => u.startsWith(`${suite.server.baseUrl}/assets/`))).toBe(true);
    expect(visitorRequests.elsewhere).toEqual([]);

    await blurSwitch(visitor).click();
    await expectState(visitor, 'off');
    await sharpAgainAt(visitorAtAgent, before, 'the visitor\u2019s video at the agent');
  });

  it('goes on in a page the browser does not render (a tab in the background): the agent sees the customer blurred and moving', async () => {
    const before = await typicalSharpness(visitorAtAgent);
    // Headless Chromium renders every page. A page in a background tab gets no rendering callbacks until it is shown
    // again (requestAnimationFrame, requestVideoFrameCallback): take them away, as hiding the tab would.
    await visitor.evaluate(() => {
      const scope = window as unknown as Record<string, unknown>;
      scope.__shownRaf = window.requestAnimationFrame;
      scope.__shownRvfc = HTMLVideoElement.prototype.requestVideoFrameCallback;
      window.requestAnimationFrame = () => 0;
      HTMLVideoElement.prototype.requestVideoFrameCallback = () => 0;
    });
    try {
      await blurSwitch(visitor).click();
      await expectState(visitor, 'on');
      await blurredAt(visitorAtAgent, before, 'the visitor\u2019s video at the agent', visitor);
      await expectRising({ name: 'agent', page: agent }, { name: 'visitor', page: visitor });
    } finally {
      await visitor.evaluate(() => {
        const scope = window as unknown as Record<string, unknown>;
        window.requestAnimationFrame = scope.__shownRaf as typeof window.requestAnimationFrame;
        HTMLVideoElement.prototype.requestVideoFrameCallback =
          scope.__shownRvfc as typeof HTMLVideoElement.prototype.requestVideoFrameCallback;
      });
    }
    await blurSwitch(visitor).click();
    await expectState(visitor, 'off');
    await sharpAgainAt(visitorAtAgent, before, 'the visitor\u2019s video at the agent');
  });

  it('when the device can\u2019t keep up, blur turns itself off and the setting says why', async () => {
    const before = await typicalSharpness(visitorAtAgent);
    await blurSwitch(visitor).click();
    await expectState(visitor, 'on');
    // A device many times slower: every frame takes far longer than its budget.
    const cdp = await visitor.context().newCDPSession(visitor);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 20 });
    try {
      await eventually(
        () => blurState(visitor),
        (s) => s === 'unavailable',
        'blur to give up',
        90_000,
        500,
      );
    } finally {
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    }
    expect(await blurSwitch(visitor).isChecked()).toBe(false);
    expect(await blurSwitch(visitor).isDisabled()).toBe(true);
    await expect(visitor.getByTestId('blur-setting').getByRole('status').textContent()).resolves.toMatch(
      /could not blur your background and keep your video smooth/,
    );
    await expectNoAxeViolations(visitor, 'widget call screen, blur unavailable');
    // The camera as it is goes out again.
    await sharpAgainAt(visitorAtAgent, before, 'the visitor\u2019s video at the agent');
    await expectRising({ name: 'agent', page: agent }, { name: 'visitor', page: visitor });
  });

  it('on the guest page: unavailable when the model can\u2019t be loaded, and the camera still goes out', async () => {
    const guest = await newPage();
    const guestRequests = watchRequests(guest);
    await guest.route(/selfie_segmentation.*\.tflite$/, (route: Route) => route.abort());
    const panel = agent.locator('#panel-guests');
    if (await panel.isHidden()) await agent.getByRole('button', { name: 'Add Guest' }).click();
    const input = agent.getByLabel('Guest link');
    const link = await eventually(
      () => input.inputValue(),
      (v) => /\/guest#invite=/.test(v ?? ''),
      'the guest link',
    );
    await guest.goto(`${suite.server.baseUrl}/guest${new URL(link).hash}`);
    await eventually(
      () => guest.getByLabel('Camera', { exact: true }).isEnabled(),
      (v) => v,
      'the guest\u2019s camera',
    );
    expect(await blurState(guest)).toBe('off');
    await expectNoAxeViolations(guest, 'guest join screen, blur off');
    expect(guestRequests.blur).toEqual([]);

    await blurSwitch(guest).first().click();
    await expectState(guest, 'unavailable');
    await expect(guest.getByTestId('blur-setting').first().getByRole('status').textContent()).resolves.toMatch(
      /could not be loaded/,
    );
    expect(await blurSwitch(guest).first().isDisabled()).toBe(true);
    await expectNoAxeViolations(guest, 'guest join screen, blur unavailable');
    // The preview still shows the camera.
    await eventually(
      () => sharpness(guest.locator('#preview video')),
      (s) => s > 0,
      'the guest\u2019s preview',
    );
  });
});
