import type { Page } from 'playwright-core';

/* The agent's pointer as the customer's page shows it (the widget's guide layer, in a shadow root of its own). */

/** The centre of an element of the customer's page, in their viewport. */
export const centreOf = (visitor: Page, selector: string) =>
  visitor.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  });

/** The agent cursor's tip on the customer's page and its name, or null while it is not shown. */
export const agentCursor = (visitor: Page) =>
  visitor.evaluate(() => {
    const cursor = document.getElementById('tandem-guides')?.shadowRoot?.querySelector('.cursor');
    if (!cursor?.checkVisibility()) return null;
    const r = cursor.getBoundingClientRect();
    return { x: r.left + 2, y: r.top + 2, name: cursor.textContent };
  });

/** How far the agent's cursor is from the centre of an element of the customer's page (Infinity while not shown). */
export async function cursorDistance(visitor: Page, selector: string): Promise<number> {
  const [cursor, centre] = await Promise.all([agentCursor(visitor), centreOf(visitor, selector)]);
  return cursor ? Math.hypot(cursor.x - centre.x, cursor.y - centre.y) : Infinity;
}
