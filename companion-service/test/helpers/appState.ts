import type { Page } from 'playwright-core';
import { eventually } from './eventually';

/* The state of a fixture app (test/fixtures/apps/), normalised so that two runs of the same script can be compared:
 * the #app subtree as one line per element or text (with each control's live value, the open shadow root's and the
 * same-origin iframe's content, and scroll positions), the form fields by id, the task list as shown, and the app's
 * own model (`window.__appModel()`).
 *
 * Normalised: whitespace in text is collapsed (a space typed at the end of a contenteditable is a no-break space until
 * the next character), comments, <script> and <style> are left out, and only the attributes that carry meaning are
 * kept. Ignored on purpose: the `value` attribute of text fields and the `checked` and `selected` attributes
 * (frameworks and the live view's snapshot set them differently; the live properties, what the user sees, are kept
 * instead), `style` (rrweb rewrites it in the live view), the live view's own classes (`:hover`) and attributes
 * (`rr_*`), remote control's `data-tandem-hover` (its stand-in for :hover), `src` (the live view renames it), and focus and caret position (the live view does not show them). What
 * masking hides (anything inside [data-tandem-mask], password fields) reads as "(masked)" on both sides: the live
 * view shows bullets there by design. */

export interface AppState {
  /** The #app subtree, one line per element or text node, indented two spaces per level. */
  dom: string[];
  /** Each control's value by id: "checked"/"unchecked" for toggles, selected values joined by "," for selects, the
   * text of a contenteditable. Inside the shadow root and the iframe: "<host or frame id>/<id>". */
  fields: Record<string, string>;
  /** The task list as shown: "[x] Title" or "[ ] Title", "[ ] (editing) text" while a task is being edited. */
  tasks: string[];
  /** Scroll positions, rounded: "window" and each scrolled element by id. */
  scroll: Record<string, string>;
  /** The app's own model, or null where the page runs no script (the live view's replay). */
  model: unknown;
}

/** What the product masks in the customer's browser before recording (web/cobrowse/masking.ts, ALWAYS_MASKED). */
export const MASKED = '[data-tandem-mask], input[type="password" i]';
/** The console's live view: the replay's iframe. */
export const LIVE_VIEW_IFRAME = '[data-testid="live-view"] iframe';

/** Runs in the browser (serialised by Playwright: self-contained, no imports, no `instanceof` across frames). */
function readApp(arg: { iframe: string | null; masked: string }): AppState {
  // `iframe`: read the document in that iframe (the live view's replay) instead of the page's own.
  const doc =
    arg.iframe === null
      ? document
      : ((document.querySelector(arg.iframe) as HTMLIFrameElement | null)?.contentDocument ?? null);
  const app = doc?.getElementById('app');
  const state: AppState = { dom: [], fields: {}, tasks: [], scroll: {}, model: null };
  if (!doc || !app) return { ...state, dom: ['(no #app)'] };

  const KEEP =
    /^(id|class|name|type|for|role|href|placeholder|title|multiple|size|disabled|readonly|hidden|contenteditable|tabindex|min|max|step|rows|aria-[\w-]+|data-(?!rr|v-)[\w-]+)$/;
  const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'LINK', 'META']);
  const MASK = '(masked)';
  const clean = (text: string) => text.replace(/\s+/g, ' ').trim();
  const tag = (el: Element) => el.tagName.toUpperCase();
  const isToggle = (el: Element) =>
    tag(el) === 'INPUT' && ['checkbox', 'radio'].includes((el as HTMLInputElement).type);

  function fieldValue(el: Element, masked: boolean): string | undefined {
    const t = tag(el);
    if (t === 'INPUT' && isToggle(el)) return (el as HTMLInputElement).checked ? 'checked' : 'unchecked';
    if (t === 'INPUT' || t === 'TEXTAREA') return masked ? MASK : (el as HTMLInputElement).value;
    if (t === 'SELECT')
      return masked
        ? MASK
        : Array.from((el as HTMLSelectElement).options)
            .filter((o) => o.selected)
            .map((o) => o.value)
            .join(',');
    if ((el as HTMLElement).isContentEditable && el.getAttribute('contenteditable') !== null)
      return masked ? MASK : clean(el.textContent ?? '');
    return undefined;
  }

  function attributes(el: Element): string {
    const kept: string[] = [];
    for (const a of Array.from(el.attributes)) {
      // data-tandem-hover: remote control's stand-in for :hover while the agent's pointer is over an element.
      if (!KEEP.test(a.name) || a.name === 'data-tandem-hover') continue;
      const value =
        a.name === 'class'
          ? a.value
              .split(/\s+/)
              .filter((c) => c && !c.startsWith(':') && !/^rr[-_]/.test(c))
              .sort()
              .join(' ')
          : a.value;
      if (a.name === 'class' && !value) continue;
      kept.push(`${a.name}=${JSON.stringify(value)}`);
    }
    return kept
      .sort()
      .map((a) => ` ${a}`)
      .join('');
  }

  function walk(node: Node, depth: number, masked: boolean, scope: string): void {
    const pad = '  '.repeat(depth);
    if (node.nodeType === 3) {
      const text = clean((node as Text).data);
      if (text) state.dom.push(`${pad}${JSON.stringify(masked ? MASK : text)}`);
      return;
    }
    if (node.nodeType !== 1) return;
    const el = node as Element;
    if (SKIP.has(tag(el))) return;
    const isMasked = masked || el.matches(arg.masked);
    const value = fieldValue(el, isMasked);
    let line = `${pad}<${el.tagName.toLowerCase()}${attributes(el)}>`;
    // An option's, a checkbox's or a radio's own value: the property, which is "on" for a toggle without the
    // attribute (the live view's snapshot writes the attribute out).
    if (tag(el) === 'OPTION' || isToggle(el)) line += ` value=${JSON.stringify((el as HTMLInputElement).value)}`;
    // What the user sees: checked or not, selected or not, the text in a field (a contenteditable's is its children).
    if (isToggle(el)) line += ` ${value}`;
    else if (tag(el) === 'OPTION') line += (el as HTMLOptionElement).selected ? ' selected' : '';
    else if (value !== undefined && !el.hasAttribute('contenteditable')) line += ` = ${JSON.stringify(value)}`;
    const overflow = el.ownerDocument.defaultView?.getComputedStyle(el).overflowY;
    if ((overflow === 'auto' || overflow === 'scroll') && el.scrollHeight > el.clientHeight) {
      const at = `${Math.round(el.scrollLeft)},${Math.round(el.scrollTop)}`;
      line += ` scroll=${at}`;
      if (el.id) state.scroll[`${scope}${el.id}`] = at;
    }
    state.dom.push(line);
    if (value !== undefined && el.id) state.fields[`${scope}${el.id}`] = value;

    if (el.shadowRoot) {
      state.dom.push(`${pad}  #shadow-root`);
      for (const child of Array.from(el.shadowRoot.childNodes))
        walk(child, depth + 2, isMasked, `${el.id || el.tagName.toLowerCase()}/`);
    }
    if (tag(el) === 'IFRAME') {
      let body: HTMLElement | null = null;
      try {
        body = (el as HTMLIFrameElement).contentDocument?.body ?? null;
      } catch {
        body = null;
      }
      state.dom.push(`${pad}  #document${body ? '' : ' (not readable)'}`);
      if (body)
        for (const child of Array.from(body.childNodes)) walk(child, depth + 2, isMasked, `${el.id || 'iframe'}/`);
    }
    // A textarea's children are its default value, not what it shows.
    if (tag(el) !== 'TEXTAREA') for (const child of Array.from(el.childNodes)) walk(child, depth + 1, isMasked, scope);
  }

  const win = doc.defaultView;
  state.scroll.window = win ? `${Math.round(win.scrollX)},${Math.round(win.scrollY)}` : '(none)';
  state.dom.push(`window scroll=${state.scroll.window}`);
  walk(app, 0, false, '');

  for (const li of Array.from(doc.querySelectorAll('#task-list > li'))) {
    const done = li.querySelector('input[type="checkbox"]') as HTMLInputElement | null;
    const edit = li.querySelector('.task-edit') as HTMLInputElement | null;
    state.tasks.push(
      `[${done?.checked ? 'x' : ' '}] ${edit ? `(editing) ${edit.value}` : clean(li.textContent ?? '')}`,
    );
  }
  if (arg.iframe === null) {
    const read = (window as unknown as { __appModel?: () => unknown }).__appModel;
    state.model = typeof read === 'function' ? read() : null;
  }
  return state;
}

/** The app's state on its own page (the customer's). */
export function appState(page: Page): Promise<AppState> {
  return page.evaluate(readApp, { iframe: null, masked: MASKED });
}

/** The same extraction on the console's live view: the replayed document, its controls as the view shows them. */
export function liveViewState(consolePage: Page): Promise<AppState> {
  return consolePage.evaluate(readApp, { iframe: LIVE_VIEW_IFRAME, masked: MASKED });
}

/** The part of the state the live view can show (everything but the model). */
export const shown = (s: AppState): Omit<AppState, 'model'> => ({
  dom: s.dom,
  fields: s.fields,
  tasks: s.tasks,
  scroll: s.scroll,
});

export const sameState = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Polls the state until two readings in a row are the same (typing handled, re-rendered, scrolling stopped). */
export async function settledState(
  read: () => Promise<AppState>,
  what: string,
  timeoutMs = 5_000,
  pollMs = 120,
): Promise<AppState> {
  let last: AppState | undefined;
  const settled = async () => {
    const before = last;
    last = await read();
    return before !== undefined && sameState(before, last);
  };
  await eventually(settled, (same) => same, `${what}: the app's state to stop changing`, timeoutMs, pollMs);
  return last!;
}

/** A readable difference between two states: the DOM lines that differ (with a line of context) and the model. */
export function stateDiff(expected: Partial<AppState>, actual: Partial<AppState>, maxLines = 40): string {
  const out: string[] = [];
  const a = expected.dom ?? [];
  const b = actual.dom ?? [];
  // Longest common subsequence of lines, then walk it for -/+ lines.
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  let i = 0;
  let j = 0;
  let lastContext = -1;
  const context = (k: number) => {
    if (k > lastContext && k >= 0 && k < a.length) out.push(`  ${a[k]}`);
    lastContext = Math.max(lastContext, k);
  };
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      context(i - 1);
      out.push(`+ ${b[j++]}`);
    } else {
      context(i - 1);
      out.push(`- ${a[i++]}`);
    }
  }
  const lines = out.length > maxLines ? [...out.slice(0, maxLines), `  ... ${out.length - maxLines} more lines`] : out;
  if (expected.model !== undefined && actual.model !== undefined && !sameState(expected.model, actual.model)) {
    lines.push(`model expected: ${JSON.stringify(expected.model)}`, `model actual:   ${JSON.stringify(actual.model)}`);
  }
  return lines.length ? `(- expected, + actual)\n${lines.join('\n')}` : '(no difference)';
}
