import type { Page } from 'playwright-core';
import { expectNoAxeViolations } from '../helpers/axe';
import { slowCameras } from '../helpers/browser';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';
import { people } from '../helpers/people';
import { consoleTicket, devToken } from '../helpers/testServer';
import { expectRising, expectStopped } from '../helpers/video';

/* The agent console in real Chromium: the Video privilege and switch (frames really flowing or not), Customer Info
 * (device, live diagnostics, Report a problem stored on the server), Settings (camera locked once the session has
 * started), END, and accessibility (axe-core) of the console and the join page. */

jest.setTimeout(180_000);

const suite = e2eSuite();
const { newPage } = suite;
const { visitorStarts, consoleFor } = people(suite);

const agentVideoAtVisitor = (visitor: Page) => visitor.locator('video[data-remote="agent"]');

describe('agent video', () => {
  it('has no Video button without the video privilege, and sends no frames', async () => {
    const visitor = await newPage();
    const agent = await consoleFor(await visitorStarts(visitor), { privileges: [] });
    await expectRising(agent, visitor);
    expect(await agent.getByRole('button', { name: 'Video', exact: true }).count()).toBe(0);
    // Nor screen share: that is a privilege of its own (Tandem_Screen_Share).
    expect(await agent.getByRole('button', { name: 'Share screen' }).count()).toBe(0);
    expect(await agent.getByRole('button', { name: 'Customer\u2019s screen' }).count()).toBe(0);
    // The camera is not used at all: Settings says why.
    await agent.getByRole('button', { name: 'Settings' }).click();
    expect(await agent.getByLabel('Webcam').isDisabled()).toBe(true);
    await agent.getByText('Your account does not include agent video').waitFor();
    expect(await expectStopped(visitor, agent)).toBe(0);
    expect(await agentVideoAtVisitor(visitor).isVisible()).toBe(false);
  });

  it('lets a camera that opens after the call has started go at once without the video privilege', async () => {
    const visitor = await newPage();
    const code = await visitorStarts(visitor);
    const ticket = await consoleTicket(suite.server, await devToken(suite.server, 'Ana Agent', []), code);
    const agent = await newPage();
    // A slow webcam (3 s), whose stream the test keeps to see whether its camera track is let go.
    await slowCameras(agent.context(), 3000);
    await agent.goto(`${suite.server.baseUrl}/console#ticket=${encodeURIComponent(ticket)}`);
    await expectRising(agent, visitor);
    expect(await agent.evaluate(() => '__camera' in window)).toBe(false);

    // Once open, its video track is stopped (the camera's light goes off) and no frame of it leaves the page.
    const cameraTracks = () =>
      agent.evaluate(() =>
        ((window as unknown as { __camera?: MediaStream }).__camera?.getVideoTracks() ?? []).map((t) => t.readyState),
      );
    await eventually(cameraTracks, (states) => states.length === 1 && states[0] === 'ended', 'the camera let go');
    expect(await agent.getByRole('button', { name: 'Video', exact: true }).count()).toBe(0);
    await agent.getByText('Video not included in your account').waitFor();
    expect(await expectStopped(visitor, agent)).toBe(0);
  });

  it('turns the agent\u2019s video on (green dot, the customer sees it) and off again (frames stop)', async () => {
    const visitor = await newPage();
    const agent = await consoleFor(await visitorStarts(visitor));
    await expectRising(agent, visitor);
    const video = agent.getByRole('button', { name: 'Video', exact: true });
    const dot = agent.getByTestId('video-on-dot');

    // Off at first: nothing leaves the agent's page.
    expect(await video.getAttribute('aria-pressed')).toBe('false');
    expect(await dot.isVisible()).toBe(false);
    expect(await expectStopped(visitor, agent)).toBe(0);

    await video.click();
    await eventually(
      () => video.getAttribute('aria-pressed'),
      (v) => v === 'true',
      'Video pressed',
    );
    expect(await dot.isVisible()).toBe(true);
    await expectRising(visitor, agent);
    await eventually(
      () => agentVideoAtVisitor(visitor).isVisible(),
      (v) => v,
      'the agent video shown to the customer',
    );
    await eventually(
      () => agentVideoAtVisitor(visitor).evaluate((v) => (v as HTMLVideoElement).videoWidth),
      (w) => w > 0,
      'agent video width',
    );
    await agent.getByText('Shared with everyone').waitFor();

    await video.click();
    await eventually(
      () => video.getAttribute('aria-pressed'),
      (v) => v === 'false',
      'Video not pressed',
    );
    expect(await dot.isVisible()).toBe(false);
    await expectStopped(visitor, agent);
    await eventually(
      () => agentVideoAtVisitor(visitor).isVisible(),
      (v) => !v,
      'the agent video hidden from the customer',
    );
    await agent.getByText('Preview: only you see this').waitFor();
  });
});

describe('start my video when I join', () => {
  it('sends the agent\u2019s video from the start of their next sessions once they chose so in Settings', async () => {
    const first = await newPage();
    const agent = await consoleFor(await visitorStarts(first));
    await agent.getByRole('button', { name: 'Settings' }).click();
    const choice = agent.getByRole('switch', { name: 'Start my video when I join' });
    expect(await choice.isChecked()).toBe(false);
    await choice.click();
    expect(await choice.isChecked()).toBe(true);
    // This session had already started: its video stays off.
    expect(await agent.getByRole('button', { name: 'Video', exact: true }).getAttribute('aria-pressed')).toBe('false');

    // The next session, in a console of the same browser: the customer sees the agent without any click on Video.
    const visitor = await newPage();
    const code = await visitorStarts(visitor);
    const ticket = await consoleTicket(suite.server, await devToken(suite.server, 'Ana Agent'), code);
    const next = await agent.context().newPage();
    await next.goto(`${suite.server.baseUrl}/console#ticket=${encodeURIComponent(ticket)}`);
    await expectRising(visitor, next);
    await expectRising(next, visitor);
    const video = next.getByRole('button', { name: 'Video', exact: true });
    expect(await video.getAttribute('aria-pressed')).toBe('true');
    await next.getByText('Shared with everyone').waitFor();
    // Video still turns it off.
    await video.click();
    await expectStopped(visitor, next);

    // Switched off again: the session after that starts with the agent's video off.
    await next.getByRole('button', { name: 'Settings' }).click();
    await next.getByRole('switch', { name: 'Start my video when I join' }).click();
    const third = await newPage();
    const thirdTicket = await consoleTicket(
      suite.server,
      await devToken(suite.server, 'Ana Agent'),
      await visitorStarts(third),
    );
    const last = await agent.context().newPage();
    await last.goto(`${suite.server.baseUrl}/console#ticket=${encodeURIComponent(thirdTicket)}`);
    await expectRising(last, third);
    expect(await last.getByRole('button', { name: 'Video', exact: true }).getAttribute('aria-pressed')).toBe('false');
    expect(await expectStopped(third, last)).toBe(0);
  });
});

describe('opening', () => {
  it('joins while its own script is still loading (its first script sends agent.join), then takes the call over', async () => {
    const visitor = await newPage();
    const code = await visitorStarts(visitor);
    const ticket = await consoleTicket(suite.server, await devToken(suite.server, 'Ana Agent'), code);
    const agent = await newPage();
    // The first script is written into the page: the page's policy must let it run (by its hash).
    const refusedByPolicy: string[] = [];
    agent.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) refusedByPolicy.push(m.text());
    });
    // Every camera the page asks for, and whether it came up.
    await agent.addInitScript(`(() => {
      const devices = navigator.mediaDevices;
      const getUserMedia = devices.getUserMedia.bind(devices);
      window.__cameraRequests = [];
      devices.getUserMedia = (constraints) => {
        const request = { video: !!(constraints && constraints.video), live: false };
        window.__cameraRequests.push(request);
        return getUserMedia(constraints).then((stream) => {
          request.live = stream.getVideoTracks().some((track) => track.readyState === 'live');
          return stream;
        });
      };
    })()`);
    const cameraRequests = () =>
      agent.evaluate(() => (window as unknown as { __cameraRequests: unknown[] }).__cameraRequests);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await agent.route('**/console/console.js', async (route) => {
      await held;
      await route.continue();
    });
    await agent.goto(`${suite.server.baseUrl}/console#ticket=${encodeURIComponent(ticket)}`, { waitUntil: 'commit' });
    // The customer's widget says the agent is here while the console's own script has not even arrived.
    await visitor.getByText(/Connected to .*Ana Agent/).waitFor();
    expect(await agent.getByRole('button', { name: 'Add Guest' }).count()).toBe(0);
    // The first script has started the camera too, which the console's side of the call waits for.
    await eventually(
      cameraRequests,
      (requests) => JSON.stringify(requests) === JSON.stringify([{ video: true, live: true }]),
      'the camera opened by the first script',
    );
    release();
    // The console takes over the socket and everything said on it meanwhile: the call comes up (the agent's own
    // video starts off) and the session is the console's to run.
    await agent.getByRole('button', { name: 'Add Guest' }).waitFor();
    await expectRising(agent, visitor);
    await agent.getByRole('button', { name: 'Video', exact: true }).click();
    await expectRising(visitor, agent);
    // The console sent the camera its first script opened: it never asked for another.
    expect(await cameraRequests()).toEqual([{ video: true, live: true }]);
    expect(refusedByPolicy).toEqual([]);
  });
});

describe('customer info, settings and END', () => {
  it('shows the customer\u2019s device and live diagnostics, files a problem report, and locks the camera', async () => {
    const visitor = await newPage();
    const code = await visitorStarts(visitor);
    const agent = await consoleFor(code);
    await expectRising(agent, visitor);

    await agent.getByRole('button', { name: 'Customer Info' }).click();
    expect(await agent.getByTestId('info-code').textContent()).toBe(code);
    await eventually(
      () => agent.getByTestId('info-os').textContent(),
      (v) => /Linux/.test(v ?? ''),
      'the OS',
    );
    expect(await agent.getByTestId('info-browser').textContent()).toMatch(/Chrom/);
    expect(await agent.getByTestId('info-browser-version').textContent()).toMatch(/^\d+(\.\d+)*$/);

    const row = agent.locator('table.diagnostics tbody tr').filter({ hasText: 'customer' });
    await eventually(
      () => row.locator('[data-metric="in"]').textContent(),
      (v) => /^\d+ kbps$/.test(v ?? ''),
      'inbound bitrate',
      15_000,
    );
    expect(await row.locator('[data-metric="rtt"]').textContent()).toMatch(/^\d+ ms$/);
    expect(await row.locator('[data-metric="out"]').textContent()).toMatch(/^\d+ kbps$/);
    expect(await row.locator('[data-metric="loss"]').textContent()).toMatch(/^\d+\.\d %$/);
    expect(await row.locator('[data-metric="resolution"]').textContent()).toMatch(/^\d+×\d+$/);
    await expectNoAxeViolations(agent);

    await agent.getByLabel('What went wrong?').fill('The customer\u2019s picture froze twice.');
    await agent.getByRole('button', { name: 'Send report' }).click();
    const reference = (await agent.getByTestId('problem-reference').textContent({ timeout: 10_000 })) ?? '';
    expect(reference).toMatch(/^TP-[0-9A-F]+$/);
    const stored = await suite.server.store.getProblemReport(reference);
    expect(stored?.description).toBe('The customer\u2019s picture froze twice.');
    expect(stored?.diagnostics).toMatchObject({ sessionCode: code, 'peer1.role': 'customer' });

    await agent.getByRole('button', { name: 'Settings' }).click();
    expect(await agent.getByLabel('Webcam').isDisabled()).toBe(true);
    await agent.getByText('The session has started, so the camera can no longer be changed').waitFor();
    await expectNoAxeViolations(agent);

    await agent.getByRole('button', { name: 'Add Guest' }).click();
    await eventually(
      () => agent.getByLabel('Guest link').inputValue(),
      (v) => v.includes('/guest#invite='),
      'a guest link',
    );
    await agent.getByRole('button', { name: 'Copy' }).click();
    await agent.getByText(/Link copied|The link is selected/).waitFor();
    await expectNoAxeViolations(agent);
  });

  it('END from a console opened by the join page ends the session for the customer and closes the window', async () => {
    const visitor = await newPage();
    const code = await visitorStarts(visitor);
    const joinPage = await newPage();
    await joinPage.goto(`${suite.server.baseUrl}/join`);
    await expectNoAxeViolations(joinPage);
    await joinPage.getByLabel('Your name').fill('Ana Agent');
    await joinPage.getByRole('button', { name: 'Sign in (development)' }).click();
    await joinPage.getByLabel('Session key from the visitor').fill(code);
    await expectNoAxeViolations(joinPage);
    const [agent] = await Promise.all([
      joinPage.context().waitForEvent('page'),
      joinPage.getByRole('button', { name: 'Join', exact: true }).click(),
    ]);
    await agent.waitForURL(/\/console$/);
    await expectRising(agent, visitor);
    await expectNoAxeViolations(agent);

    const closed = agent.waitForEvent('close');
    await agent.getByRole('button', { name: 'END' }).click();
    await closed;
    await visitor.getByText(/ended/i).first().waitFor({ timeout: 5000 });
  });

  it('explains a console opened without a session', async () => {
    const page = await newPage();
    await page.goto(`${suite.server.baseUrl}/console`);
    await page.getByRole('heading', { name: 'No session to join' }).waitFor();
    await expectNoAxeViolations(page);
  });
});

describe('the service\u2019s own pages', () => {
  it('refuse markup written as plain strings (Trusted Types): an injected string can never become script there', async () => {
    const page = await newPage();
    for (const path of ['/console', '/join', '/guest']) {
      await page.goto(`${suite.server.baseUrl}${path}`);
      const refused = await page.evaluate(() => {
        const attempts: Record<string, () => void> = {
          innerHTML: () => (document.createElement('div').innerHTML = '<img src=x onerror=alert(1)>'),
          'script src': () => (document.createElement('script').src = 'https://attacker.example/x.js'),
          'iframe srcdoc': () => (document.createElement('iframe').srcdoc = '<script>alert(1)</script>'),
        };
        return Object.entries(attempts).map(([what, attempt]) => {
          try {
            attempt();
            return `${what}: allowed`;
          } catch (err) {
            return `${what}: ${(err as Error).name}`;
          }
        });
      });
      expect({ path, refused }).toEqual({
        path,
        refused: ['innerHTML: TypeError', 'script src: TypeError', 'iframe srcdoc: TypeError'],
      });
    }
  });
});
