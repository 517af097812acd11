import type { Page } from 'playwright-core';
import { RC_BUTTON_ID, RC_COUNT_ID, RC_FIELD_ID } from './cobrowsePage';

/* (e) of bench:cobrowse: remote control's round trip on loopback. The agent presses a key (or clicks a button) in the
 * live view with Playwright's real input; the times are taken in the pages on the browser's one clock: the view's
 * keydown (or click: a click is done when the button is released), the customer's page changing (input event, or the click handler's count), and the view
 * showing the change (checked every animation frame). One action at a time, each waiting for the last to come back. */

export interface RoundTrip {
  /** Agent's action -> the customer's page changed. */
  oneWay: number[];
  /** Agent's action -> the agent's view shows the change. */
  roundTrip: number[];
}

type Marks = { acted: number[]; shown: number[] };
type Changes = { changed: number[] };

/** tsx keeps function names with a helper (__name) the page doesn't have: give the page a do-nothing one. */
const nameHelper = (page: Page) => page.evaluate('globalThis.__name ??= (fn) => fn');

/** In the console: timestamps of the agent's own actions in the view, and of the view showing `target` change. */
async function watchView(
  page: Page,
  event: 'keydown' | 'click',
  targetId: string,
  read: 'value' | 'text',
): Promise<void> {
  await nameHelper(page);
  await page.evaluate(
    ([eventName, id, how]) => {
      const clock = () => performance.timeOrigin + performance.now();
      const doc = document.querySelector<HTMLIFrameElement>('[data-testid="live-view"] iframe')!.contentDocument!;
      const marks: Marks = { acted: [], shown: [] };
      (window as unknown as { __rc: Marks }).__rc = marks;
      doc.addEventListener(eventName!, () => marks.acted.push(clock()), true);
      const value = () => {
        const el = doc.getElementById(id!) as HTMLInputElement | null;
        return el ? (how === 'value' ? el.value : (el.textContent ?? '')) : '';
      };
      let last = value();
      const frame = () => {
        const current = value();
        if (current !== last) {
          last = current;
          marks.shown.push(clock());
        }
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    },
    [event, targetId, read] as const,
  );
}

/** On the customer's page: when the target changed. */
async function watchCustomer(page: Page, targetId: string, read: 'value' | 'text'): Promise<void> {
  await nameHelper(page);
  await page.evaluate(
    ([id, how]) => {
      const clock = () => performance.timeOrigin + performance.now();
      const changes: Changes = { changed: [] };
      (window as unknown as { __rc: Changes }).__rc = changes;
      const el = document.getElementById(id!)!;
      if (how === 'value') el.addEventListener('input', () => changes.changed.push(clock()));
      else
        new MutationObserver(() => changes.changed.push(clock())).observe(el, {
          childList: true,
          characterData: true,
          subtree: true,
        });
    },
    [targetId, read] as const,
  );
}

/** A person's pace: a key or a click every 200 ms at most (each click is three or four messages on the agent's socket,
 * whose budget, 50 a second, is what a person stays well under). */
const PACE_MS = 200;

async function measure(agent: Page, visitor: Page, count: number, act: () => Promise<void>): Promise<RoundTrip> {
  const oneWay: number[] = [];
  const roundTrip: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = Date.now();
    await act();
    await agent.waitForFunction((n) => (window as unknown as { __rc: Marks }).__rc.shown.length > n, i, {
      timeout: 10_000,
    });
    const marks = await agent.evaluate(() => (window as unknown as { __rc: Marks }).__rc);
    const changes = await visitor.evaluate(() => (window as unknown as { __rc: Changes }).__rc);
    const [acted, changed, shown] = [marks.acted[i], changes.changed[i], marks.shown[i]];
    if (acted === undefined || changed === undefined || shown === undefined)
      throw new Error(`remote control action ${i} was not seen on both sides`);
    oneWay.push(changed - acted);
    roundTrip.push(shown - acted);
    await agent.waitForTimeout(Math.max(0, started + PACE_MS - Date.now()));
  }
  return { oneWay, roundTrip };
}

/** Keystrokes into the field, then clicks on the counting button, each `count` times. Remote control must be on. */
export async function remoteControlRoundTrips(
  agent: Page,
  visitor: Page,
  count: number,
): Promise<{ keys: RoundTrip; clicks: RoundTrip }> {
  const view = agent.frameLocator('[data-testid="live-view"] iframe');
  await view.locator(`#${RC_FIELD_ID}`).click();
  await watchView(agent, 'keydown', RC_FIELD_ID, 'value');
  await watchCustomer(visitor, RC_FIELD_ID, 'value');
  const keys = await measure(agent, visitor, count, () => agent.keyboard.press('x'));
  await visitor.evaluate(
    ([buttonId, countId]) => {
      const count = document.getElementById(countId!)!;
      document
        .getElementById(buttonId!)!
        .addEventListener('click', () => (count.textContent = String(Number(count.textContent) + 1)));
    },
    [RC_BUTTON_ID, RC_COUNT_ID] as const,
  );
  await watchView(agent, 'click', RC_COUNT_ID, 'text');
  await watchCustomer(visitor, RC_COUNT_ID, 'text');
  const button = view.locator(`#${RC_BUTTON_ID}`);
  const clicks = await measure(agent, visitor, count, () => button.click());
  return { keys, clicks };
}
