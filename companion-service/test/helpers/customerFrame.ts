import type { Page } from 'playwright-core';

/** What the frame shows, in an element with id `inside`. */
export const TEXT_IN_FRAME = 'Inside the frame';

/** Puts a same-origin frame into the customer's page (served by the test, not the service) and waits for it to load.
 * The live view builds a frame's document after the page's own, as a later event of the stream. */
export async function addFrameToPage(customer: Page): Promise<void> {
  await customer.route('**/policy-summary.html', (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><title>Policy</title><p id="inside">${TEXT_IN_FRAME}</p>`,
    }),
  );
  await customer.evaluate(
    () =>
      new Promise((resolve) => {
        const frame = document.createElement('iframe');
        frame.title = 'Your policy summary';
        frame.src = '/policy-summary.html';
        frame.onload = resolve;
        document.body.append(frame);
      }),
  );
}
