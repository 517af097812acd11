/* Searches through shadow roots (the widget's screens are in one) that run in the page, for drivers without a locator
 * that pierces them: Puppeteer driving Firefox (firefox.ts) and WebDriver driving WebKit (webkit.ts). Each is handed
 * to the driver as it is and runs in the page, so it uses nothing from outside itself. */

/** The visible, enabled button named `wanted` (its aria-label, else its text), or null. */
export function buttonNamed(wanted: string): HTMLButtonElement | null {
  const search = (root: Document | ShadowRoot): HTMLButtonElement | null => {
    for (const el of root.querySelectorAll('*')) {
      if (
        el instanceof HTMLButtonElement &&
        !el.disabled &&
        el.getClientRects().length > 0 &&
        (el.getAttribute('aria-label') ?? el.textContent ?? '').trim() === wanted
      )
        return el;
      const inner = el.shadowRoot && search(el.shadowRoot);
      if (inner) return inner;
    }
    return null;
  };
  return search(document);
}

/** The text of the element with the test id `wanted`, trimmed; '' while there is none or it is empty. */
export function textOfTestIdIn(wanted: string): string {
  const search = (root: Document | ShadowRoot): Element | null => {
    const found = root.querySelector(`[data-testid="${wanted}"]`);
    if (found) return found;
    for (const el of root.querySelectorAll('*')) {
      const inner = el.shadowRoot && search(el.shadowRoot);
      if (inner) return inner;
    }
    return null;
  };
  return (search(document)?.textContent ?? '').trim();
}
