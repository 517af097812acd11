import path from 'node:path';
import type { Page } from 'playwright-core';
import { APP_KINDS, startAppFixture, type AppFixture, type AppKind } from '../helpers/appFixtures';
import {
  appState,
  LIVE_VIEW_IFRAME,
  liveViewState,
  sameState,
  settledState,
  shown,
  stateDiff,
  type AppState,
} from '../helpers/appState';
import { expectFramesRising } from '../helpers/browser';
import { clearEditingLog, editingLog, recordEditing } from '../helpers/editingLog';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually, TimedOut } from '../helpers/eventually';
import { people, remoteControlOn, visitorStartsHere } from '../helpers/people';
import { agentSurface, customerSurface, runStep, SCRIPT, type Step } from '../helpers/userScript';

/* "The same script by hand and by remote control gives the same app." Four real framework apps (React with
 * controlled inputs, Vue 3 with v-model, Angular with zone.js and ngModel, plain JavaScript acting on `change` and
 * `dblclick`), each on its own origin with the widget. For each, one scripted session (test/helpers/userScript.ts)
 * runs twice in real Chromium:
 *  - by hand: the customer, with Playwright's own mouse and keyboard on the app's page. The app's state after every
 *    step (normalised DOM and the app's own model, test/helpers/appState.ts) is the reference;
 *  - by remote control: the agent, with Playwright's own mouse and keyboard on the console's live view, once the
 *    customer has allowed control. After every step the customer's page must reach the reference state of that step,
 *    and the live view must show what the customer's page shows.
 * The console runs on 127.0.0.1, the app and the service on localhost: three origins, as in real use. */

jest.setTimeout(300_000);

const suite = e2eSuite();
const { consoleFor } = people(suite);

/** How long the customer's page may take to reach a step's state, and the live view to show it. */
const CATCH_UP_MS = 10_000;
const LIVE_VIEW_MS = 5_000;

const fixtures = new Map<AppKind, AppFixture>();
beforeAll(async () => {
  for (const kind of APP_KINDS) fixtures.set(kind, await startAppFixture(kind, suite.server.baseUrl));
});
afterAll(async () => {
  for (const fixture of fixtures.values()) await fixture.stop();
});
const appUrl = (kind: AppKind) => fixtures.get(kind)!.url;
const consoleOrigin = () => suite.server.baseUrl.replace('//localhost', '//127.0.0.1');

const RESULTS = path.resolve(__dirname, '..', '..', '..', 'test-results');
const stepLabel = (step: Step, i: number) => `step ${i + 1} "${step.name}"`;

// --- the people -----------------------------------------------------------------------------------------------------

/** Opens the app and waits until it is ready: rendered, its model readable, its iframe and custom element loaded. */
async function openApp(page: Page, kind: AppKind): Promise<void> {
  page.setDefaultTimeout(15_000);
  await page.goto(appUrl(kind));
  await page.waitForFunction(() => {
    const model = (window as unknown as { __appModel?: () => unknown }).__appModel;
    const frame = document.querySelector<HTMLIFrameElement>('#postcode-frame')?.contentDocument;
    return (
      typeof model === 'function' &&
      !!frame?.getElementById('frame-postcode') &&
      !!document.querySelector('contact-phone')?.shadowRoot
    );
  });
}

// --- the reference run, by hand -------------------------------------------------------------------------------------

interface Trace {
  /** The app's state before the first step, then after each step. */
  states: AppState[];
}

const traces = new Map<AppKind, Promise<Trace>>();

/** The customer's run (once per app and file: the agent's run compares against it). */
function byHand(kind: AppKind): Promise<Trace> {
  let trace = traces.get(kind);
  if (!trace) {
    trace = (async () => {
      const page = await suite.newPage();
      await openApp(page, kind);
      const read = () => appState(page);
      const states = [await settledState(read, 'before the first step')];
      const surface = customerSurface(page);
      for (const [i, step] of SCRIPT.entries()) {
        await runStep(surface, step, i);
        states.push(await settledState(read, stepLabel(step, i)));
      }
      await suite.closePages(page);
      return { states };
    })();
    traces.set(kind, trace);
  }
  return trace;
}

/** The app's model and what its page shows agree (once every field has been left, so the plain app has committed). */
function modelMatchesPage(state: AppState): void {
  const model = state.model as { tasks: Array<{ title: string; done: boolean }>; details: Record<string, unknown> };
  const f = state.fields;
  expect(model.tasks.map((t) => `[${t.done ? 'x' : ' '}] ${t.title}`)).toEqual(state.tasks);
  expect(model.details).toEqual({
    fullName: f['full-name'],
    email: f.email,
    moveSize: f['move-size'],
    extras: f.extras!.split(','),
    contactTime: ['morning', 'afternoon', 'evening'].find((t) => f[`time-${t}`] === 'checked'),
    budget: Number(f.budget),
    accessNotes: f['access-notes'],
    notes: f.notes,
    phone: f['contact/contact-phone'],
  });
}

// --- the agent's run, by remote control -----------------------------------------------------------------------------

/** Polls until the customer's page is in the reference state of this step; fails with the difference. */
async function customerReaches(customer: Page, expected: AppState, label: string): Promise<void> {
  try {
    await eventually(
      () => appState(customer),
      (actual) => sameState(actual, expected),
      `${label}: the reference state`,
      CATCH_UP_MS,
      150,
    );
  } catch (err) {
    if (!(err instanceof TimedOut)) throw err;
    const actual = err.last as AppState;
    throw new Error(
      `${label}: by remote control the customer's app did not reach the state it has by hand within ${CATCH_UP_MS} ms\n${stateDiff(expected, actual)}`,
    );
  }
}

/** Polls until the live view shows what the customer's page shows; returns the difference if it never does. */
async function liveViewDifference(agent: Page, customer: Page): Promise<string | undefined> {
  const both = async () => [shown(await appState(customer)), shown(await liveViewState(agent))] as const;
  try {
    await eventually(
      both,
      ([page, view]) => sameState(page, view),
      'the live view to show the page',
      LIVE_VIEW_MS,
      150,
    );
    return undefined;
  } catch (err) {
    if (!(err instanceof TimedOut)) throw err;
    const [page, view] = err.last as Awaited<ReturnType<typeof both>>;
    return stateDiff(page, view);
  }
}

/** Where the live view differed from the customer's page: each difference once, with the steps it was seen after. */
class LiveViewLog {
  private readonly seen = new Map<string, string[]>();

  add(label: string, difference: string | undefined): void {
    if (difference) this.seen.set(difference, [...(this.seen.get(difference) ?? []), label]);
  }

  report(): string {
    return [...this.seen]
      .map(
        ([difference, labels]) => `the live view did not show the customer's page ${labels.join(', ')}:\n${difference}`,
      )
      .join('\n\n');
  }
}

/** Both sides as they were when a step failed, in test-results/ (not committed), for whoever reads the failure. */
async function screenshots(kind: AppKind, stepIndex: number, pages: Record<string, Page>): Promise<void> {
  for (const [who, page] of Object.entries(pages)) {
    const file = path.join(RESULTS, `remote-control-${kind}-step-${stepIndex + 1}-${who}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
  }
}

// --- tests ----------------------------------------------------------------------------------------------------------

describe.each(APP_KINDS)('the %s app', (kind) => {
  it('customer run: the script by hand does what each step says', async () => {
    const { states } = await byHand(kind);
    expect(states).toHaveLength(SCRIPT.length + 1);
    for (const [i, step] of SCRIPT.entries()) {
      try {
        step.expect(states[i + 1]!);
      } catch (error) {
        throw new Error(`${stepLabel(step, i)}: ${(error as Error).message}`);
      }
    }
    // The app's own model holds what the page shows.
    modelMatchesPage(states.at(-1)!);
  });

  it('agent run: the same script through the live view under remote control gives the same app, and the view keeps up', async () => {
    const { states } = await byHand(kind);
    const customer = await suite.newPage();
    await recordEditing(customer);
    await openApp(customer, kind);
    const code = await visitorStartsHere(customer, 15_000);
    const agent = await consoleFor(code, { origin: consoleOrigin() });
    agent.setDefaultTimeout(15_000);
    // The call itself runs in the app's page (under Angular's zone.js too): video both ways.
    await expectFramesRising(agent);
    await agent.getByRole('button', { name: 'Video', exact: true }).click();
    await expectFramesRising(customer);
    await agent.frameLocator(LIVE_VIEW_IFRAME).locator('#app h1').waitFor({ timeout: 20_000 });
    await remoteControlOn(agent, customer);
    await customerReaches(customer, states[0]!, 'before the first step');

    // The live view's differences are collected, so one of them doesn't hide what remote control does afterwards.
    const liveView = new LiveViewLog();
    liveView.add('before the first step', await liveViewDifference(agent, customer));
    const surface = agentSurface(agent);
    for (const [i, step] of SCRIPT.entries()) {
      const label = stepLabel(step, i);
      try {
        await clearEditingLog(customer);
        await runStep(surface, step, i);
        await customerReaches(customer, states[i + 1]!, label);
      } catch (error) {
        await screenshots(kind, i, { customer, console: agent });
        (error as Error).message +=
          `\n\nFocus, caret and edits on the customer's page in this step:\n${await editingLog(customer)}`;
        if (liveView.report()) (error as Error).message += `\n\nEarlier, ${liveView.report()}`;
        throw error;
      }
      liveView.add(`after ${label}`, await liveViewDifference(agent, customer));
    }
    expect(await appState(customer)).toEqual(states.at(-1));
    if (liveView.report()) throw new Error(liveView.report());
  });
});
