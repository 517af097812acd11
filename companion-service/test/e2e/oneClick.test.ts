import type { Browser, Page } from 'playwright-core';
import { expectHearing } from '../helpers/audio';
import { expectNoAxeViolations } from '../helpers/axe';
import { expectFramesRising, launchBrowser } from '../helpers/browser';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';
import { people } from '../helpers/people';
import { TestClient } from '../helpers/wsClient';

/* 1-click connect from the agent join page, in real Chromium: the demo portal's customers with live presence, the
 * orange Join (enabled only while the customer is online) opening the console, the customer's answer to the terms
 * on the portal (the real widget), a decline shown to the agent, and the camera choice before the session. */

jest.setTimeout(180_000);

const suite = e2eSuite();
const { newPage } = suite;
const { agentSignsIn, customerSignsIn: signsIn } = people(suite);
/** The agent's browser has several fake cameras, to choose one before the session. (Chromium's second fake camera
 * is a depth camera that WebRTC can't encode; the third is an ordinary one.) */
let agentBrowser: Browser;

beforeAll(async () => {
  agentBrowser = await launchBrowser('allow', { cameras: 3 });
});
afterAll(async () => {
  await agentBrowser?.close();
});

// --- people ------------------------------------------------------------------------------------------------------

/** The agent signs in on the join page and opens the demo customers tab. */
async function agentOnCustomers(): Promise<Page> {
  const join = await newPage({ browser: agentBrowser });
  await agentSignsIn(join);
  await join.getByRole('tab', { name: 'Customers on the demo portal' }).click();
  await join.locator('#customer-list li').first().waitFor();
  return join;
}

/** A customer signs in on the demo portal; the widget goes online for 1-click connect. */
async function customerSignsIn(name: string): Promise<Page> {
  const portal = await newPage();
  await signsIn(portal, name);
  return portal;
}

const presenceOf = (join: Page, name: string) =>
  join.locator('#customer-list li').filter({ hasText: name }).locator('.presence');
const joinButton = (join: Page, name: string) => join.getByRole('button', { name: `Join ${name}` });

describe('1-click connect from the join page', () => {
  it('shows who is online; a decline on the portal is shown in the console and on the join page', async () => {
    const join = await agentOnCustomers();
    await eventually(
      () => presenceOf(join, 'Maya Jensen').textContent(),
      (t) => t === 'Offline',
      'Maya offline',
    );
    expect(await joinButton(join, 'Maya Jensen').isDisabled()).toBe(true);

    const portal = await customerSignsIn('Maya Jensen');
    await eventually(
      () => presenceOf(join, 'Maya Jensen').textContent(),
      (t) => t === 'Online',
      'Maya online',
    );
    expect(await joinButton(join, 'Maya Jensen').isEnabled()).toBe(true);
    expect(await presenceOf(join, 'Omar Haddad').textContent()).toBe('Offline');
    expect(await joinButton(join, 'Omar Haddad').isDisabled()).toBe(true);
    await expectNoAxeViolations(join);

    const [agent] = await Promise.all([join.context().waitForEvent('page'), joinButton(join, 'Maya Jensen').click()]);
    await agent.waitForURL(/\/console$/);
    await agent.getByRole('status').filter({ hasText: 'Waiting for the customer to accept the invitation' }).waitFor();

    await portal.getByRole('button', { name: 'Decline' }).click();
    await agent.getByRole('heading', { name: 'The customer declined' }).waitFor();
    await agent.getByText('The customer declined the invitation. The session did not start.').waitFor();
    expect(agent.isClosed()).toBe(false);
    await expectNoAxeViolations(agent);
    await join.getByText('Maya Jensen declined the invitation.').waitFor();
  });

  it('lets the agent choose a camera while waiting; after the customer accepts, video flows and the choice locks', async () => {
    const join = await agentOnCustomers();
    const portal = await customerSignsIn('Omar Haddad');
    await eventually(
      () => presenceOf(join, 'Omar Haddad').textContent(),
      (t) => t === 'Online',
      'Omar online',
    );
    const [agent] = await Promise.all([join.context().waitForEvent('page'), joinButton(join, 'Omar Haddad').click()]);
    await agent.getByRole('status').filter({ hasText: 'Waiting for the customer to accept the invitation' }).waitFor();

    await agent.getByRole('button', { name: 'Settings' }).click();
    const webcam = agent.getByLabel('Webcam');
    await eventually(
      () => webcam.isEnabled(),
      (v) => v,
      'the webcam choice usable before the session',
    );
    expect(await webcam.locator('option').count()).toBe(3);
    await webcam.selectOption({ label: 'fake_device_2' });
    await eventually(
      () =>
        agent
          .locator('#self video')
          .evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream | null)?.getVideoTracks()[0]?.label ?? ''),
      (label) => label === 'fake_device_2',
      'the preview from the chosen camera',
    );
    await expectNoAxeViolations(agent);

    await portal.getByRole('button', { name: 'Accept' }).click();
    await expectFramesRising(agent);
    // Both are heard from the start, the agent with their camera still off.
    await expectHearing({ name: 'the console', page: agent }, { name: 'the customer', page: portal });
    await expectHearing({ name: 'the customer', page: portal }, { name: 'the console', page: agent });
    await agent.getByRole('button', { name: 'Video', exact: true }).click();
    await expectFramesRising(portal);
    await eventually(
      () => webcam.isDisabled(),
      (v) => v,
      'the webcam choice locked once the session started',
    );
    await agent.getByText('The session has started, so the camera can no longer be changed').waitFor();

    const closed = agent.waitForEvent('close');
    await agent.getByRole('button', { name: 'END' }).click();
    await closed;
    await join.getByText('Your session with Omar Haddad has ended.').waitFor();
  });

  it('an acceptance the service refuses (the terms changed since they were shown) ends on a notice, the camera off and the customer online again', async () => {
    const join = await agentOnCustomers();
    const portal = await newPage();
    // Every camera stream the page opens, to see it stopped afterwards.
    await portal.addInitScript(() => {
      const streams: MediaStream[] = [];
      (window as unknown as { __streams: MediaStream[] }).__streams = streams;
      const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (c) => {
        const stream = await open(c);
        streams.push(stream);
        return stream;
      };
    });
    // The acceptance leaves with a hash of other terms than the service's: as if they changed since the prompt.
    await portal.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        const text = String(m);
        server.send(
          text.includes('"terms.accept"')
            ? text.replace(/"termsHash":"[0-9a-f]+"/, `"termsHash":"${'0'.repeat(64)}"`)
            : text,
        );
      });
      server.onMessage((m) => ws.send(m));
    });
    await signsIn(portal, 'Lucia Ferreira');
    await eventually(
      () => presenceOf(join, 'Lucia Ferreira').textContent(),
      (t) => t === 'Online',
      'Lucia online',
    );
    const [agent] = await Promise.all([
      join.context().waitForEvent('page'),
      joinButton(join, 'Lucia Ferreira').click(),
    ]);
    await agent.getByRole('status').filter({ hasText: 'Waiting for the customer to accept the invitation' }).waitFor();
    await portal.getByRole('button', { name: 'Accept' }).click();

    await portal.getByText('Call not started').waitFor();
    await portal.getByText('The terms have changed. Read the new terms and try again.').waitFor();
    expect(await portal.getByRole('button', { name: 'Hang up' }).count()).toBe(0);
    await eventually(
      () =>
        portal.evaluate(() =>
          (window as unknown as { __streams: MediaStream[] }).__streams
            .flatMap((stream) => stream.getTracks())
            .map((track) => track.readyState),
        ),
      (states) => states.length > 0 && states.every((state) => state === 'ended'),
      'the camera stopped',
    );
    // Presence goes on: the customer can be asked again once this invitation is over.
    expect(await presenceOf(join, 'Lucia Ferreira').textContent()).toBe('Online');
    await agent.close();
  });

  it('follows presence from any tab (a simulated visitor socket) and reports an offline customer', async () => {
    const join = await agentOnCustomers();
    const signIn = await fetch(`${suite.server.baseUrl}/api/demo/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: '003DEMO000000003' }),
    });
    const { token } = (await signIn.json()) as { token: string };
    const tab = await TestClient.connect(suite.server.wsUrl);
    tab.send({ type: 'visitor.hello', visitorToken: token });
    await tab.next('presence.registered');
    await eventually(
      () => presenceOf(join, 'Lucia Ferreira').textContent(),
      (t) => t === 'Online',
      'Lucia online',
    );

    tab.close();
    await eventually(
      () => presenceOf(join, 'Lucia Ferreira').textContent(),
      (t) => t === 'Offline',
      'Lucia offline',
    );
    expect(await joinButton(join, 'Lucia Ferreira').isDisabled()).toBe(true);

    // A click that races the customer going offline: the server says so, no console window stays open.
    await joinButton(join, 'Lucia Ferreira').evaluate((b) => ((b as HTMLButtonElement).disabled = false));
    await joinButton(join, 'Lucia Ferreira').click();
    await join.getByText('Lucia Ferreira is not online any more').waitFor();
    await eventually(
      async () =>
        join
          .context()
          .pages()
          .filter((p) => !p.isClosed()).length,
      (n) => n === 1,
      'the console window closed again',
    );
  });
});
