import type { Page } from 'playwright-core';
import { expectHearing } from '../helpers/audio';
import { expectNoAxeViolations } from '../helpers/axe';
import { launchBrowser } from '../helpers/browser';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';
import { admit, guestAsks, guestCode, guestLink as guestLinkAt } from '../helpers/guestSteps';
import { people } from '../helpers/people';
import { expectRising as expectRisingWithin, expectStopped } from '../helpers/video';

/* Guests, end to end in real Chromium: the agent's Add Guest link, the guest page (name, code, admission), video and
 * sound in every direction between agent, customer and guest, Pause / Resume, Eject (and the revoked link), a wrong code,
 * and a guest's hang-up leaving the others connected. */

jest.setTimeout(240_000);

const suite = e2eSuite({ closeContexts: 'afterAll' });
const { newPage } = suite;
const { visitorStarts, consoleFor: agentJoins } = people(suite);

interface Party {
  name: string;
  page: Page;
}

/** Video from sender to receiver rises, within the 25 s this file allows. */
const expectRising = (receiver: Party, sender: Party) => expectRisingWithin(receiver, sender, 25_000);

// --- the people --------------------------------------------------------------------------------------------------

const guestLink = (agent: Page) => guestLinkAt(agent, suite.server.baseUrl);

function guestTile(agent: Page, name: string) {
  return agent.locator('#guests li').filter({ hasText: name });
}

// --- the scenario ------------------------------------------------------------------------------------------------

let visitor: Party;
let agent: Party;
let guest: Party;
let firstLink: string;

beforeAll(async () => {
  const visitorPage = await newPage();
  const code = await visitorStarts(visitorPage);
  visitor = { name: 'customer', page: visitorPage };
  agent = { name: 'agent', page: await agentJoins(code) };
  // The agent's camera is off until they turn Video on.
  await agent.page.getByRole('button', { name: 'Video', exact: true }).click();
  await eventually(
    () => agent.page.getByRole('button', { name: 'Video', exact: true }).getAttribute('aria-pressed'),
    (v) => v === 'true',
    'toBe true',
  );
  await expectRising(agent, visitor);
  await expectRising(visitor, agent);
});

describe('guests, in real browsers', () => {
  it('shows the guest a code with a countdown, and refuses a wrong code at Admit with a clear error', async () => {
    firstLink = await guestLink(agent.page);
    guest = { name: 'guest', page: await newPage() };
    await guest.page.goto(firstLink);
    await expectNoAxeViolations(guest.page);

    const code = await guestAsks(guest.page, firstLink, 'Gina Guest');
    expect(code).toMatch(/^\d{6}$/);
    await eventually(
      () => guest.page.locator('#countdown').textContent(),
      (v) => /^Expires in \d+:\d\d$/.test(v ?? ''),
      'toMatch /^Expires in \d+:\d\d$/',
    );
    await guest.page.getByRole('status').filter({ hasText: 'Waiting for the agent to let you in' }).waitFor();
    await expectNoAxeViolations(guest.page);

    // More time gives the same code a new period.
    await guest.page.getByRole('button', { name: 'More time' }).click();
    await guest.page.getByRole('status').filter({ hasText: 'You have more time' }).waitFor();
    await eventually(
      () => guest.page.locator('#extensions-left').textContent(),
      (v) => (v ?? '').includes('2 more times'),
      'toContain 2 more times',
    );

    const wrong = code === '000000' ? '000001' : '000000';
    await admit(agent.page, wrong);
    await agent.page.getByRole('alert').filter({ hasText: 'No guest is waiting with that code' }).waitFor();
    expect(await agent.page.locator('#guests li').count()).toBe(0);

    await admit(agent.page, code);
    await guest.page.getByRole('button', { name: 'Hang up' }).waitFor({ timeout: 10_000 });
    await agent.page.getByRole('status').filter({ hasText: 'Gina Guest has joined the session.' }).waitFor();
    await guestTile(agent.page, 'Gina Guest').waitFor();
  });

  it('carries video and sound in all six directions between agent, customer and guest', async () => {
    const parties = [agent, visitor, guest];
    for (const receiver of parties) {
      for (const sender of parties) {
        if (sender === receiver) continue;
        await expectRising(receiver, sender);
        await expectHearing(receiver, sender);
      }
    }
    // The guest sees everyone by name.
    await guest.page.locator('#tiles li').filter({ hasText: 'Ana Agent' }).waitFor();
    await guest.page.locator('#tiles li').filter({ hasText: 'Customer' }).waitFor();
    expect(
      await guest.page
        .locator('#tiles li[data-role="agent"] video')
        .evaluate((v) => (v as HTMLVideoElement).videoWidth),
    ).toBeGreaterThan(0);
    await expectNoAxeViolations(guest.page);
  });

  it('pages through participants with the video slider in small mode', async () => {
    const page = guest.page;
    await expect(page.getByRole('button', { name: 'Next' }).isVisible()).resolves.toBe(false);
    await page.getByRole('button', { name: 'Small video' }).click();
    // Three tiles (agent, customer, the guest's own preview), two at a time.
    await eventually(
      () => page.getByTestId('slider-position').textContent(),
      (v) => v === '1 of 2',
      'toBe 1 of 2',
    );
    expect(await page.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);
    expect(await page.locator('#tiles li:visible').count()).toBe(2);
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await page.getByTestId('slider-position').textContent()).toBe('2 of 2');
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    expect(await page.locator('#tiles li:visible').count()).toBe(1);
    // Paging changes what the guest sees, not whom they hear.
    await expectHearing(guest, agent);
    await expectHearing(guest, visitor);
    await page.getByRole('button', { name: 'Previous' }).click();
    expect(await page.getByTestId('slider-position').textContent()).toBe('1 of 2');
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Small video' }).click();
    expect(await page.getByRole('button', { name: 'Next' }).isVisible()).toBe(false);
    expect(await page.locator('#tiles li:visible').count()).toBe(3);
  });

  it('pauses the guest\u2019s video for everyone, and resumes it', async () => {
    const tile = guestTile(agent.page, 'Gina Guest');
    await tile.getByRole('button', { name: 'Pause video' }).click();
    await guest.page.getByText('The agent has paused your video').waitFor();
    await tile.getByText('Video paused').waitFor();
    expect(await guest.page.getByRole('button', { name: 'Turn video off' }).isDisabled()).toBe(true);
    await expectStopped(agent, guest);
    await expectStopped(visitor, guest);
    // Paused is the picture only: the guest is still heard.
    await expectHearing(agent, guest);
    await expectHearing(visitor, guest);
    // Everyone else keeps flowing.
    await expectRising(agent, visitor);
    await expectRising(visitor, agent);
    await expectRising(guest, agent);
    await expectRising(guest, visitor);

    await tile.getByRole('button', { name: 'Resume video' }).click();
    await eventually(
      () => guest.page.getByText('The agent has paused your video').isVisible(),
      (v) => v === false,
      'toBe false',
    );
    await expectRising(agent, guest);
    await expectRising(visitor, guest);
  });

  it('pauses the customer\u2019s video for everyone: the customer sees why and can\u2019t undo it; Resume brings it back', async () => {
    const customerTile = agent.page.locator('#remote');
    await customerTile.getByRole('button', { name: 'Pause video' }).click();
    const alert = visitor.page.getByTestId('camera-off-alert');
    await alert.filter({ hasText: 'The agent has paused your video' }).waitFor();
    await customerTile.getByText('Video paused').waitFor();
    expect(await visitor.page.getByRole('button', { name: 'Start video' }).isDisabled()).toBe(true);
    await expectStopped(agent, visitor);
    await expectStopped(guest, visitor);
    // Paused is the picture only: the customer is still heard.
    await expectHearing(agent, visitor);
    await expectHearing(guest, visitor);
    // Everyone else keeps flowing, to the customer too.
    await expectRising(visitor, agent);
    await expectRising(visitor, guest);
    await expectRising(guest, agent);
    await expectNoAxeViolations(visitor.page);

    await customerTile.getByRole('button', { name: 'Resume video' }).click();
    await eventually(
      () => alert.count(),
      (n) => n === 0,
      'the paused alert gone',
    );
    expect(await visitor.page.getByRole('button', { name: 'Stop video' }).isEnabled()).toBe(true);
    await expectRising(agent, visitor);
    await expectRising(guest, visitor);
  });

  it('ejects the guest: they see it, video to and from them stops, and the same link no longer works', async () => {
    const tile = guestTile(agent.page, 'Gina Guest');
    await tile.getByRole('button', { name: 'Eject' }).click();
    await tile.getByRole('button', { name: 'Yes, eject' }).click();
    await guest.page.getByRole('heading', { name: 'You were removed from the session' }).waitFor();
    await expectNoAxeViolations(guest.page);
    await agent.page.getByRole('status').filter({ hasText: 'You removed Gina Guest from the session.' }).waitFor();
    expect(await guestTile(agent.page, 'Gina Guest').count()).toBe(0);
    await expectStopped(agent, guest);
    await expectStopped(visitor, guest);
    await expectStopped(guest, agent);
    await expectStopped(guest, visitor);
    expect(
      await guest.page.locator('video').evaluateAll((vs) => vs.filter((v) => (v as HTMLVideoElement).srcObject).length),
    ).toBe(0);
    // Agent and customer carry on.
    await expectRising(agent, visitor);
    await expectRising(visitor, agent);

    const again = await newPage();
    await again.goto(firstLink);
    await again.getByLabel('Your name').fill('Gina Guest');
    await again.getByRole('button', { name: 'Join', exact: true }).click();
    await again.getByRole('alert').filter({ hasText: 'This guest link no longer works' }).waitFor();
    expect(await again.getByTestId('guest-code').isVisible()).toBe(false);

    // The console made a fresh link for the next guest.
    await agent.page.getByText('The previous link stopped working').waitFor();
    const fresh = await guestLink(agent.page);
    expect(fresh).not.toBe(firstLink);
  });

  it('lets a guest hang up without ending the session for the agent and the customer', async () => {
    const link = await guestLink(agent.page);
    const second: Party = { name: 'second guest', page: await newPage() };
    const code = await guestAsks(second.page, link, 'Hugo Helper');
    await admit(agent.page, code);
    await second.page.getByRole('button', { name: 'Hang up' }).waitFor({ timeout: 10_000 });
    await expectRising(second, agent);
    await expectRising(agent, second);

    await second.page.getByRole('button', { name: 'Hang up' }).click();
    await second.page.getByRole('heading', { name: 'You left the session' }).waitFor();
    await agent.page.getByRole('status').filter({ hasText: 'Hugo Helper left the session.' }).waitFor();
    expect(await guestTile(agent.page, 'Hugo Helper').count()).toBe(0);
    await expectStopped(agent, second);
    await expectRising(agent, visitor);
    await expectRising(visitor, agent);
    expect(agent.page.isClosed()).toBe(false);
    expect(await agent.page.getByRole('button', { name: 'END' }).isEnabled()).toBe(true);
  });
});

describe('a guest who joins while the browser is still asking about the camera', () => {
  it('waits for the answer, then joins with the camera, and is seen by the agent and the customer', async () => {
    const link = await guestLink(agent.page);
    const late: Party = { name: 'guest whose camera started late', page: await newPage() };
    // The browser's question about the camera, unanswered until the test answers it (window.__answerCamera).
    await late.page.addInitScript(() => {
      const media = navigator.mediaDevices;
      const open = media.getUserMedia.bind(media);
      let answer: () => void = () => {};
      const answered = new Promise<void>((resolve) => (answer = resolve));
      (window as unknown as { __answerCamera: () => void }).__answerCamera = () => answer();
      media.getUserMedia = async (constraints) => {
        await answered;
        return open(constraints);
      };
    });
    await late.page.goto(link);
    await late.page.getByLabel('Your name').fill('Lena Late');
    await late.page.getByRole('button', { name: 'Join', exact: true }).click();
    await late.page.getByRole('button', { name: 'Waiting for your camera…' }).waitFor();
    await late.page.getByRole('status').filter({ hasText: 'If your browser asks about it, answer' }).waitFor();
    expect(await late.page.getByTestId('guest-code').isVisible()).toBe(false);

    await late.page.evaluate(() => (window as unknown as { __answerCamera: () => void }).__answerCamera());
    await admit(agent.page, await guestCode(late.page));
    await expectRising(agent, late);
    await expectRising(visitor, late);
    await late.page.getByRole('button', { name: 'Hang up' }).click();
    await agent.page.getByRole('status').filter({ hasText: 'Lena Late left the session.' }).waitFor();
  });
});

describe('the end of the session, and a blocked camera', () => {
  it('shows the guest the session-ended screen when the agent presses END', async () => {
    const link = await guestLink(agent.page);
    const third: Party = { name: 'third guest', page: await newPage() };
    await admit(agent.page, await guestAsks(third.page, link, 'Ines Insurer'));
    await third.page.getByRole('button', { name: 'Hang up' }).waitFor({ timeout: 10_000 });
    await agent.page.getByRole('button', { name: 'END' }).click();
    await third.page.getByRole('heading', { name: 'The session has ended' }).waitFor();
    await third.page.getByText('The agent ended the session.').waitFor();
    await expectNoAxeViolations(third.page);
    await expectStopped(third, visitor);
  });

  it('explains a blocked camera on the guest page and still lets the guest ask to join', async () => {
    const denying = await launchBrowser('deny');
    try {
      const page = await newPage({ browser: denying });
      await page.goto(`${suite.server.baseUrl}/guest#invite=not-a-real-invite-token-000000`);
      await page.getByRole('alert').filter({ hasText: 'blocking the camera' }).waitFor({ timeout: 10_000 });
      expect(await page.getByRole('button', { name: 'Try the camera again' }).isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Turn video off' }).isDisabled()).toBe(true);
      await expectNoAxeViolations(page);
      await page.getByLabel('Your name').fill('Nadia NoCam');
      await page.getByRole('button', { name: 'Join', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'This guest link no longer works' }).waitFor();
    } finally {
      await denying.close();
    }
  });
});
