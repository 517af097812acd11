import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { RECORD_PEER_CONNECTIONS } from './browser';
import { buttonNamed, textOfTestIdIn } from './deepQuery';
import type { InPage } from './video';

/* Real Firefox (Debian's firefox-esr), driven through Puppeteer over WebDriver BiDi: Playwright drives only its own
 * patched Firefox, which can't be downloaded here. Fake camera and microphone by Firefox's own preferences, granted
 * without a prompt. A page must be on http://localhost (a secure context) for getUserMedia, as in Chromium. */

const CANDIDATES = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'];

export function firefoxPath(): string {
  const found = CANDIDATES.find((p): p is string => !!p && existsSync(p));
  if (!found) throw new Error('Firefox not found: install it (apt-get install firefox-esr) or set FIREFOX_PATH');
  return found;
}

/** `webrtc: false`: with WebRTC turned off (media.peerconnection.enabled), as privacy-minded people and some browser
 * builds have it. */
export function launchFirefox(options: { webrtc?: boolean } = {}): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath(),
    headless: true,
    extraPrefsFirefox: {
      'media.navigator.streams.fake': true,
      'media.navigator.permission.disabled': true,
      // Autoplay of the others' voices without a click, as Chromium's tests have it.
      'media.autoplay.default': 0,
      ...(options.webrtc === false && { 'media.peerconnection.enabled': false }),
    },
  });
}

/** A page in a fresh context of `browser` that records its peer connections like Chromium's (browser.ts). */
export async function newFirefoxPage(browser: Browser): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1280, height: 800 }); // Puppeteer's default is 800x600
  await page.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);
  return page;
}

/** Clicks the visible button named `name` (its aria-label, else its text), wherever it is: the widget's are in a
 * shadow root. By hand, because Puppeteer's ARIA selectors need a protocol Firefox does not offer. */
export async function clickButton(page: Page, name: string, timeoutMs = 15_000): Promise<void> {
  const found = await page.waitForFunction(buttonNamed, { timeout: timeoutMs, polling: 100 }, name);
  await (found as ElementHandle<HTMLButtonElement>).click();
}

/** The text of the element with this test id, wherever it is, once it has some. Polled: a change inside a shadow root
 * (the widget's) wakes no observer of the document, which is how Puppeteer's own waitForSelector waits. */
export async function textOfTestId(page: Page, testId: string, timeoutMs = 15_000): Promise<string> {
  const text = await page.waitForFunction(textOfTestIdIn, { timeout: timeoutMs, polling: 100 }, testId);
  return (await text.jsonValue()) as string;
}

/** The page as the video and sound helpers take it. Puppeteer types a function's argument as possibly holding element
 * handles; these helpers pass plain data only. */
export function inPage(page: Page): InPage {
  return {
    evaluate: <R, A>(fn: (arg: A) => R | Promise<R>, arg?: A) =>
      page.evaluate(fn as (arg: unknown) => R | Promise<R>, arg) as Promise<R>,
  };
}

/** A customer signs in on the demo portal (its page already open) as one of its customers. */
export async function signInOnPortal(page: Page, customerName: string): Promise<void> {
  await page.waitForFunction(() => !!document.querySelector('#customer option'));
  const value = await page.$$eval(
    '#customer option',
    (options, name) => options.find((o) => o.textContent === name)?.getAttribute('value'),
    customerName,
  );
  if (!value) throw new Error(`no demo customer named ${customerName}`);
  await page.select('#customer', value);
  await clickButton(page, 'Sign in');
}

/** What the agent's console shows about its live view (its loading line, statuses, alert and what the view's frame
 * holds): for a failure message when the view never showed the customer's page. */
export function liveViewState(consolePage: Page): Promise<Record<string, string | null>> {
  return consolePage.evaluate(() => {
    const text = (selector: string) => document.querySelector(selector)?.textContent ?? null;
    const loading = document.querySelector<HTMLElement>('[data-testid="live-view-loading"]');
    const frame = document.querySelector<HTMLIFrameElement>('[data-testid="live-view"] iframe');
    return {
      loading: loading?.hidden ? 'hidden' : text('[data-testid="live-view-loading"]'),
      liveViewStatus: text('[data-testid="live-view-status"]'),
      status: text('#status'),
      alert: text('#alert'),
      frame: frame ? (frame.contentDocument?.body?.innerText.slice(0, 200) ?? 'no document') : 'none',
    };
  });
}

/** `waiting`'s outcome; if it fails, the error also says what the console showed of its live view. */
export async function explainedByLiveView<T>(consolePage: Page, waiting: Promise<T>): Promise<T> {
  try {
    return await waiting;
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\nthe console showed ${JSON.stringify(await liveViewState(consolePage))}`,
    );
  }
}
