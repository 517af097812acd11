import type { Page } from 'playwright-core';
import type { ServedFiles } from '../helpers/appFixtures';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';
import { startLwcSite, type ShadowMode } from '../helpers/lwcSite';
import { decodePageStream, recordSentFrames } from '../helpers/pageStream';
import { people, remoteControlOn, visitorStartsHere } from '../helpers/people';

/* The product's customers run their portals on Salesforce's Experience Cloud, built with Lightning Web Components:
 * a real LWC app (compiled from the npm packages, test/helpers/lwcSite.ts) with a component nested in another, in
 * each shadow mode. Real Chromium, the real service; the site on its own origin with the widget. The live view shows
 * the components, with their scoped style; the customer's typing reaches it; the agent's typing under remote control
 * reaches the components' own state, where the agent put the caret or selected a word; a component marked private
 * stays private. */

jest.setTimeout(120_000);

const suite = e2eSuite();
const { consoleFor } = people(suite);

const sites = new Map<ShadowMode, ServedFiles>();
afterAll(async () => {
  for (const site of sites.values()) await site.stop();
});

const liveView = (agent: Page) => agent.frameLocator('[data-testid="live-view"] iframe');

describe.each<ShadowMode>(['native', 'synthetic'])('a customer\u2019s LWC site, %s shadow', (mode) => {
  it('the agent sees the components, follows the customer\u2019s typing, types and clicks in them, and not in a private one', async () => {
    const site = await startLwcSite(mode, suite.server.baseUrl);
    sites.set(mode, site);
    const customer = await suite.newPage();
    const frames = recordSentFrames(customer);
    await customer.goto(site.url);
    await customer.locator('x-claim-form h1').waitFor();
    expect(
      await customer.evaluate(() => {
        const root = document.querySelector('x-claim-form')?.shadowRoot as (ShadowRoot & { synthetic?: true }) | null;
        return root ? (root.synthetic ? 'synthetic' : 'native') : 'none';
      }),
    ).toBe(mode);

    const agent = await consoleFor(await visitorStartsHere(customer, 15_000));
    const view = liveView(agent);
    await view.getByRole('heading', { name: 'Your claim' }).waitFor({ timeout: 20_000 });
    // The component's own style (scoped by LWC) is rebuilt in the view.
    expect(await view.locator('x-claim-form h1').evaluate((h1) => getComputedStyle(h1).color)).toBe('rgb(0, 112, 210)');

    // The customer types into the nested component: the view follows, the form's state changes.
    await customer.locator('x-entry-field.policy input').pressSequentially('PN-4471');
    await eventually(
      () => view.locator('x-entry-field.policy input').inputValue(),
      (v) => v === 'PN-4471',
      'the customer\u2019s typing in the live view',
    );
    await eventually(
      () => view.locator('x-claim-form .policy-echo').textContent(),
      (t) => t === 'Policy: PN-4471',
      'the form\u2019s state in the live view',
    );

    // The agent types into both components; the components' state on the customer's page follows.
    await remoteControlOn(agent, customer);
    await view.locator('x-entry-field.policy input').click();
    await agent.keyboard.press('End');
    await agent.keyboard.type('-B');
    await view.locator('x-claim-form input.claimant').click();
    await agent.keyboard.type('Maya Jensen');
    await agent.keyboard.press('Tab');
    await eventually(
      () =>
        Promise.all([
          customer.locator('x-claim-form .policy-echo').textContent(),
          customer.locator('x-claim-form .claimant-echo').textContent(),
        ]),
      ([policy, claimant]) => policy === 'Policy: PN-4471-B' && claimant === 'Claim for: Maya Jensen',
      'the components\u2019 state on the customer\u2019s page, typed by the agent',
    );
    // The agent's click on a component's button runs the component's own handler.
    await view.getByRole('button', { name: 'Add a witness' }).click();
    await view.getByRole('button', { name: 'Add a witness' }).click();
    await eventually(
      () => customer.locator('x-claim-form .witnesses').textContent(),
      (t) => t === 'Witnesses: 2',
      'the component\u2019s handler run by the agent\u2019s clicks',
    );
    // A word the agent selects in a component's field is what their typing replaces (the view's document sees the
    // component's host as focused; the field is inside its shadow root).
    await view.locator('x-claim-form input.claimant').dblclick({ position: { x: 8, y: 8 } });
    await agent.keyboard.type('Lia');
    await agent.keyboard.press('Tab');
    await eventually(
      () => customer.locator('x-claim-form .claimant-echo').textContent(),
      (t) => t === 'Claim for: Lia Jensen',
      'the agent\u2019s selected word replaced on the customer\u2019s page',
    );

    // The component marked private: its field and text are masked, and the agent can't type into it.
    await customer.locator('x-entry-field.card input').pressSequentially('4929 1180');
    await eventually(
      () => view.locator('x-entry-field.card .typed').textContent(),
      (t) => t === '\u2022\u2022\u2022\u2022 \u2022\u2022\u2022\u2022',
      'the private component\u2019s text in the live view, masked',
    );
    await view.locator('x-entry-field.card input').fill('1111');
    await agent.getByTestId('live-view-status').filter({ hasText: 'That field is private' }).waitFor();
    expect(await customer.locator('x-entry-field.card input').inputValue()).toBe('4929 1180');
    const { text } = decodePageStream(frames);
    expect(text).toContain('PN-4471');
    expect(text).not.toContain('4929 1180');
    expect(frames.some((f) => f.includes('4929 1180'))).toBe(false);
  });
});
