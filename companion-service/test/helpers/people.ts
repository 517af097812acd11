import type { Page } from 'playwright-core';
import type { E2eSuite } from './e2eSuite';
import { eventually } from './eventually';
import { consoleTicket, devToken } from './testServer';

/* The steps of the people in a session, in real pages of an e2eSuite: the visitor starting a session (or a customer
 * signing in) on the demo portal, the agent signing in on the join page, and the agent's console opened by key or
 * by ticket. */

export interface ConsoleOptions {
  /** The agent's privileges (all of them when not given). */
  privileges?: string[];
  /** Record the console's WebSockets (see newContext). */
  recordSockets?: boolean;
  /** Where the console is opened (the service's own address by default). */
  origin?: string;
  /** Done to the console's page before it is opened (e.g. listening to its messages). */
  prepare?: (page: Page) => unknown;
}

/** What the steps need of a suite: the address people open (a service, or a cluster's load balancer) and pages. */
export type PeopleSuite = Pick<E2eSuite, 'newPage'> & { readonly server: { readonly baseUrl: string } };

export function people(suite: PeopleSuite) {
  const baseUrl = () => suite.server.baseUrl;

  /** The visitor opens a page with the widget (the demo portal by default), starts a session, enables the camera and
   * reads the session code. */
  async function visitorStarts(visitor: Page, options: { path?: string; timeoutMs?: number } = {}): Promise<string> {
    await visitor.goto(`${baseUrl()}${options.path ?? '/'}`);
    return visitorStartsHere(visitor, options.timeoutMs);
  }

  /** A customer signs in on the demo portal as one of its customers (the widget then goes online for 1-click). */
  async function customerSignsIn(portal: Page, name: string): Promise<void> {
    await portal.goto(`${baseUrl()}/`);
    await portal.getByLabel('Sign in as').selectOption({ label: name });
    await portal.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  /** The agent signs in (development sign-in) on the join page, in this page. */
  async function agentSignsIn(join: Page): Promise<void> {
    await join.goto(`${baseUrl()}/join`);
    await join.getByLabel('Your name').fill('Ana Agent');
    await join.getByRole('button', { name: 'Sign in (development)' }).click();
    await join.getByLabel('Session key from the visitor').waitFor();
  }

  /** 1-click connect from the agent's side: signs in on the join page, waits until this signed-in customer shows
   * online, and clicks Join beside them; returns the console window that opens. */
  async function agentJoinsOnline(customerName: string): Promise<Page> {
    const join = await suite.newPage();
    await agentSignsIn(join);
    await join.getByRole('tab', { name: 'Customers on the demo portal' }).click();
    const presence = join.locator('#customer-list li').filter({ hasText: customerName }).locator('.presence');
    await eventually(
      () => presence.textContent(),
      (t) => t === 'Online',
      `${customerName} online`,
    );
    const [consolePage] = await Promise.all([
      join.context().waitForEvent('page'),
      join.getByRole('button', { name: `Join ${customerName}` }).click(),
    ]);
    return consolePage;
  }

  /** An agent signs in on the join page and joins with the code; returns the console window it opened. */
  async function agentJoinsWithCode(code: string, join?: Page): Promise<Page> {
    const page = join ?? (await suite.newPage());
    await agentSignsIn(page);
    await page.getByLabel('Session key from the visitor').fill(code);
    const [consolePage] = await Promise.all([
      page.context().waitForEvent('page'),
      page.getByRole('button', { name: 'Join' }).click(),
    ]);
    // A console window that never reaches /console, or never finishes loading there (as when rrweb left the live view's
    // document open: web/cobrowse/viewer.ts), fails with what the window and the join page show.
    const seen = watchWindow(consolePage);
    await consolePage.waitForURL(/\/console/).catch(async (err: unknown) => {
      throw new Error(`The console window did not reach /console: ${await windowReport(consolePage, page, seen)}`, {
        cause: err,
      });
    });
    return consolePage;
  }

  /** Opens the console for a code directly with a ticket, as an agent ('Ana Agent') with the given privileges. */
  async function consoleFor(code: string, options: ConsoleOptions = {}): Promise<Page> {
    const ticket = await consoleTicket(
      suite.server,
      await devToken(suite.server, 'Ana Agent', options.privileges),
      code,
    );
    const page = await suite.newPage({ recordSockets: options.recordSockets });
    await options.prepare?.(page);
    const pending = pendingRequests(page);
    const seen = watchWindow(page);
    await page
      .goto(`${options.origin ?? baseUrl()}/console#ticket=${encodeURIComponent(ticket)}`)
      .catch(async (err) => {
        throw new Error(`The console never finished loading: ${await loadReport(page, pending, seen)}`, { cause: err });
      });
    await page.getByRole('button', { name: 'Add Guest' }).waitFor();
    return page;
  }

  return { visitorStarts, customerSignsIn, agentSignsIn, agentJoinsOnline, agentJoinsWithCode, consoleFor };
}

/** What a window says and does (console messages, crashes, navigations), for a failure's message. */
function watchWindow(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (m) => seen.push(`${m.type()}: ${m.text()}`));
  page.on('crash', () => seen.push('crashed'));
  page.on('framenavigated', (f) =>
    seen.push(`${f === page.mainFrame() ? 'navigated' : 'a frame navigated'} to ${f.url()}`),
  );
  return seen;
}

/** The requests a page has made that have not finished, by URL. */
function pendingRequests(page: Page): Set<string> {
  const pending = new Set<string>();
  page.on('request', (r) => pending.add(r.url()));
  page.on('requestfinished', (r) => pending.delete(r.url()));
  page.on('requestfailed', (r) => pending.delete(r.url()));
  return pending;
}

/** Why a page has not fired its load event: its documents' (and frames') readiness, its media elements, the requests
 * still out. */
async function loadReport(page: Page, pending: Set<string>, seen: string[]): Promise<string> {
  const documents = await page
    .evaluate(() => {
      const describe = (doc: Document, depth: number): unknown => ({
        url: doc.URL,
        readyState: doc.readyState,
        media: [...doc.querySelectorAll('video, audio')].map((m) => ({
          tag: m.tagName,
          id: m.id,
          readyState: (m as HTMLMediaElement).readyState,
          networkState: (m as HTMLMediaElement).networkState,
          stream: !!(m as HTMLMediaElement).srcObject,
        })),
        frames:
          depth > 4
            ? []
            : [...doc.querySelectorAll('iframe')].map((f) =>
                f.contentDocument ? describe(f.contentDocument, depth + 1) : { src: f.src, blocked: true },
              ),
      });
      return describe(document, 0);
    })
    .catch((e: unknown) => String(e));
  return JSON.stringify({ documents, pending: [...pending], seen });
}

async function windowReport(win: Page, opener: Page, seen: string[]): Promise<string> {
  const inWindow = await win
    .evaluate(() => ({ href: location.href, readyState: document.readyState, hasOpener: !!window.opener }))
    .catch((e: unknown) => String(e));
  const joinPage = await opener
    .evaluate(() => ({
      error: document.getElementById('join-error')?.textContent,
      button: document.getElementById('join-button')?.textContent,
    }))
    .catch((e: unknown) => String(e));
  const windows = opener
    .context()
    .pages()
    .map((p) => p.url());
  return JSON.stringify({ url: win.url(), closed: win.isClosed(), inWindow, seen, joinPage, windows });
}

/** On the page the visitor is on (any site's, with the widget), they start a session, enable the camera and read the
 * session code. */
export async function visitorStartsHere(visitor: Page, timeoutMs = 10_000): Promise<string> {
  await visitor.getByRole('button', { name: 'Start video session' }).click();
  await visitor.getByRole('button', { name: 'Enable camera' }).click();
  const code = await visitor.getByTestId('session-code').textContent({ timeout: timeoutMs });
  return (code ?? '').replace(/\s+/g, '');
}

/** The agent asks for remote control in the console, and the visitor allows it. */
export async function remoteControlOn(agent: Page, visitor: Page): Promise<void> {
  await agent.getByRole('button', { name: 'Remote Control' }).click();
  await visitor
    .getByRole('alertdialog', { name: 'Ana Agent asks to control this page' })
    .getByRole('button', { name: 'Allow' })
    .click();
  await agent
    .getByTestId('control-status')
    .filter({ hasText: 'You are controlling the customer\u2019s page' })
    .waitFor();
}
