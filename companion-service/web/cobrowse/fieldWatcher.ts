import { deepActiveElement, frameDocumentOf, hasSelectionApi, isElement, tagOf } from './control/domTargets';

/* What the recorder can't see of the visitor's fields. rrweb records typing, and values set by script through the
 * prototype's setter; a framework that keeps its own `value` property on the element (React does) captured the setter
 * before the recorder hooked it, so a field it clears from script kept its old text in the live view, and the agent
 * then typed after text that was gone. This checks the fields' real values a few times a second (and right after each
 * remote-control action) and sends what changed as custom events, which the live view applies (viewerFields.ts).
 * While remote control is on it also reports where the visitor's focus and caret are, so the agent's view shows the
 * caret its keys will type at. Masked fields are never reported. */

export const FIELD_EVENT = 'tandem.field';
export const FOCUS_EVENT = 'tandem.focus';

export interface FieldReport {
  id: number;
  value: string;
  checked: boolean;
}
export interface FocusReport {
  /** null: focus left every element (the customer clicked on the page's background, or a field was blurred). */
  id: number | null;
  start: number | null;
  end: number | null;
  direction: 'forward' | 'backward' | 'none' | null;
  /** The agent's last action this page had taken when it said so (control.input's seq): the view moves its caret
   * only for a report that knows of the agent's own last choice of field (viewerFields.ts). */
  seq?: number;
}

const NOTHING_FOCUSED: FocusReport = { id: null, start: null, end: null, direction: null };
const POLL_MS = 250;
const FIELDS = 'input, textarea, select';

type FieldElement = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** A document's fields, through the live lists the browser keeps up to date for each tag: reading them four times a
 * second costs much less than a selector query over the whole page each time. */
function* fieldsOf(doc: Document): Generator<FieldElement> {
  yield* doc.getElementsByTagName('input');
  yield* doc.getElementsByTagName('textarea');
  yield* doc.getElementsByTagName('select');
}

function stateOf(el: FieldElement): { value: string; checked: boolean } {
  if (tagOf(el) === 'select') {
    const select = el as HTMLSelectElement;
    return { value: [...select.options].map((o) => (o.selected ? '1' : '0')).join(''), checked: false };
  }
  const input = el as HTMLInputElement;
  return { value: input.value, checked: input.type === 'checkbox' || input.type === 'radio' ? input.checked : false };
}

export class FieldWatcher {
  private readonly known = new WeakMap<Element, string>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private reportFocus = false;
  private lastFocus = '';
  /** The seq of the agent's action being applied, or applied last. */
  private actionSeq: number | undefined;
  private readonly onSelection = () => this.checkFocus();
  /** Focus left an element: said once the browser has settled where it went (a move between two elements blurs the
   * first before it focuses the second), so a blur is said at once and a move only once. */
  private readonly onFocusOut = () => {
    clearTimeout(this.focusOutTimer);
    this.focusOutTimer = setTimeout(() => this.checkFocus(), 0);
  };
  private focusOutTimer: ReturnType<typeof setTimeout> | undefined;
  /** Typing and choices the recorder saw itself: no need to send them again. A multiple select is the exception: the
   * recorder only records its first chosen option. */
  private readonly onInput = (event: Event) => {
    const target = event.composedPath()[0];
    if (isElement(target as Node) && (target as Element).matches(FIELDS) && !(target as HTMLSelectElement).multiple) {
      const state = stateOf(target as FieldElement);
      this.known.set(target as Element, `${state.checked ? 1 : 0}${state.value}`);
    }
  };

  constructor(
    private readonly emit: (tag: string, payload: FieldReport | FocusReport) => void,
    private readonly idOf: (node: Node) => number,
    private readonly isMasked: (el: Element) => boolean,
    private readonly doc: Document = document,
  ) {}

  start(): void {
    this.learn();
    this.timer = setInterval(() => this.check(), POLL_MS);
    this.doc.addEventListener('selectionchange', this.onSelection);
    this.doc.addEventListener('focusin', this.onSelection, true);
    this.doc.addEventListener('focusout', this.onFocusOut, true);
    this.doc.addEventListener('input', this.onInput, true);
    this.doc.addEventListener('change', this.onInput, true);
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.focusOutTimer);
    this.doc.removeEventListener('selectionchange', this.onSelection);
    this.doc.removeEventListener('focusin', this.onSelection, true);
    this.doc.removeEventListener('focusout', this.onFocusOut, true);
    this.doc.removeEventListener('input', this.onInput, true);
    this.doc.removeEventListener('change', this.onInput, true);
  }

  /** Report focus and caret while remote control is on. */
  setReportFocus(on: boolean): void {
    this.reportFocus = on;
    this.lastFocus = '';
    if (on) this.checkFocus();
  }

  /** The agent's action numbered `seq` is about to be applied: what it does to focus is reported with its number. */
  actionArriving(seq: number | undefined): void {
    if (seq !== undefined) this.actionSeq = seq;
  }

  /** Sends the fields whose value changed without the recorder noticing, then the focus. */
  check(): void {
    for (const el of this.fields()) {
      const state = stateOf(el);
      const key = `${state.checked ? 1 : 0}${state.value}`;
      const before = this.known.get(el);
      this.known.set(el, key);
      if (before === undefined || before === key || this.isMasked(el)) continue;
      const id = this.idOf(el);
      if (id > 0) this.emit(FIELD_EVENT, { id, ...state });
    }
    this.checkFocus();
  }

  /** The values the recorder's snapshot has: changes are measured from these. */
  private learn(): void {
    for (const el of this.fields()) {
      const state = stateOf(el);
      this.known.set(el, `${state.checked ? 1 : 0}${state.value}`);
    }
  }

  private *fields(): Generator<FieldElement> {
    yield* fieldsOf(this.doc);
    for (const frame of this.doc.getElementsByTagName('iframe')) {
      const inner = frameDocumentOf(frame);
      if (inner) yield* fieldsOf(inner);
    }
    // A field inside a shadow root is reached when it has focus, which is when it matters most.
    const active = deepActiveElement(this.doc);
    if (active && active.getRootNode() !== active.ownerDocument && active.matches(FIELDS)) yield active as FieldElement;
  }

  private checkFocus(): void {
    if (!this.reportFocus) return;
    const active = deepActiveElement(this.doc);
    const report = !isElement(active) || active === this.doc.body ? NOTHING_FOCUSED : this.focusOn(active);
    if (!report) return;
    // Said again only when focus or caret moved, not for each action that left them where they were.
    const key = JSON.stringify(report);
    if (key === this.lastFocus) return;
    this.lastFocus = key;
    this.emit(FOCUS_EVENT, this.actionSeq === undefined ? report : { ...report, seq: this.actionSeq });
  }

  /** A masked element's focus, or one the recording can't name (the widget's), is not said: the view keeps what it
   * knew, and the agent's keys there are refused as they would be in the field itself. */
  private focusOn(active: Element): FocusReport | undefined {
    if (this.isMasked(active)) return undefined;
    const id = this.idOf(active);
    if (id <= 0) return undefined;
    const selectable = hasSelectionApi(active);
    return {
      id,
      start: selectable ? active.selectionStart : null,
      end: selectable ? active.selectionEnd : null,
      direction: selectable ? active.selectionDirection : null,
    };
  }
}
