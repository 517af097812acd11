import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { eventually } from './eventually';

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

export function chromiumPath(): string {
  const found = CANDIDATES.find((p): p is string => !!p && existsSync(p));
  if (!found) throw new Error('Chromium not found: install it (apt-get install chromium) or set CHROMIUM_PATH');
  return found;
}

const FAKE_DEVICES = '--use-fake-device-for-media-stream';
const BASE_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-gpu', FAKE_DEVICES];

/** Headless Chromium with fake camera and microphone. `cameraPrompt` decides what the permission prompt answers;
 * `cameras` gives it several fake cameras (Chromium's second one is a depth camera that WebRTC can't encode). */
export async function launchBrowser(
  cameraPrompt: 'allow' | 'deny' = 'allow',
  options: { cameras?: number; env?: Record<string, string> } = {},
): Promise<Browser> {
  const prompt = cameraPrompt === 'allow' ? '--use-fake-ui-for-media-stream' : '--deny-permission-prompts';
  const args =
    options.cameras !== undefined
      ? BASE_ARGS.map((a) => (a === FAKE_DEVICES ? `${a}=device-count=${options.cameras}` : a))
      : BASE_ARGS;
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...args, prompt],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
}

/** Test-side instrumentation only: remembers every RTCPeerConnection a page creates so the test can read
 * getStats() and prove that video frames are really decoded. The product has no such hook. */
export const RECORD_PEER_CONNECTIONS = () => {
  const Native = window.RTCPeerConnection;
  if (typeof Native !== 'function') return; // a browser that can't make calls (withoutWebrtc.test.ts)
  const seen: RTCPeerConnection[] = [];
  (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = seen;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      seen.push(this);
    }
  } as typeof RTCPeerConnection;
};

/** Test-side instrumentation only: keeps every WebSocket a page opens (`window.__ws.sockets`) and every message it
 * receives (`window.__ws.received`), so a test can drop a connection on purpose, speak on it, or see what the server
 * answered. The product has no such hook. */
const RECORD_SOCKETS = () => {
  const Native = window.WebSocket;
  const record = { sockets: [] as WebSocket[], received: [] as Array<{ type: string } & Record<string, unknown>> };
  (window as unknown as { __ws: typeof record }).__ws = record;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      record.sockets.push(this);
      this.addEventListener('message', (e) => {
        try {
          record.received.push(JSON.parse(String(e.data)));
        } catch {
          /* not ours */
        }
      });
    }
  } as typeof WebSocket;
};

/** A browser context whose pages record their peer connections (and, with `recordSockets`, their WebSockets). */
export async function newContext(browser: Browser, options: { recordSockets?: boolean } = {}): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addInitScript(RECORD_PEER_CONNECTIONS);
  if (options.recordSockets) await context.addInitScript(RECORD_SOCKETS);
  return context;
}

/** Sum of framesDecoded over the page's inbound video streams on live connections. */
export async function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [];
    let total = 0;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') total += s.framesDecoded ?? 0;
      });
    }
    return total;
  });
}

/** Waits until decoded frames are rising: the far end's camera is really arriving, not just connected. */
/** Every camera of the context's pages opens `delayMs` later, as a slow webcam does (a request without video, as
 * fast as before); the camera's stream is then `window.__camera` (so a test can tell whether it is open, and whether
 * its tracks were let go). Used by the e2e tests and by bench:join's --camera-delay. */
export async function slowCameras(context: BrowserContext, delayMs: number): Promise<void> {
  if (delayMs <= 0) return;
  await context.addInitScript((ms: number) => {
    const devices = navigator.mediaDevices as MediaDevices | undefined;
    if (!devices) return;
    const open = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints) => {
      if (!constraints?.video) return open(constraints);
      await new Promise((resolve) => setTimeout(resolve, ms));
      const stream = await open(constraints);
      (window as unknown as { __camera: MediaStream }).__camera = stream;
      return stream;
    };
  }, delayMs);
}

export async function expectFramesRising(page: Page, timeoutMs = 20_000): Promise<{ first: number; later: number }> {
  const deadline = Date.now() + timeoutMs;
  const first = await eventually(
    () => framesDecoded(page),
    (n) => n > 0,
    'video frames decoded',
    timeoutMs,
    100,
  );
  const later = await eventually(
    () => framesDecoded(page),
    (n) => n > first,
    `video frames rising past ${first}`,
    Math.max(0, deadline - Date.now()),
    500,
  );
  return { first, later };
}

/** The intrinsic width of the first video matching the selector (0 until frames are rendered). */
export async function videoWidth(page: Page, selector: string): Promise<number> {
  return page
    .locator(selector)
    .first()
    .evaluate((v) => (v as HTMLVideoElement).videoWidth);
}

/** Sends a probe on the page's newest open WebSocket and waits for its answer: by then the server has handled
 * everything the page sent on that socket before, and whatever that caused for other sockets is queued for them.
 * The page must record its sockets (`newContext(browser, { recordSockets: true })`). */
export async function probePage(page: Page, timeoutMs = 5000): Promise<void> {
  await page.evaluate(async (timeout) => {
    const sockets = (window as unknown as { __ws?: { sockets: WebSocket[] } }).__ws?.sockets ?? [];
    const socket = [...sockets].reverse().find((s) => s.readyState === WebSocket.OPEN);
    if (!socket) throw new Error('the page has no open socket it recorded');
    const id = `page-probe-${Math.random().toString(36).slice(2)}`;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to the page's probe within ${timeout} ms`)), timeout);
      const onMessage = (event: MessageEvent) => {
        const message = JSON.parse(String(event.data)) as { type?: string; replyTo?: string };
        if (message.type !== 'probe' || message.replyTo !== id) return;
        clearTimeout(timer);
        socket.removeEventListener('message', onMessage);
        resolve();
      };
      socket.addEventListener('message', onMessage);
      socket.send(JSON.stringify({ type: 'probe', id }));
    });
  }, timeoutMs);
}

/** A browser whose profile blocks every site's data, as Chrome's "Block all cookies" setting (or a managed browser's
 * DefaultCookiesSetting policy) does: document.cookie stays empty and any use of localStorage or sessionStorage
 * throws a SecurityError. Camera allowed, pages recording their peer connections; `close` also removes the profile. */
export async function launchBlockingSiteData(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'tandem-blocked-profile-'));
  mkdirSync(path.join(profile, 'Default'));
  const blockAll = { profile: { default_content_setting_values: { cookies: 2 } } };
  writeFileSync(path.join(profile, 'Default', 'Preferences'), JSON.stringify(blockAll));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: [...BASE_ARGS, '--use-fake-ui-for-media-stream'],
  });
  await context.addInitScript(RECORD_PEER_CONNECTIONS);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
