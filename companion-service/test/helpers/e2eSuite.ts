import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { DeepPartial } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { launchBrowser, newContext } from './browser';
import { startServer, type RunningServer } from './testServer';
import type { TestClient } from './wsClient';

/* The lifecycle every end-to-end file shares: one real service and one headless Chromium (camera allowed) for the
 * file, pages each in a fresh context, and the contexts and raw sockets a test opened closed after it. */

export interface E2eSuiteOptions {
  /** Config overrides for the service, or a function that makes them (run in beforeAll, e.g. to start a double first). */
  server?: DeepPartial<Config> | (() => Promise<DeepPartial<Config>>);
  /** When the pages' contexts close: after each test (the default), or after the file, for tests that build on each
   * other's pages. */
  closeContexts?: 'afterEach' | 'afterAll';
  /** More environment for the browser (made in beforeAll, after `server`), e.g. a HOME whose certificate store
   * trusts a test certificate. */
  browserEnv?: () => Record<string, string>;
}

export interface E2eSuite {
  /** The running service (from beforeAll on). */
  readonly server: RunningServer;
  /** The browser shared by the file (from beforeAll on). */
  readonly browser: Browser;
  /** A page in a new context of `browser` (the file's by default), closed with the others. */
  newPage(options?: { browser?: Browser; recordSockets?: boolean }): Promise<Page>;
  /** Closes these pages' contexts now rather than with the others. */
  closePages(...pages: Page[]): Promise<void>;
  /** Closes these raw sockets after the test. */
  track(...clients: TestClient[]): void;
}

/** Registers the file's beforeAll / afterEach / afterAll hooks (call it at the top level, before the file's own hooks,
 * which then run after these) and returns accessors to what they started. */
export function e2eSuite(options: E2eSuiteOptions = {}): E2eSuite {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const clients: TestClient[] = [];

  const closeContexts = async () => {
    for (const c of contexts.splice(0)) await c.close();
  };

  beforeAll(async () => {
    const overrides = typeof options.server === 'function' ? await options.server() : options.server;
    server = await startServer(overrides);
    browser = await launchBrowser('allow', options.browserEnv ? { env: options.browserEnv() } : {});
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    if ((options.closeContexts ?? 'afterEach') === 'afterEach') await closeContexts();
  });
  afterAll(async () => {
    await closeContexts();
    await browser?.close();
    await server?.stop();
  });

  const suite: E2eSuite = {
    get server() {
      if (!server) throw new Error('the service starts in beforeAll');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('the browser starts in beforeAll');
      return browser;
    },
    async newPage({ browser: b, recordSockets } = {}) {
      const context = await newContext(b ?? suite.browser, { recordSockets });
      contexts.push(context);
      return context.newPage();
    },
    async closePages(...pages) {
      for (const p of pages) {
        const i = contexts.indexOf(p.context());
        if (i >= 0) contexts.splice(i, 1);
        await p.context().close();
      }
    },
    track(...opened) {
      clients.push(...opened);
    },
  };
  return suite;
}
