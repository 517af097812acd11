import type { Page } from 'playwright-core';

/* Every text an element shows, recorded in the page as it changes. Playwright polls a locator at growing intervals
 * (up to a second), so a state that lasts less than that (a warning that the next moment resolves) can pass unseen;
 * a MutationObserver sees each change. */

/** Starts recording, under `key`, the texts of the elements matching `selector`: in the document, or in the open
 * shadow root of `host`. */
export async function recordTexts(page: Page, key: string, selector: string, host?: string): Promise<void> {
  await page.evaluate(
    ([key, selector, host]) => {
      const w = window as unknown as { __textsShown?: Record<string, string[]> };
      const texts: string[] = [];
      (w.__textsShown ??= {})[key] = texts;
      const root = host ? document.querySelector(host)?.shadowRoot : document;
      if (!root) throw new Error(`no open shadow root on ${host}`);
      const note = () => {
        for (const element of root.querySelectorAll(selector)) {
          const text = (element.textContent ?? '').trim();
          if (text && !texts.includes(text)) texts.push(text);
        }
      };
      note();
      new MutationObserver(note).observe(root, { subtree: true, childList: true, characterData: true });
    },
    [key, selector, host ?? ''] as const,
  );
}

/** The distinct texts recorded under `key` so far, in the order first shown. */
export function textsShown(page: Page, key: string): Promise<string[]> {
  return page.evaluate(
    (key) => (window as unknown as { __textsShown?: Record<string, string[]> }).__textsShown?.[key] ?? [],
    key,
  );
}
