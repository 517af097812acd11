import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectFramesRising, launchBrowser, newContext, videoWidth } from '../helpers/browser';
import { startServer, type RunningServer } from '../helpers/testServer';

jest.setTimeout(90_000);

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser('allow');
});
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function page(b: Browser = browser): Promise<Page> {
  const context = await newContext(b);
  contexts.push(context);
  return context.newPage();
}

/** The visitor opens the demo portal, starts a session, enables the camera and reads the code. */
async function visitorStarts(visitor: Page): Promise<string> {
  await visitor.goto(`${server.baseUrl}/`);
  await visitor.getByRole('button', { name: 'Start video session' }).click();
  await visitor.getByRole('button', { name: 'Enable camera' }).click();
  const code = await visitor.getByTestId('session-code').textContent({ timeout: 10_000 });
  return (code ?? '').replace(/\s+/g, '');
}

async function agentSignsIn(agent: Page): Promise<void> {
  await agent.goto(`${server.baseUrl}/join`);
  await agent.getByLabel('Your name').fill('Ana Agent');
  await agent.getByRole('button', { name: 'Sign in (development)' }).click();
  await agent.getByLabel('Session key from the visitor').waitFor();
}

describe('join with key, in real browsers', () => {
  it('connects visitor and agent with video decoded both ways, and END ends it on both sides', async () => {
    const visitor = await page();
    const code = await visitorStarts(visitor);
    expect(code).toMatch(/^\d{6}$/);

    const agent = await page();
    await agentSignsIn(agent);
    await agent.getByLabel('Session key from the visitor').fill(code);
    const [consolePage] = await Promise.all([
      agent.context().waitForEvent('page'),
      agent.getByRole('button', { name: 'Join' }).click(),
    ]);
    await consolePage.waitForURL(/\/console$/);
    // The agent's camera starts off; the agent turns it on so the visitor has frames to decode too.
    await consolePage.getByRole('button', { name: 'Video', exact: true }).click();

    const atAgent = await expectFramesRising(consolePage);
    const atVisitor = await expectFramesRising(visitor);
    expect(atAgent.later).toBeGreaterThan(atAgent.first);
    expect(atVisitor.later).toBeGreaterThan(atVisitor.first);
    expect(await videoWidth(consolePage, '#remote video')).toBeGreaterThan(0);
    expect(await videoWidth(visitor, 'video[data-remote]')).toBeGreaterThan(0);
    await visitor.getByRole('status').filter({ hasText: 'Connected to Ana Agent' }).waitFor();

    const closed = consolePage.waitForEvent('close');
    await consolePage.getByRole('button', { name: 'END' }).click();
    await closed;
    await visitor.getByText('The session has ended.').waitFor({ timeout: 5000 });
    expect(await visitor.locator('video').count()).toBe(0);
  });

  it('tells the agent when a key is wrong, and when it is malformed', async () => {
    const agent = await page();
    await agentSignsIn(agent);
    await agent.getByLabel('Session key from the visitor').fill('12');
    await agent.getByRole('button', { name: 'Join' }).click();
    await agent.getByRole('alert').filter({ hasText: 'The key is 6 digits.' }).waitFor();
    await agent.getByLabel('Session key from the visitor').fill('000001');
    await agent.getByRole('button', { name: 'Join' }).click();
    await agent.getByRole('alert').filter({ hasText: 'No session has that key' }).waitFor();
    expect(agent.context().pages()).toHaveLength(1);
  });
});

describe('camera refused', () => {
  it('explains how to allow the camera when the browser blocks it', async () => {
    const denying = await launchBrowser('deny');
    try {
      const visitor = await page(denying);
      await visitor.goto(`${server.baseUrl}/`);
      await visitor.getByRole('button', { name: 'Start video session' }).click();
      await visitor.getByRole('button', { name: 'Enable camera' }).click();
      await visitor.getByRole('alert').filter({ hasText: 'blocking the camera' }).waitFor({ timeout: 10_000 });
      expect(await visitor.getByTestId('session-code').count()).toBe(0);
    } finally {
      await denying.close();
    }
  });
});
