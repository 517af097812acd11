import type { Browser } from 'playwright-core';
import { expectHearing } from '../helpers/audio';
import { expectFramesRising, launchBrowser, slowCameras, videoWidth } from '../helpers/browser';
import { e2eSuite } from '../helpers/e2eSuite';
import { people } from '../helpers/people';

jest.setTimeout(90_000);

const suite = e2eSuite();
const { visitorStarts, agentSignsIn } = people(suite);
const page = (browser?: Browser) => suite.newPage({ browser });

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
    // The join page says where the session went (the console window may be behind it).
    await agent
      .getByRole('status')
      .filter({ hasText: `Session ${code} is in your console window.` })
      .waitFor();
    // They hear each other from the start: the agent's microphone is on while their camera is still off.
    await expectHearing({ name: 'the console', page: consolePage }, { name: 'the visitor', page: visitor });
    await expectHearing({ name: 'the visitor', page: visitor }, { name: 'the console', page: consolePage });
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
    // The console told the join page before it closed.
    await agent
      .getByRole('status')
      .filter({ hasText: `Session ${code} has ended.` })
      .waitFor();
  });

  it('lets the agent see and hear the customer while their own camera is still starting, and sends it once open', async () => {
    const visitor = await page();
    const code = await visitorStarts(visitor);
    const agent = await page();
    await agentSignsIn(agent);
    // A slow webcam: the console's camera and microphone take 8 s to open.
    await slowCameras(agent.context(), 8000);
    await agent.getByLabel('Session key from the visitor').fill(code);
    const [consolePage] = await Promise.all([
      agent.context().waitForEvent('page'),
      agent.getByRole('button', { name: 'Join' }).click(),
    ]);
    const cameraOpen = () => consolePage.evaluate(() => '__camera' in window);

    // The call is up before the agent's camera is: they see and hear the customer, and their own tile and the
    // Video switch say that the camera is starting.
    const atAgent = await expectFramesRising(consolePage);
    expect(atAgent.later).toBeGreaterThan(atAgent.first);
    await expectHearing({ name: 'the console', page: consolePage }, { name: 'the visitor', page: visitor });
    await consolePage.locator('#self').getByText('Your camera is starting…').waitFor();
    const videoSwitch = consolePage.getByRole('button', { name: 'Video', exact: true });
    expect(await videoSwitch.isDisabled()).toBe(true);
    expect(await cameraOpen()).toBe(false);
    const connections = await visitor.evaluate(() => (window as unknown as { __pcs: unknown[] }).__pcs.length);

    // Once it is open, the customer hears the agent and, with Video on, sees them, on the same connection.
    await consolePage.waitForFunction(() => '__camera' in window, undefined, { timeout: 15_000 });
    await expectHearing({ name: 'the visitor', page: visitor }, { name: 'the console', page: consolePage });
    await videoSwitch.click();
    const atVisitor = await expectFramesRising(visitor);
    expect(atVisitor.later).toBeGreaterThan(atVisitor.first);
    await consolePage.locator('#self').getByText('Shared with everyone').waitFor();
    expect(await visitor.evaluate(() => (window as unknown as { __pcs: unknown[] }).__pcs.length)).toBe(connections);
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
    expect(await agent.locator('#join-status').textContent()).toBe('');
  });
});

describe('camera refused', () => {
  it('lets an agent whose camera and microphone are blocked still see and hear the customer', async () => {
    const denying = await launchBrowser('deny');
    try {
      const visitor = await page();
      const code = await visitorStarts(visitor);
      const agent = await page(denying);
      await agentSignsIn(agent);
      await agent.getByLabel('Session key from the visitor').fill(code);
      const [consolePage] = await Promise.all([
        agent.context().waitForEvent('page'),
        agent.getByRole('button', { name: 'Join' }).click(),
      ]);
      await consolePage.getByRole('alert').filter({ hasText: 'You can still see and hear the others.' }).waitFor();
      await expectFramesRising(consolePage);
      // Nothing captured in the console window and no click in it: its sound must play all the same.
      await expectHearing({ name: 'the console', page: consolePage }, { name: 'the visitor', page: visitor });
    } finally {
      await denying.close();
    }
  });

  it('explains how to allow the camera when the browser blocks it', async () => {
    const denying = await launchBrowser('deny');
    try {
      const visitor = await page(denying);
      await visitor.goto(`${suite.server.baseUrl}/`);
      await visitor.getByRole('button', { name: 'Start video session' }).click();
      await visitor.getByRole('button', { name: 'Enable camera' }).click();
      await visitor.getByRole('alert').filter({ hasText: 'blocking the camera' }).waitFor({ timeout: 10_000 });
      expect(await visitor.getByTestId('session-code').count()).toBe(0);
    } finally {
      await denying.close();
    }
  });
});
