import type { FrameLocator, Locator, Page } from 'playwright-core';
import type { AppState } from './appState';
import { LIVE_VIEW_IFRAME } from './appState';

/* One user session on a fixture app (test/fixtures/apps/), as data: named steps of mouse and keyboard actions, run
 * through a Surface. The customer's surface is Playwright's own mouse and keyboard on the app's page; the agent's is
 * Playwright's own mouse and keyboard on the console's live view (the replayed page has the same DOM, so the same
 * selectors work). Keys go to whatever has focus, so every step clicks its field first, as a person would. Each step
 * says what it must have done to the app (`expect`), checked on the customer's run. */

/** An element on the app's page: a CSS selector (Playwright's CSS pierces open shadow roots), inside the app's
 * iframe when `frame` is given. `at` is a point in the element, in the page's own CSS pixels. */
export type Target = string | { selector: string; frame?: string; at?: { x: number; y: number } };

export type Action =
  | { click: Target }
  | { dblclick: Target }
  | { type: string }
  | { press: string; times?: number }
  | { choose: Target; values: string[] }
  | { wheel: Target; deltaY: number }
  /** A person's pause between keys, in ms (what arrives from the other side meanwhile is what some steps test). */
  | { pause: number };

export interface Step {
  name: string;
  actions: Action[];
  /** What the step did to the app, checked on the customer's run. */
  expect(state: AppState): void;
}

export interface Surface {
  readonly who: 'customer' | 'agent';
  /** The page whose mouse and keyboard are used. */
  readonly page: Page;
  locate(target: Target): Locator;
  /** Playwright's `position` for a point in the element given in the app page's CSS pixels. */
  position(target: Target): Promise<{ x: number; y: number } | undefined>;
}

/** Between keys: a fast typist's quickest gaps (keys overlap when people type fast). On loopback the round trip to
 * the customer's page and back is a few milliseconds; across a real network it is longer than a person's gap between
 * keys, so typing that outruns the round trip here is what agents do in real use. */
export const TYPING_DELAY_MS = 30;
/** How long one action may wait for its element (e.g. the edit field to appear in the live view). */
export const ACTION_TIMEOUT_MS = 10_000;

const selectorOf = (t: Target) => (typeof t === 'string' ? t : t.selector);
const frameOf = (t: Target) => (typeof t === 'string' ? undefined : t.frame);

function locateIn(root: Page | FrameLocator, target: Target): Locator {
  const frame = frameOf(target);
  return (frame ? root.frameLocator(frame) : root).locator(selectorOf(target)).first();
}

/** The customer: Playwright's mouse and keyboard on the app's own page. */
export function customerSurface(page: Page): Surface {
  return {
    who: 'customer',
    page,
    locate: (target) => locateIn(page, target),
    position: async (target) => (typeof target === 'string' ? undefined : target.at),
  };
}

/** The agent: Playwright's mouse and keyboard on the console's live view of the customer's page. The view is scaled
 * to fit the console, so a point given in page pixels is scaled too. */
export function agentSurface(consolePage: Page): Surface {
  const view = consolePage.frameLocator(LIVE_VIEW_IFRAME);
  const surface: Surface = {
    who: 'agent',
    page: consolePage,
    locate: (target) => locateIn(view, target),
    position: async (target) => {
      if (typeof target === 'string' || !target.at) return undefined;
      const element = surface.locate(target);
      const [box, width] = await Promise.all([
        element.boundingBox({ timeout: ACTION_TIMEOUT_MS }),
        element.evaluate((el) => (el as HTMLElement).offsetWidth),
      ]);
      const scale = box && width ? box.width / width : 1;
      return { x: target.at.x * scale, y: target.at.y * scale };
    },
  };
  return surface;
}

export const describeAction = (action: Action): string => {
  const name = (t: Target) =>
    typeof t === 'string'
      ? t
      : `${t.frame ? `${t.frame} >> ` : ''}${t.selector}${t.at ? ` at ${t.at.x},${t.at.y}` : ''}`;
  if ('click' in action) return `click ${name(action.click)}`;
  if ('dblclick' in action) return `double-click ${name(action.dblclick)}`;
  if ('type' in action) return `type ${JSON.stringify(action.type)}`;
  if ('press' in action) return `press ${action.press}${action.times ? ` \u00d7${action.times}` : ''}`;
  if ('choose' in action) return `choose ${action.values.join(', ')} in ${name(action.choose)}`;
  if ('pause' in action) return `pause ${action.pause} ms`;
  return `wheel ${action.deltaY}px over ${name(action.wheel)}`;
};

export async function perform(surface: Surface, action: Action): Promise<void> {
  const { page } = surface;
  const options = { timeout: ACTION_TIMEOUT_MS };
  if ('click' in action)
    return surface.locate(action.click).click({ ...options, position: await surface.position(action.click) });
  if ('dblclick' in action)
    return surface.locate(action.dblclick).dblclick({ ...options, position: await surface.position(action.dblclick) });
  if ('type' in action) return page.keyboard.type(action.type, { delay: TYPING_DELAY_MS });
  if ('press' in action) {
    for (let i = 0; i < (action.times ?? 1); i++) await page.keyboard.press(action.press, { delay: TYPING_DELAY_MS });
    return;
  }
  if ('choose' in action) {
    await surface.locate(action.choose).selectOption(action.values, options);
    return;
  }
  if ('pause' in action) return page.waitForTimeout(action.pause);
  await surface.locate(action.wheel).hover(options);
  await page.mouse.wheel(0, action.deltaY);
}

/** Runs one step; a failing action names the step, the action and the surface. */
export async function runStep(surface: Surface, step: Pick<Step, 'name' | 'actions'>, index: number): Promise<void> {
  for (const action of step.actions) {
    try {
      await perform(surface, action);
    } catch (error) {
      throw new Error(
        `step ${index + 1} "${step.name}" (${surface.who}): ${describeAction(action)} failed: ${(error as Error).message}`,
      );
    }
  }
}

// --- the script -----------------------------------------------------------------------------------------------------

const click = (target: Target): Action => ({ click: target });
const dblclick = (target: Target): Action => ({ dblclick: target });
const type = (text: string): Action => ({ type: text });
const press = (key: string, times?: number): Action => ({ press: key, times });
const choose = (target: Target, ...values: string[]): Action => ({ choose: target, values });
const wheel = (target: Target, deltaY: number): Action => ({ wheel: target, deltaY });

const POSTCODE: Target = { frame: '#postcode-frame', selector: '#frame-postcode' };

export const SCRIPT: readonly Step[] = [
  {
    name: 'type a task and press Enter: the app adds it and clears the field',
    actions: [click('#new-task'), type('from agent'), press('Enter')],
    expect: (s) => {
      expect(s.tasks).toContain('[ ] from agent');
      expect(s.fields['new-task']).toBe('');
    },
  },
  {
    name: 'fix a typo in the middle: two to the left, Backspace',
    actions: [click('#new-task'), type('Label the boxxes'), press('ArrowLeft', 2), press('Backspace')],
    expect: (s) => expect(s.fields['new-task']).toBe('Label the boxes'),
  },
  {
    name: 'Enter adds the corrected task',
    actions: [press('Enter')],
    expect: (s) => {
      expect(s.tasks).toContain('[ ] Label the boxes');
      expect(s.fields['new-task']).toBe('');
    },
  },
  {
    name: 'double-click a task, change it, Enter saves',
    actions: [
      dblclick('#task-1 .task-title'),
      click('#task-1-edit'),
      press('End'),
      type(' on Saturday'),
      press('Enter'),
    ],
    expect: (s) => expect(s.tasks[0]).toBe('[ ] Book the van on Saturday'),
  },
  {
    name: 'double-click a task, type, Escape leaves it as it was',
    actions: [
      dblclick('#task-2 .task-title'),
      click('#task-2-edit'),
      press('End'),
      type(' and the hall'),
      press('Escape'),
    ],
    expect: (s) => expect(s.tasks[1]).toBe('[ ] Pack the kitchen'),
  },
  {
    name: 'tick a task as done',
    actions: [click('#task-2-done')],
    expect: (s) => expect(s.tasks[1]).toBe('[x] Pack the kitchen'),
  },
  {
    name: 'search the tasks (Enter)',
    actions: [click('#task-search'), type('van'), press('Enter')],
    expect: (s) => expect(s.tasks).toEqual(['[ ] Book the van on Saturday']),
  },
  {
    name: 'clear the search: Shift+Home, Backspace, Enter',
    actions: [click('#task-search'), press('Shift+Home'), press('Backspace'), press('Enter')],
    expect: (s) => expect(s.tasks).toHaveLength(5),
  },
  {
    name: 'full name, then Tab to the email',
    actions: [click('#full-name'), type('Samantha Rivera'), press('Tab'), type('sam@example.org')],
    expect: (s) => expect([s.fields['full-name'], s.fields.email]).toEqual(['Samantha Rivera', 'sam@example.org']),
  },
  {
    name: 'double-click a word and type over it',
    actions: [dblclick({ selector: '#full-name', at: { x: 16, y: 12 } }), type('Sam')],
    expect: (s) => expect(s.fields['full-name']).toBe('Sam Rivera'),
  },
  {
    name: 'select the end with Shift+ArrowLeft and type over it',
    actions: [click('#email'), press('End'), press('Shift+ArrowLeft', 3), type('com')],
    expect: (s) => expect(s.fields.email).toBe('sam@example.com'),
  },
  {
    name: 'choose in a select',
    actions: [choose('#move-size', 'two-bedroom')],
    expect: (s) => expect(s.fields['move-size']).toBe('two-bedroom'),
  },
  {
    name: 'choose two in a multi-select',
    actions: [choose('#extras', 'packing', 'cleaning')],
    expect: (s) => expect(s.fields.extras).toBe('packing,cleaning'),
  },
  {
    name: 'pick a radio button',
    actions: [click('#time-evening')],
    expect: (s) => expect([s.fields['time-morning'], s.fields['time-evening']]).toEqual(['unchecked', 'checked']),
  },
  {
    name: 'set the budget: click the middle of the slider, then two steps right',
    actions: [click('#budget'), press('ArrowRight', 2)],
    expect: (s) => expect(s.fields.budget).toBe('1700'),
  },
  {
    name: 'write three lines in the textarea',
    actions: [
      click('#access-notes'),
      type('Parking at the back.'),
      press('Enter'),
      type('The lift is small.'),
      press('Enter'),
      type('Ring twice.'),
    ],
    expect: (s) => expect(s.fields['access-notes']).toBe('Parking at the back.\nThe lift is small.\nRing twice.'),
  },
  {
    name: 'add to the notes box (contenteditable)',
    actions: [click('#notes'), press('Control+End'), type(' Keys are with the neighbour.')],
    expect: (s) => expect(s.fields.notes).toBe('Fragile: the mirror in the hall. Keys are with the neighbour.'),
  },
  {
    name: 'type in the field inside the shadow root',
    actions: [click('#contact-phone'), type('07700 900123')],
    expect: (s) => expect(s.fields['contact/contact-phone']).toBe('07700 900123'),
  },
  {
    name: 'type in the field inside the iframe, select all, type over it',
    actions: [click(POSTCODE), type('SW1A 1AA'), press('Control+A'), type('EC1A 1BB')],
    expect: (s) => expect(s.fields['postcode-frame/frame-postcode']).toBe('EC1A 1BB'),
  },
  {
    name: 'scroll the activity panel',
    actions: [wheel('#activity', 200)],
    expect: (s) => expect(s.scroll.activity).toBe('0,200'),
  },
  {
    name: 'scroll the page',
    actions: [wheel('header h1', 500)],
    expect: (s) => expect(s.scroll.window).toBe('0,500'),
  },
];
