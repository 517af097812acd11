import type { Browser, Page } from 'playwright-core';
import { expectHearing } from '../helpers/audio';
import { expectNoAxeViolations } from '../helpers/axe';
import { launchBrowser } from '../helpers/browser';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';
import { admit, guestCode, guestLink } from '../helpers/guestSteps';
import { people, visitorStartsHere } from '../helpers/people';
import { consoleTicket, devToken } from '../helpers/testServer';
import { expectRising, framesFrom } from '../helpers/video';

/* A customer (or a guest) without a camera still gets help. In real Chromium: a customer whose browser has no camera at all
 * (Chromium's fake devices with none: getUserMedia for video fails with NotFoundError, the microphone works), and a
 * customer who blocked the camera and the microphone (the browser denies both). Each goes on without a camera from
 * the camera alert, in the code flow and in 1-click connect; the agent then hears them (when there is a microphone),
 * they see and hear the agent, the agent sees their page, and both sides say that the customer has no camera. */

jest.setTimeout(180_000);

const suite = e2eSuite();
const { newPage } = suite;
const { consoleFor, agentJoinsOnline, customerSignsIn } = people(suite);

let noCamera: Browser;
let everythingBlocked: Browser;

beforeAll(async () => {
  noCamera = await launchBrowser('allow', { cameras: 0 });
  everythingBlocked = await launchBrowser('deny');
});
afterAll(async () => {
  await noCamera?.close();
  await everythingBlocked?.close();
});

const customerTile = (agent: Page) => agent.locator('.tile[data-role="visitor"] .tile-state');
const liveView = (agent: Page) => agent.frameLocator('[data-testid="live-view"] iframe');

/** The agent turns their camera on (it starts off). */
const agentVideoOn = (agent: Page) => agent.getByRole('button', { name: 'Video', exact: true }).click();

/** What the customer's widget says about their own camera during the call. */
async function expectWithoutCameraShown(customer: Page, text: RegExp): Promise<void> {
  await customer.getByTestId('camera-off-alert').filter({ hasText: 'You are in the call without a camera' }).waitFor();
  expect(await customer.getByTestId('camera-off-alert').textContent()).toMatch(text);
  const toggle = customer.getByRole('button', { name: 'No camera' });
  expect(await toggle.isDisabled()).toBe(true);
}

/** The agent's console shows the customer's page and the customer as having their camera off. */
async function expectAgentSeesPageNotCamera(agent: Page, customer: Page): Promise<void> {
  await liveView(agent).getByRole('heading', { name: 'Your policies' }).waitFor({ timeout: 20_000 });
  await eventually(
    () => customerTile(agent).textContent(),
    (t) => /camera off/i.test(t ?? ''),
    'customer camera off',
  );
  expect(await framesFrom(agent, customer)).toBe(0);
}

describe('a customer without a camera', () => {
  it('with no camera in their computer: goes on with the microphone, gets a code, and the call works', async () => {
    const customer = await newPage({ browser: noCamera });
    await customer.goto(`${suite.server.baseUrl}/`);
    await customer.getByRole('button', { name: 'Start video session' }).click();
    await customer.getByRole('button', { name: 'Enable camera' }).click();
    await customer.getByText('No camera was found').waitFor();
    await customer.getByRole('button', { name: 'Continue without camera' }).click();
    const code = ((await customer.getByTestId('session-code').textContent()) ?? '').replace(/\s+/g, '');
    await expectWithoutCameraShown(customer, /can hear you, but not see you/);

    const agent = await consoleFor(code);
    await agentVideoOn(agent);
    await expectRising({ name: 'the customer', page: customer }, { name: 'the agent', page: agent });
    await expectHearing({ name: 'the agent', page: agent }, { name: 'the customer', page: customer });
    await expectHearing({ name: 'the customer', page: customer }, { name: 'the agent', page: agent });
    await expectAgentSeesPageNotCamera(agent, customer);
    await expectNoAxeViolations(customer);
  });

  it('who blocked camera and microphone: accepts an invitation without them, and sees and hears the agent', async () => {
    const customer = await newPage({ browser: everythingBlocked });
    await customerSignsIn(customer, 'Maya Jensen');
    const agent = await agentJoinsOnline('Maya Jensen');

    await customer.getByRole('button', { name: 'Accept', exact: true }).click();
    await customer.getByTestId('camera-blocked-alert').waitFor();
    await customer.getByRole('button', { name: 'Accept without camera' }).click();
    await expectWithoutCameraShown(customer, /can.t see or hear you/);
    await agentVideoOn(agent);

    await expectRising({ name: 'the customer', page: customer }, { name: 'the agent', page: agent });
    await expectHearing({ name: 'the customer', page: customer }, { name: 'the agent', page: agent });
    await expectAgentSeesPageNotCamera(agent, customer);
  });
});

describe('a guest without a camera', () => {
  it('joins with the microphone: everyone hears them, and they see and hear everyone', async () => {
    const customer = await newPage();
    await customer.goto(`${suite.server.baseUrl}/`);
    const agent = await consoleFor(await visitorStartsHere(customer));
    await agentVideoOn(agent);

    const guest = await newPage({ browser: noCamera });
    await guest.goto(await guestLink(agent, suite.server.baseUrl));
    await guest.getByText('the others will hear you but not see you').waitFor();
    await guest.getByLabel('Your name').fill('Gil Guest');
    await guest.getByRole('button', { name: 'Join', exact: true }).click();
    await admit(agent, await guestCode(guest));

    await expectHearing({ name: 'the agent', page: agent }, { name: 'the guest', page: guest });
    await expectHearing({ name: 'the customer', page: customer }, { name: 'the guest', page: guest });
    await expectRising({ name: 'the guest', page: guest }, { name: 'the agent', page: agent });
    await expectRising({ name: 'the guest', page: guest }, { name: 'the customer', page: customer });
    await eventually(
      () => agent.locator('.tile[data-role="guest"] .tile-state').textContent(),
      (t) => /camera off/i.test(t ?? ''),
      'the guest shown with their camera off',
    );
  });
});

describe('an agent without a camera', () => {
  it('who blocked camera and microphone: is told why, and still sees and hears the customer', async () => {
    const customer = await newPage();
    await customer.goto(`${suite.server.baseUrl}/`);
    const code = await visitorStartsHere(customer);
    const ticket = await consoleTicket(suite.server, await devToken(suite.server, 'Ana Agent'), code);
    const agent = await newPage({ browser: everythingBlocked });
    await agent.goto(`${suite.server.baseUrl}/console#ticket=${encodeURIComponent(ticket)}`);
    // The cause comes from the console's first script, built apart from the console's own (a CameraError of its own).
    await eventually(
      () => agent.locator('#alert').textContent(),
      (t) => (t ?? '').startsWith('Your browser is blocking the camera.'),
      'the console saying why the camera is off',
    );

    await expectRising({ name: 'the agent', page: agent }, { name: 'the customer', page: customer });
    // A page that captures nothing gets sound once the person has touched it (the browser's autoplay rule): the
    // agent's first click anywhere, here on a panel of the console.
    await agent.getByRole('button', { name: 'Customer Info' }).click();
    await expectHearing({ name: 'the agent', page: agent }, { name: 'the customer', page: customer });
  });
});
