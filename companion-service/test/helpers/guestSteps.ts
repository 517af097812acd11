import type { Page } from 'playwright-core';
import { eventually } from './eventually';

/* A guest's way into a call, in real pages: the link from the console's Add Guest panel, the guest asking with a
 * name (the code they read out), and the agent admitting them with it. */

/** The guest link from the console's Add Guest panel, pointed at `baseUrl` (the test server). */
export async function guestLink(agent: Page, baseUrl: string): Promise<string> {
  const panel = agent.locator('#panel-guests');
  if (await panel.isHidden()) await agent.getByRole('button', { name: 'Add Guest' }).click();
  const input = agent.getByLabel('Guest link');
  await eventually(
    () => input.inputValue(),
    (v) => /\/guest#invite=/.test(v ?? ''),
    'toMatch /\/guest#invite=/',
    10_000,
  );
  const url = new URL(await input.inputValue());
  return `${baseUrl}/guest${url.hash}`;
}

/** The guest opens the link, gives their name and asks to join; returns the code they would read out. */
export async function guestAsks(guest: Page, link: string, name: string): Promise<string> {
  await guest.goto(link);
  await guest.getByLabel('Your name').fill(name);
  await eventually(
    () => guest.getByLabel('Camera', { exact: true }).isEnabled(),
    (v) => v === true,
    'toBe true',
    10_000,
  );
  await guest.getByRole('button', { name: 'Join', exact: true }).click();
  return guestCode(guest);
}

/** The code on the guest's page once it has come, after the guest clicked Join. The code element is part of the page
 * from the start (on a hidden screen, empty): reading it as soon as it exists gave an empty code to admit. */
export async function guestCode(guest: Page): Promise<string> {
  await guest.getByTestId('guest-code').waitFor({ state: 'visible', timeout: 10_000 });
  return eventually(
    async () => ((await guest.getByTestId('guest-code').textContent()) ?? '').replace(/\s+/g, ''),
    (c) => /^\d{4,12}$/.test(c),
    'the guest code',
  );
}

/** The agent types the guest's code and admits them. */
export async function admit(agent: Page, code: string): Promise<void> {
  await agent.getByLabel('Code from the guest').fill(code);
  await agent.getByRole('button', { name: 'Admit' }).click();
}
