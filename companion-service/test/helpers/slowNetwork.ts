/* DevTools' network throttling, for the tests and benches that put a customer on a slow connection: Lighthouse's
 * mobile "slow 4G". Measured here, it delays the page's HTTP requests and its WebSocket frames (a 71 KiB co-browse
 * snapshot took ~510 ms to leave at 750 kbit/s), and its peer connections too: the data channel opened ~300 ms (two
 * round trips) after DTLS, against ~0 on loopback. */
import type { Page } from 'playwright-core';

export const SLOW_4G = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1024 * 1024) / 8,
  uploadThroughput: (750 * 1024) / 8,
};

export async function throttle(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
}
