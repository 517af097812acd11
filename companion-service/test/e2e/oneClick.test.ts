import { readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath, launchBrowser, newContext } from '../helpers/browser';
import { startServer, type RunningServer } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';

/* 1-click connect from the agent join page, in real Chromium: the demo portal's customers with live presence, the
 * orange Join (enabled only while the customer is online) opening the console, the customer's answer to the terms
 * on the portal (the real widget), a decline shown to the agent, and the camera choice before the session. */

jest.setTimeout(180_000);

let server: RunningServer;
let browser: Browser;
/** The agent's browser has several fake cameras, to choose one before the session. (Chromium's second fake camera
 * is a depth camera that WebRTC can't encode; the third is an ordinary one.) */
let agentBrowser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser('allow');
  agentBrowser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--use-fake-device-for-media-stream=device-count=3', '--use-fake-ui-for-media-stream'],
  });
});
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});
afterAll(async () => {
  await agentBrowser?.close();
  await browser?.close();
  await server?.stop();
});

async function newPage(b: Browser = browser): Promise<Page> {
  const context = await newContext(b);
  contexts.push(context);
  return context.newPage();
}

async function eventually<T>(probe: () => Promise<T>, check: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function framesDecodedTotal(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [];
    let total = 0;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') total += s.framesDecoded ?? 0;
      });
    }
    return total;
  });
}

async function expectRising(page: Page): Promise<void> {
  const first = await eventually(() => framesDecodedTotal(page), (n) => n > 0, 'decoded frames', 20_000);
  await eventually(() => framesDecodedTotal(page), (n) => n > first, 'more decoded frames', 10_000);
}

async function expectNoAxeViolations(page: Page): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') }).catch(async () => {
      await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    });
  }
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(c: Document): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  });
  expect(violations).toEqual([]);
}

// --- people ------------------------------------------------------------------------------------------------------

/** The agent signs in on the join page and opens the demo customers tab. */
async function agentOnCustomers(): Promise<Page> {
  const join = await newPage(agentBrowser);
  await join.goto(`${server.baseUrl}/join`);
  await join.getByLabel('Your name').fill('Ana Agent');
  await join.getByRole('button', { name: 'Sign in (development)' }).click();
  await join.getByRole('tab', { name: 'Customers on the demo portal' }).click();
  await join.locator('#customer-list li').first().waitFor();
  return join;
}

/** A customer signs in on the demo portal; the widget goes online for 1-click connect. */
async function customerSignsIn(name: string): Promise<Page> {
  const portal = await newPage();
  await portal.goto(`${server.baseUrl}/`);
  await portal.getByLabel('Sign in as').selectOption({ label: name });
  await portal.getByRole('button', { name: 'Sign in', exact: true }).click();
  return portal;
}

const presenceOf = (join: Page, name: string) => join.locator('#customer-list li').filter({ hasText: name }).locator('.presence');
const joinButton = (join: Page, name: string) => join.getByRole('button', { name: `Join ${name}` });

describe('1-click connect from the join page', () => {
  it('shows who is online; a decline on the portal is shown in the console and on the join page', async () => {
    const join = await agentOnCustomers();
    await eventually(() => presenceOf(join, 'Maya Jensen').textContent(), (t) => t === 'Offline', 'Maya offline');
    expect(await joinButton(join, 'Maya Jensen').isDisabled()).toBe(true);

    const portal = await customerSignsIn('Maya Jensen');
    await eventually(() => presenceOf(join, 'Maya Jensen').textContent(), (t) => t === 'Online', 'Maya online');
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
    await eventually(() => presenceOf(join, 'Omar Haddad').textContent(), (t) => t === 'Online', 'Omar online');
    const [agent] = await Promise.all([join.context().waitForEvent('page'), joinButton(join, 'Omar Haddad').click()]);
    await agent.getByRole('status').filter({ hasText: 'Waiting for the customer to accept the invitation' }).waitFor();

    await agent.getByRole('button', { name: 'Settings' }).click();
    const webcam = agent.getByLabel('Webcam');
    await eventually(() => webcam.isEnabled(), (v) => v, 'the webcam choice usable before the session');
    expect(await webcam.locator('option').count()).toBe(3);
    await webcam.selectOption({ label: 'fake_device_2' });
    await eventually(
      () => agent.locator('#self video').evaluate((v) => ((v as HTMLVideoElement).srcObject as MediaStream | null)?.getVideoTracks()[0]?.label ?? ''),
      (label) => label === 'fake_device_2',
      'the preview from the chosen camera',
    );
    await expectNoAxeViolations(agent);

    await portal.getByRole('button', { name: 'Accept' }).click();
    await expectRising(agent);
    await agent.getByRole('button', { name: 'Video', exact: true }).click();
    await expectRising(portal);
    await eventually(() => webcam.isDisabled(), (v) => v, 'the webcam choice locked once the session started');
    await agent.getByText('The session has started, so the camera can no longer be changed').waitFor();

    const closed = agent.waitForEvent('close');
    await agent.getByRole('button', { name: 'END' }).click();
    await closed;
    await join.getByText('Your session with Omar Haddad has ended.').waitFor();
  });

  it('follows presence from any tab (a simulated visitor socket) and reports an offline customer', async () => {
    const join = await agentOnCustomers();
    const signIn = await fetch(`${server.baseUrl}/api/demo/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: '003DEMO000000003' }),
    });
    const { token } = (await signIn.json()) as { token: string };
    const tab = await TestClient.connect(server.wsUrl);
    tab.send({ type: 'visitor.hello', visitorToken: token });
    await tab.next('presence.registered');
    await eventually(() => presenceOf(join, 'Lucia Ferreira').textContent(), (t) => t === 'Online', 'Lucia online');

    tab.close();
    await eventually(() => presenceOf(join, 'Lucia Ferreira').textContent(), (t) => t === 'Offline', 'Lucia offline');
    expect(await joinButton(join, 'Lucia Ferreira').isDisabled()).toBe(true);

    // A click that races the customer going offline: the server says so, no console window stays open.
    await joinButton(join, 'Lucia Ferreira').evaluate((b) => ((b as HTMLButtonElement).disabled = false));
    await joinButton(join, 'Lucia Ferreira').click();
    await join.getByText('Lucia Ferreira is not online any more').waitFor();
    await eventually(async () => join.context().pages().filter((p) => !p.isClosed()).length, (n) => n === 1, 'the console window closed again');
  });
});
