import { FIELD_EVENT, FOCUS_EVENT, type FieldReport, type FocusReport } from './fieldWatcher';
import { isFocused } from './control/domTargets';
import type { TextSelection } from './viewerInput';

/* The customer's real fields in the live view: values the recording missed (set by a framework's own setter) and,
 * while the agent controls the page, where the customer's focus and caret are, so the view's caret is the one the
 * agent's keys type at. The view only moves its caret while it has focus itself, so it never takes focus from the
 * rest of the console. The replay is another realm: elements are told apart by tag name. */

type CustomEvent = { data?: { tag?: string; payload?: unknown } };

export interface ViewerFieldsContext {
  node(id: number): Node | null;
  nodeId(node: Node): number | undefined;
  /** How many remote-control actions the view has sent: the last one's seq. */
  actionsSent(): number;
  /** Whether the agent is working in the view right now (its frame has focus) and controls the page. */
  mayMoveCaret(): boolean;
}

const FIELD_TAGS = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
const SELECTABLE_TYPES = new Set(['text', 'search', 'url', 'tel', 'password']);

export class ViewerFields {
  /** Set while the view moves its own caret: the selectionchange that follows is not the agent's. */
  applying = false;
  /** The selection the customer's page has in each field, as it last said or as the agent last sent it. */
  private readonly selections = new Map<number, TextSelection>();

  /** The element focused on the customer's page, as it last said or as the agent last made it. */
  focus: number | undefined;

  /** Set while the agent has put the caret in a field of the view themselves and the customer's page has not said
   * anything since that knows of it: the seq of the first action that tells the page. A report of the page's focus
   * from before (a slow stream's, or the customer's own move at that moment) must not take the field from the agent,
   * or what they type next goes into the field the report names: a fill after ticking a checkbox typed nothing. */
  private agentChoseFrom: number | undefined;

  known(nodeId: number): TextSelection | undefined {
    return this.selections.get(nodeId);
  }

  sent(nodeId: number, selection: TextSelection): void {
    this.selections.set(nodeId, selection);
  }

  constructor(private readonly ctx: ViewerFieldsContext) {}

  /** The replay sets field values as the customer's page changes them, which puts the caret at the end; in the field
   * the agent is typing in, the caret must stay where the customer's page has it (it says so right after). */
  keepCaretsIn(win: Window): void {
    const caretKept = (el: HTMLInputElement, before: { start: number; end: number }) => this.caretKept(el, before);
    for (const proto of [
      (win as typeof window).HTMLInputElement?.prototype,
      (win as typeof window).HTMLTextAreaElement?.prototype,
    ]) {
      const descriptor = proto && Object.getOwnPropertyDescriptor(proto, 'value');
      if (!proto || !descriptor?.set || (descriptor.set as { keepsCaret?: boolean }).keepsCaret) continue;
      const set = descriptor.set;
      const keeping = function (this: HTMLInputElement, value: string) {
        const focused = isFocused(this) && selectable(this);
        const start = focused ? this.selectionStart : null;
        const end = focused ? this.selectionEnd : null;
        set.call(this, value);
        if (start === null || end === null) return;
        this.setSelectionRange(Math.min(start, this.value.length), Math.min(end, this.value.length));
        caretKept(this, { start, end });
      };
      Object.defineProperty(keeping, 'keepsCaret', { value: true });
      Object.defineProperty(proto, 'value', { ...descriptor, set: keeping });
    }
  }

  /** The replay changed the text of the focused field before the customer's page said where its caret went, and the
   * view kept its caret within the new text: a guess, not a place the agent chose. It becomes the known selection, or
   * the agent's next key would be sent with it and undo the customer's last edit (the whole old text selected and
   * typed over left the new text's first letter selected, and the next key replaced it). The report that follows puts
   * both right. */
  private caretKept(el: HTMLInputElement, before: { start: number; end: number }): void {
    const id = this.focus;
    if (id === undefined || this.element(id) !== el) return;
    const known = this.selections.get(id);
    if (known?.start !== before.start || known.end !== before.end) return;
    this.selections.set(id, {
      start: el.selectionStart ?? 0,
      end: el.selectionEnd ?? 0,
      direction: el.selectionDirection ?? 'none',
    });
  }

  /** Handles one of the replayer's custom events; ignores any that are not Tandem's, or not in their shape: the page
   * stream comes from the customer's browser, and one bad report must not stop the view. */
  handle(event: CustomEvent): void {
    const tag = event.data?.tag;
    const payload = event.data?.payload;
    if (tag === FIELD_EVENT && isFieldReport(payload)) this.field(payload);
    else if (tag === FOCUS_EVENT && isFocusReport(payload)) this.focused(payload);
  }

  private element(id: unknown): HTMLElement | undefined {
    if (typeof id !== 'number') return undefined;
    const node = this.ctx.node(id);
    return node && node.nodeType === 1 ? (node as HTMLElement) : undefined;
  }

  private field(report: FieldReport): void {
    const el = this.element(report.id);
    if (!el || !FIELD_TAGS.has(el.tagName)) return;
    if (el.tagName === 'SELECT') {
      const options = (el as HTMLSelectElement).options;
      [...report.value].forEach((flag, i) => {
        const option = options[i];
        if (option) option.selected = flag === '1';
      });
      return;
    }
    const input = el as HTMLInputElement;
    if (input.type === 'checkbox' || input.type === 'radio') input.checked = report.checked;
    else if (input.value !== report.value) input.value = report.value;
  }

  /** Follows the agent putting the caret in a field of this replayed document themselves (a click, Tab, a test's
   * focus()), not the view doing so for the customer's page. */
  attach(doc: Document): () => void {
    const onFocus = (event: Event) => {
      if (this.applying) return;
      const id = this.ctx.nodeId(event.composedPath()[0] as Node);
      if (id === undefined) return;
      // A press sent just before (its pointer action) already told the page where focus goes; else the next action
      // does.
      const sent = this.ctx.actionsSent();
      this.agentChoseFrom = this.focus === id ? sent : sent + 1;
    };
    doc.addEventListener('focusin', onFocus, true);
    return () => doc.removeEventListener('focusin', onFocus, true);
  }

  /** The view was built again from a fresh snapshot: its elements are new and none has focus. The field focused on
   * the customer's page gets it back, with its caret, while the agent works in the view; else the agent's caret was
   * gone, and text that comes without keys (an input method, dictation) went nowhere. */
  refocus(): void {
    this.agentChoseFrom = undefined;
    if (this.focus === undefined) return;
    const selection = this.selections.get(this.focus);
    this.focused({
      id: this.focus,
      start: selection?.start ?? null,
      end: selection?.end ?? null,
      direction: selection?.direction ?? null,
    });
  }

  private focused(report: FocusReport): void {
    // Nothing has focus there now: the view keeps its caret, and the agent's next key takes its field along
    // (viewerInput.ts sends the field it types in whenever it differs from this); else the key would go nowhere.
    if (report.id === null) {
      this.focus = undefined;
      return;
    }
    this.focus = report.id;
    if (report.start !== null && report.end !== null) {
      this.selections.set(report.id, { start: report.start, end: report.end, direction: report.direction ?? 'none' });
    }
    // Known, but the agent's caret stays where they put it: their next key goes with its field (viewerInput.ts).
    if (this.agentChoseFrom !== undefined && !(report.seq !== undefined && report.seq >= this.agentChoseFrom)) return;
    this.agentChoseFrom = undefined;
    const el = this.element(report.id);
    if (!el || !this.ctx.mayMoveCaret()) return;
    this.applying = true;
    try {
      if (!isFocused(el)) el.focus({ preventScroll: true });
      if (report.start !== null && report.end !== null && selectable(el)) {
        el.setSelectionRange(report.start, report.end, report.direction ?? 'none');
      }
    } finally {
      // selectionchange is dispatched later, as a task: keep the flag until it has been seen.
      setTimeout(() => (this.applying = false), 0);
    }
  }
}

function selectable(el: Element): el is HTMLInputElement | HTMLTextAreaElement {
  return el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && SELECTABLE_TYPES.has((el as HTMLInputElement).type));
}

const DIRECTIONS: ReadonlySet<unknown> = new Set(['forward', 'backward', 'none', null, undefined]);
const isOffset = (value: unknown) =>
  value === null || (typeof value === 'number' && Number.isInteger(value) && value >= 0);

function isFieldReport(value: unknown): value is FieldReport {
  const report = value as Partial<FieldReport> | null;
  return (
    typeof report === 'object' &&
    report !== null &&
    typeof report.id === 'number' &&
    typeof report.value === 'string' &&
    typeof report.checked === 'boolean'
  );
}

function isFocusReport(value: unknown): value is FocusReport {
  const report = value as Partial<FocusReport> | null;
  return (
    typeof report === 'object' &&
    report !== null &&
    (typeof report.id === 'number' || report.id === null) &&
    isOffset(report.start) &&
    isOffset(report.end) &&
    DIRECTIONS.has(report.direction) &&
    (report.seq === undefined || (Number.isInteger(report.seq) && report.seq >= 0))
  );
}
