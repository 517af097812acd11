import type { Page } from 'playwright-core';
import { expectNoAxeViolations } from '../helpers/axe';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';
import { admit, guestAsks, guestLink } from '../helpers/guestSteps';
import { people } from '../helpers/people';

/* Screen share, end to end in real Chromium. Headless Chromium hands getDisplayMedia a fake 1280x720 screen with the
 * flags every e2e browser has (--use-fake-ui-for-media-stream picks it without a prompt,
 * --use-fake-device-for-media-stream draws it); the cameras are 640x480, so a 16:9 picture is the screen. The agent
 * shares with the customer and the guest; the agent asks, and the customer shares with the agent only, or declines;
 * either side stops, and so does the browser's own Stop sharing (the capture track ending). Frames are counted from
 * the receivers' getStats for the track the shared-screen tile shows. */

jest.setTimeout(240_000);

const suite = e2eSuite({ closeContexts: 'afterAll' });
const { visitorStarts, consoleFor } = people(suite);

let visitor: Page;
let agent: Page;
let guest: Page;

/** The screen a page shows in its shared-screen tile (the light DOM, or the widget's shadow root), if one shows. */
async function shownScreen(page: Page): Promise<{ trackId: string; width: number; height: number } | undefined> {
  return page.evaluate(() => {
    const find = (root: Document | ShadowRoot): HTMLVideoElement | undefined => {
      const found = root.querySelector<HTMLVideoElement>('[data-testid="shared-screen-video"]');
      if (found) return found;
      for (const node of root.querySelectorAll('*')) if (node.shadowRoot) return find(node.shadowRoot);
      return undefined;
    };
    const video = find(document);
    const track = (video?.srcObject as MediaStream | null)?.getVideoTracks()[0];
    if (!video || !track || video.closest('[hidden]') || video.hidden) return undefined;
    return { trackId: track.id, width: video.videoWidth, height: video.videoHeight };
  });
}

/** Frames the page has decoded for this received track (0 once its connection is gone). */
async function framesOf(page: Page, trackId: string): Promise<number> {
  return page.evaluate(async (id) => {
    let total = 0;
    for (const pc of (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: { type: string; trackIdentifier?: string; framesDecoded?: number }) => {
        if (s.type === 'inbound-rtp' && s.trackIdentifier === id) total += s.framesDecoded ?? 0;
      });
    }
    return total;
  }, trackId);
}

/** Waits until the page shows a shared screen (16:9, the fake screen) whose frames keep being decoded; its track. */
async function expectScreenRising(page: Page, who: string): Promise<string> {
  let last = 0;
  const sample = async () => {
    const screen = await shownScreen(page);
    const before = last;
    last = screen ? await framesOf(page, screen.trackId) : 0;
    return { screen, before, now: last };
  };
  const { screen } = await eventually(
    sample,
    ({ screen: s, before, now }) => !!s && Math.abs(s.width / s.height - 16 / 9) < 0.01 && before > 0 && now > before,
    `${who} to decode rising frames of a 16:9 shared screen`,
    30_000,
    500,
  );
  return screen!.trackId;
}

/** Waits until frames of that track stop (two samples a second and a half apart are equal) and no screen shows. */
async function expectScreenStopped(page: Page, trackId: string, who: string): Promise<void> {
  let last: number | undefined;
  const sample = async () => {
    const before = last;
    last = await framesOf(page, trackId);
    return { before, now: last, shown: await shownScreen(page) };
  };
  await eventually(
    sample,
    ({ before, now, shown }) => before === now && !shown,
    `${who}: frames of the shared screen to stop and its tile to go`,
    20_000,
    1_500,
  );
}

/** The screen captures a page is sending right now. */
const capturesSent = (page: Page) =>
  page.evaluate(
    () =>
      ((window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [])
        .filter((pc) => pc.connectionState !== 'closed')
        .flatMap((pc) => pc.getSenders())
        .filter((s) => s.track?.readyState === 'live' && s.track.label.startsWith('screen')).length,
  );

const agentStatus = () => agent.getByTestId('share-status');

/** Test-side: what the browser does when its own "Stop sharing" is pressed: the capture track ends (stop() alone
 * fires no 'ended', so the event is sent too). */
const browserStopsSharing = (page: Page) =>
  page.evaluate(() => {
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs)
      for (const sender of pc.getSenders())
        if (sender.track?.readyState === 'live' && sender.track.label.startsWith('screen')) {
          sender.track.stop();
          sender.track.dispatchEvent(new Event('ended'));
        }
  });

beforeAll(async () => {
  visitor = await suite.newPage();
  const code = await visitorStarts(visitor);
  agent = await consoleFor(code);
  guest = await suite.newPage();
  const asked = await guestAsks(guest, await guestLink(agent, suite.server.baseUrl), 'Gina Guest');
  await admit(agent, asked);
  await guest.locator('#screen-call').waitFor({ timeout: 20_000 });
});

describe('screen share, in real browsers', () => {
  it('the agent shares: the customer and the guest see it large and labelled, frames decoded', async () => {
    await agent.getByRole('button', { name: 'Share screen' }).click();
    await agentStatus().filter({ hasText: 'You are sharing your screen with everyone' }).waitFor();
    expect(await agent.getByRole('button', { name: 'Share screen' }).getAttribute('aria-pressed')).toBe('true');
    await expectScreenRising(visitor, 'the customer');
    await expectScreenRising(guest, 'the guest');
    for (const page of [visitor, guest])
      await page.getByRole('heading', { name: 'Screen shared by Ana Agent' }).waitFor();
    await expectNoAxeViolations(agent, 'console, sharing');
    await expectNoAxeViolations(visitor, 'widget, seeing the agent\u2019s screen');
    await expectNoAxeViolations(guest, 'guest page, seeing the agent\u2019s screen');
  });

  it('the agent stops it: frames stop on both sides and the capture ends', async () => {
    const atCustomer = (await shownScreen(visitor))!.trackId;
    const atGuest = (await shownScreen(guest))!.trackId;
    await agent.getByRole('button', { name: 'Share screen' }).click();
    await agentStatus().filter({ hasText: 'You stopped sharing your screen.' }).waitFor();
    await expectScreenStopped(visitor, atCustomer, 'the customer');
    await expectScreenStopped(guest, atGuest, 'the guest');
    expect(await capturesSent(agent)).toBe(0);
  });

  it('the browser\u2019s own Stop sharing (the capture track ends) stops it for everyone', async () => {
    await agent.getByRole('button', { name: 'Share screen' }).click();
    const atCustomer = await expectScreenRising(visitor, 'the customer');
    const atGuest = await expectScreenRising(guest, 'the guest');
    await browserStopsSharing(agent);
    await agentStatus().filter({ hasText: 'You stopped sharing your screen.' }).waitFor();
    await expectScreenStopped(visitor, atCustomer, 'the customer');
    await expectScreenStopped(guest, atGuest, 'the guest');
    expect(await agent.getByRole('button', { name: 'Share screen' }).getAttribute('aria-pressed')).toBe('false');
  });

  it('the customer declines the agent\u2019s request: nothing is shared', async () => {
    await agent.getByRole('button', { name: 'Customer\u2019s screen' }).click();
    const request = visitor.getByRole('alertdialog', { name: 'Ana Agent asks to see your screen' });
    await request.waitFor();
    await agentStatus().filter({ hasText: 'Waiting for the customer' }).waitFor();
    await expectNoAxeViolations(visitor, 'widget, screen share request');
    await request.getByRole('button', { name: 'Decline' }).click();
    await agentStatus().filter({ hasText: 'The customer declined to share their screen.' }).waitFor();
    await request.waitFor({ state: 'detached' });
    expect(await capturesSent(visitor)).toBe(0);
    expect(await shownScreen(agent)).toBeUndefined();
  });

  it('the customer shares on request: the agent sees it, the guest does not; the customer stops it', async () => {
    await agent.getByRole('button', { name: 'Customer\u2019s screen' }).click();
    const request = visitor.getByRole('alertdialog', { name: 'Ana Agent asks to see your screen' });
    await request.getByRole('button', { name: 'Share screen' }).click();
    await visitor.getByTestId('screen-share-on').waitFor();
    const atAgent = await expectScreenRising(agent, 'the agent');
    await agent.getByRole('heading', { name: 'Screen shared by Customer' }).waitFor();
    await agentStatus().filter({ hasText: 'You see Customer\u2019s screen' }).waitFor();
    // Sent on the connection to the agent only; the guest's page shows no shared screen.
    expect(await capturesSent(visitor)).toBe(1);
    expect(await shownScreen(guest)).toBeUndefined();
    await expectNoAxeViolations(visitor, 'widget, sharing the screen');
    await expectNoAxeViolations(agent, 'console, seeing the customer\u2019s screen');

    await visitor.getByRole('button', { name: 'Stop sharing' }).click();
    await agentStatus().filter({ hasText: 'The customer stopped sharing their screen.' }).waitFor();
    await expectScreenStopped(agent, atAgent, 'the agent');
    expect(await capturesSent(visitor)).toBe(0);
  });

  it('the customer\u2019s browser Stop sharing ends their share for the agent', async () => {
    await agent.getByRole('button', { name: 'Customer\u2019s screen' }).click();
    await visitor
      .getByRole('alertdialog', { name: 'Ana Agent asks to see your screen' })
      .getByRole('button', { name: 'Share screen' })
      .click();
    const atAgent = await expectScreenRising(agent, 'the agent');
    await browserStopsSharing(visitor);
    await agentStatus().filter({ hasText: 'The customer stopped sharing their screen.' }).waitFor();
    await expectScreenStopped(agent, atAgent, 'the agent');
    await visitor.getByTestId('screen-share-on').waitFor({ state: 'detached' });
  });

  it('the agent stops the customer\u2019s share from the console', async () => {
    await agent.getByRole('button', { name: 'Customer\u2019s screen' }).click();
    await visitor
      .getByRole('alertdialog', { name: 'Ana Agent asks to see your screen' })
      .getByRole('button', { name: 'Share screen' })
      .click();
    const atAgent = await expectScreenRising(agent, 'the agent');
    await agent.getByRole('button', { name: 'Customer\u2019s screen' }).click();
    await agentStatus().filter({ hasText: 'You stopped viewing the customer\u2019s screen.' }).waitFor();
    await expectScreenStopped(agent, atAgent, 'the agent');
    await visitor.getByTestId('screen-share-on').waitFor({ state: 'detached' });
    await eventually(
      () => capturesSent(visitor),
      (n) => n === 0,
      'the customer\u2019s capture to end',
    );
  });

  it('the customer reloads their page while sharing: the share ends for the agent, the call goes on', async () => {
    await agent.getByRole('button', { name: 'Customer\u2019s screen' }).click();
    await visitor
      .getByRole('alertdialog', { name: 'Ana Agent asks to see your screen' })
      .getByRole('button', { name: 'Share screen' })
      .click();
    const atAgent = await expectScreenRising(agent, 'the agent');
    await visitor.reload();
    await visitor.getByRole('status').filter({ hasText: 'Reconnected.' }).waitFor({ timeout: 15_000 });
    // The page that came back has no capture: it ends the share the session still had.
    await agentStatus().filter({ hasText: 'The customer stopped sharing their screen.' }).waitFor();
    await expectScreenStopped(agent, atAgent, 'the agent');
    expect(await visitor.getByTestId('screen-share-on').count()).toBe(0);
  });
});
