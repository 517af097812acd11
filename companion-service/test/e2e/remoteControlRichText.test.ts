import type { Page } from 'playwright-core';
import { startRichTextFixture, type ServedFiles } from '../helpers/appFixtures';
import { LIVE_VIEW_IFRAME } from '../helpers/appState';
import { expectFramesRising } from '../helpers/browser';
import { clearEditingLog, editingLog, recordEditing } from '../helpers/editingLog';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually, TimedOut } from '../helpers/eventually';
import { people, remoteControlOn, visitorStartsHere } from '../helpers/people';
import { throttle } from '../helpers/slowNetwork';
import { agentSurface, customerSurface, runStep, type Action } from '../helpers/userScript';

/* "The same keys by hand and by remote control give the same text" in the rich-text editors customers' pages have:
 * Quill 2 (under Salesforce's lightning-input-rich-text) and ProseMirror, from their npm packages
 * (test/fixtures/apps/richText/). They keep a model of their own and act on keydown, beforeinput and the DOM the
 * browser changes, so what counts is their model, not the page's DOM. The script runs once by hand (the customer,
 * Playwright's keyboard and mouse on the page: the reference) and once by the agent through the live view under
 * remote control; after each step the customer's editors must hold what they held by hand, and at the end the live
 * view shows the same text. */

jest.setTimeout(240_000);

const suite = e2eSuite();
const { consoleFor } = people(suite);

let site: ServedFiles;
beforeAll(async () => {
  site = await startRichTextFixture(suite.server.baseUrl);
});
afterAll(() => site.stop());

interface Editors {
  /** The plain text field above the editors. */
  subject: string;
  /** Quill's Delta: its text with attributes (bold, italic, lists) per run. */
  quill: Array<{ insert: unknown; attributes?: Record<string, unknown> }>;
  /** ProseMirror's document as JSON. */
  prosemirror: unknown;
}

interface EditorStep {
  name: string;
  actions: Action[];
  /** What the step did, checked on the customer's run. */
  expect(editors: Editors): void;
}

const click = (target: string | { selector: string; at: { x: number; y: number } }): Action => ({ click: target });
const dblclick = (selector: string, at: { x: number; y: number }): Action => ({ dblclick: { selector, at } });
const type = (text: string): Action => ({ type: text });
const press = (key: string, times?: number): Action => ({ press: key, times });
const pause = (ms: number): Action => ({ pause: ms });

const quillText = (e: Editors) => e.quill.map((op) => op.insert).join('');
/** ProseMirror's paragraphs, each as its runs of text with the names of their marks: [["text", "strong"], ...]. */
function proseMirrorParagraphs(e: Editors): Array<Array<[string, ...string[]]>> {
  const doc = e.prosemirror as {
    content?: Array<{ content?: Array<{ text: string; marks?: Array<{ type: string }> }> }>;
  };
  return (doc.content ?? []).map((p) => (p.content ?? []).map((t) => [t.text, ...(t.marks ?? []).map((m) => m.type)]));
}

const QUILL = '#quill .ql-editor';
const PROSEMIRROR = '#pm .ProseMirror';

const SCRIPT: readonly EditorStep[] = [
  {
    // The page's selection of the word and the field's caret both come back to the view (liveViewSelection.test.ts
    // pins the case where they cross).
    name: 'a field: double-click a word of the heading, click in the field, a pause, type',
    actions: [dblclick('h1', { x: 6, y: 10 }), click('#subject'), pause(300), type(' day')],
    expect: (e) => expect(e.subject).toBe('Moving day'),
  },
  {
    name: 'Quill: click in, type, Enter makes a new line, type',
    actions: [click(QUILL), type('Hello there'), press('Enter'), type('Second line')],
    expect: (e) => expect(quillText(e)).toBe('Hello there\nSecond line\n'),
  },
  {
    name: 'Quill: Backspace four times, type',
    actions: [press('Backspace', 4), type('row')],
    expect: (e) => expect(quillText(e)).toBe('Hello there\nSecond row\n'),
  },
  {
    name: "Quill: Shift+Home selects the line, Ctrl+B (Quill's own key binding) makes it bold",
    actions: [press('Shift+Home'), press('Control+b'), press('End')],
    expect: (e) => expect(e.quill).toContainEqual({ insert: 'Second row', attributes: { bold: true } }),
  },
  {
    // The pause lets the page's selection (the word, as the agent's double-click made it there) come back to the view
    // while the agent types: the view must not send it back (customerRange.ts).
    name: 'Quill: double-click a word, type over it (a short pause after the first letter)',
    actions: [dblclick(`${QUILL} p:first-child`, { x: 6, y: 8 }), type('H'), pause(150), type('i')],
    expect: (e) => expect(quillText(e)).toMatch(/^Hi there\n/),
  },
  {
    name: "Quill: End, the toolbar's Italic button, type",
    actions: [press('End'), click('#quill-toolbar-italic'), type(' today')],
    expect: (e) => expect(e.quill).toContainEqual({ insert: ' today', attributes: { italic: true } }),
  },
  {
    name: 'ProseMirror: click in, type, Enter makes a paragraph, type',
    actions: [click(PROSEMIRROR), type('Call me'), press('Enter'), type('after noon')],
    expect: (e) => expect(proseMirrorParagraphs(e)).toEqual([[['Call me']], [['after noon']]]),
  },
  {
    name: 'ProseMirror: Backspace four times, type',
    actions: [press('Backspace', 4), type('5pm')],
    expect: (e) => expect(proseMirrorParagraphs(e)).toEqual([[['Call me']], [['after 5pm']]]),
  },
  {
    name: "ProseMirror: Shift+Home selects the line, Ctrl+B (its keymap's) makes it bold",
    actions: [press('Shift+Home'), press('Control+b'), press('End')],
    expect: (e) => expect(proseMirrorParagraphs(e)).toEqual([[['Call me']], [['after 5pm', 'strong']]]),
  },
  {
    name: 'ProseMirror: double-click a word, type over it (a short pause after the first letter), End, type',
    actions: [
      dblclick(`${PROSEMIRROR} p:first-child`, { x: 6, y: 8 }),
      type('R'),
      pause(150),
      type('ing'),
      press('End'),
      type(', please'),
    ],
    expect: (e) => expect(proseMirrorParagraphs(e)[0]).toEqual([['Ring me, please']]),
  },
];

const readEditors = (page: Page) => page.evaluate(() => (window as unknown as { __editors(): Editors }).__editors());

async function openEditors(page: Page): Promise<void> {
  page.setDefaultTimeout(15_000);
  await page.goto(site.url);
  await page.locator(QUILL).waitFor();
  await page.locator(PROSEMIRROR).waitFor();
  // Quill's toolbar buttons have no names of their own: one is given an id, so the same selector finds it in the view.
  await page.evaluate(() =>
    document
      .querySelector('#quill')
      ?.previousElementSibling?.querySelector('.ql-italic')
      ?.setAttribute('id', 'quill-toolbar-italic'),
  );
}

/** Waits until the editors stop changing (two equal reads in a row). */
async function settled(page: Page, what: string): Promise<Editors> {
  let last: string | undefined;
  const json = await eventually(
    async () => {
      const before = last;
      last = JSON.stringify(await readEditors(page));
      return before === last ? last : undefined;
    },
    (same) => same !== undefined,
    `${what}: the editors to stop changing`,
    5_000,
    120,
  );
  return JSON.parse(json!) as Editors;
}

let reference: Promise<Editors[]> | undefined;
/** The script by hand on the customer's page: the editors after each step. */
function byHand(): Promise<Editors[]> {
  reference ??= (async () => {
    const page = await suite.newPage();
    await openEditors(page);
    const surface = customerSurface(page);
    const states: Editors[] = [];
    for (const [i, step] of SCRIPT.entries()) {
      await runStep(surface, step, i);
      states.push(await settled(page, step.name));
    }
    await suite.closePages(page);
    return states;
  })();
  return reference;
}

it('by hand: each step does what it says in both editors', async () => {
  const states = await byHand();
  for (const [i, step] of SCRIPT.entries()) {
    try {
      step.expect(states[i]!);
    } catch (error) {
      throw new Error(`"${step.name}": ${(error as Error).message}`);
    }
  }
});

it('by remote control: the same keys and clicks through the live view leave both editors as by hand, and the view shows them', async () => {
  const states = await byHand();
  const customer = await suite.newPage();
  await recordEditing(customer);
  await openEditors(customer);
  // The customer on a slow mobile connection: what their page says reaches the view 150 ms later or more, as across
  // a real network, not within the few milliseconds of loopback.
  await throttle(customer);
  const code = await visitorStartsHere(customer, 15_000);
  const agent = await consoleFor(code, { origin: suite.server.baseUrl.replace('//localhost', '//127.0.0.1') });
  agent.setDefaultTimeout(15_000);
  await expectFramesRising(agent);
  const view = agent.frameLocator(LIVE_VIEW_IFRAME);
  await view.locator('#quill-toolbar-italic').waitFor({ timeout: 20_000 });
  await remoteControlOn(agent, customer);

  const surface = agentSurface(agent);
  for (const [i, step] of SCRIPT.entries()) {
    await clearEditingLog(customer);
    await runStep(surface, step, i);
    const expected = JSON.stringify(states[i]);
    try {
      await eventually(
        async () => JSON.stringify(await readEditors(customer)),
        (actual) => actual === expected,
        `"${step.name}": the editors as by hand`,
        10_000,
        150,
      );
    } catch (error) {
      if (!(error instanceof TimedOut)) throw error;
      throw new Error(
        `"${step.name}": by remote control the customer's editors hold\n${error.last as string}\nwhere by hand they held\n${expected}\n\n` +
          `Focus, caret and edits on the customer's page in this step:\n${await editingLog(customer)}`,
      );
    }
  }

  // The live view shows the text the editors show.
  const texts = (root: Page | ReturnType<Page['frameLocator']>) =>
    Promise.all([QUILL, PROSEMIRROR].map((selector) => root.locator(selector).innerText()));
  const onPage = await texts(customer);
  await eventually(
    () => texts(view),
    (inView) => JSON.stringify(inView) === JSON.stringify(onPage),
    'the live view to show the editors',
    5_000,
  );
});
