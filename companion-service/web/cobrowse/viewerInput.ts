import type { ControlActionOf, ControlInputAction, Modifiers, TextInputType } from '../../src/protocol/controlActions';
import { deepActiveElement } from './control/domTargets';
import type { TextRange } from './customerRange';

/* The agent's own input in the live view, turned into remote-control actions. The view is a picture of the customer's
 * page: in control mode it keeps nothing of the agent's input for itself (keys, clicks on checkboxes and links, wheel
 * and edits are prevented here) and waits for the customer's page to change and come back through the recording.
 * What the agent's browser works out is kept: its click counts, its double-click, where its caret landed after a
 * press, the text an input method or a paste produced. The replayed document is another realm, so elements are told
 * apart by tag name, not instanceof. */

export type ViewerMode = 'view' | 'control' | 'read-aloud';

export interface ViewerInputContext {
  mode(): ViewerMode;
  /** The recorded node id of a node of the replay, if it has one. */
  nodeId(node: Node): number | undefined;
  isMasked(el: Element): boolean;
  send(action: ControlInputAction): void;
  readAloud(nodeId: number, text: string): void;
  maskedField(): void;
  /** True while the view itself is setting the caret to show the customer's (its selectionchange is not the agent's). */
  applyingRemoteSelection(): boolean;
  /** The element the customer's page last reported focused (or was last told to focus). */
  knownFocus(): number | undefined;
  focusSent(nodeId: number): void;
  /** The selection the customer's page last reported (or was last sent) for this field. */
  knownSelection(nodeId: number): TextSelection | undefined;
  /** The customer's page will have this selection in this field (it is being sent). */
  selectionSent(nodeId: number, selection: TextSelection): void;
  /** Whether the customer's page has this selection of page text already (customerRange.ts). */
  customerHasRange(range: TextRange): boolean;
  /** The customer's page will have this selection of page text (it is being sent). */
  rangeSent(range: TextRange): void;
}

export interface TextSelection {
  start: number;
  end: number;
  direction: 'forward' | 'backward' | 'none';
}

const TEXT_INPUT_TYPES = new Set<string>([
  'insertText',
  'insertFromPaste',
  'insertFromDrop',
  'insertReplacementText',
  'deleteByCut',
]);
const PICKER_TYPES = new Set(['range', 'color', 'date', 'datetime-local', 'month', 'time', 'week']);
const SELECTABLE_TYPES = new Set(['text', 'search', 'url', 'tel', 'password']);
/** Moves closer together than this don't each need to reach the customer's page for hover to work; over one element,
 * moves matter less (the socket's message budget is shared with the agent's keys and clicks). */
const HOVER_MS = 50;
const SAME_ELEMENT_MOVE_MS = 250;
/** How long after the button is released a selection change still comes from the press (a double-click's word). */
const POINTER_SELECTION_MS = 300;

const isElement = (node: unknown): node is Element => !!node && (node as Node).nodeType === 1;
const tag = (el: Element) => el.tagName;
const isToggle = (el: Element) => tag(el) === 'INPUT' && ['checkbox', 'radio'].includes((el as HTMLInputElement).type);
const hasSelectionApi = (el: Element): el is HTMLInputElement | HTMLTextAreaElement =>
  tag(el) === 'TEXTAREA' || (tag(el) === 'INPUT' && SELECTABLE_TYPES.has((el as HTMLInputElement).type));

function keyFields(e: KeyboardEvent) {
  return {
    key: e.key.slice(0, 32),
    code: e.code.slice(0, 32),
    location: e.location,
    repeat: e.repeat,
    mods: modifiers(e),
  };
}

function sameSelection(a: TextSelection | undefined, b: TextSelection): boolean {
  return !!a && a.start === b.start && a.end === b.end && (a.direction === b.direction || a.start === a.end);
}

function modifiers(e: MouseEvent | KeyboardEvent): Modifiers {
  return { alt: e.altKey, ctrl: e.ctrlKey, meta: e.metaKey, shift: e.shiftKey };
}

/** The innermost element an event happened on, inside shadow roots too. */
function targetOf(e: Event): Element | undefined {
  const first = e.composedPath()[0];
  return isElement(first)
    ? first
    : isElement((first as Node | undefined)?.parentElement)
      ? ((first as Node).parentElement as Element)
      : undefined;
}

function point(el: Element, e: MouseEvent) {
  const rect = el.getBoundingClientRect();
  return { x: e.clientX - rect.left, y: e.clientY - rect.top, w: rect.width, h: rect.height };
}

/** The nearest element under the pointer that scrolls in the wheel's direction; null for the page. */
function scroller(el: Element | undefined, vertical: boolean): Element | null {
  for (
    let current = el;
    current && tag(current) !== 'BODY' && tag(current) !== 'HTML';
    current = current.parentElement ?? undefined
  ) {
    const style = current.ownerDocument.defaultView?.getComputedStyle(current);
    const overflow = vertical ? style?.overflowY : style?.overflowX;
    const room = vertical ? current.scrollHeight > current.clientHeight : current.scrollWidth > current.clientWidth;
    if (room && (overflow === 'auto' || overflow === 'scroll')) return current;
  }
  return null;
}

export class ViewerInput {
  private lastHover = { nodeId: -1, at: 0 };
  /** Keys whose keydown went to the customer's page: only they get a keyup there. */
  private readonly keysDown = new Set<string>();
  /** The agent's selection, sent just before the next action so a key never overtakes the selection it acts on. */
  private pendingSelection: ControlInputAction | undefined;
  private selectionTimer: ReturnType<typeof setTimeout> | undefined;
  /** The view's selection changes with every value the recording sets; only the agent's pointer makes it theirs. */
  private pointerSelectingUntil = 0;

  constructor(private readonly ctx: ViewerInputContext) {}

  /** What each event the view listens to does (`anyOrigin`: taken whether or not the person made it). */
  private readonly handlers: Record<string, { handle: (e: Event) => void; anyOrigin?: boolean }> = {
    // mousedown and mouseup, not pointerdown and pointerup: they carry the click count (pointer events' detail is 0).
    mousedown: { handle: (e) => this.pointer(e as MouseEvent, 'down') },
    mouseup: { handle: (e) => this.pointer(e as MouseEvent, 'up') },
    mousemove: { handle: (e) => this.pointer(e as MouseEvent, 'move') },
    click: { handle: (e) => this.click(e as MouseEvent, 'click') },
    dblclick: { handle: (e) => this.click(e as MouseEvent, 'dblclick') },
    contextmenu: { handle: (e) => this.click(e as MouseEvent, 'contextmenu') },
    auxclick: { handle: (e) => this.click(e as MouseEvent, 'auxclick') },
    keydown: { handle: (e) => this.keydown(e as KeyboardEvent) },
    keyup: { handle: (e) => this.keyup(e as KeyboardEvent) },
    beforeinput: { handle: (e) => this.beforeinput(e as InputEvent) },
    paste: {
      handle: (e) =>
        this.clipboard(e, 'insertFromPaste', (e as ClipboardEvent).clipboardData?.getData('text/plain') ?? ''),
    },
    cut: { handle: (e) => this.clipboard(e, 'deleteByCut', '') },
    drop: {
      handle: (e) => this.clipboard(e, 'insertFromDrop', (e as DragEvent).dataTransfer?.getData('text/plain') ?? ''),
    },
    input: { handle: (e) => this.picker(e, false), anyOrigin: true },
    change: { handle: (e) => this.change(e), anyOrigin: true },
    wheel: { handle: (e) => this.wheel(e as WheelEvent) },
  };

  /** Listens on one replayed document (the page, or a frame inside it); returns how to stop. */
  attach(doc: Document): () => void {
    const offs: Array<() => void> = [];
    // Only the agent's own pointer and keys count: the replayer dispatches untrusted mouse events of its own into the
    // view (the customer's mousedown, dblclick... as plain Events), which must never go back as actions. It sends no
    // input or change events, so those are taken as they come (a test tool's selectOption makes untrusted ones).
    for (const [type, { handle, anyOrigin }] of Object.entries(this.handlers)) {
      const listener = (e: Event) => {
        if (e.isTrusted || anyOrigin) handle(e);
      };
      doc.addEventListener(type, listener, true);
      offs.push(() => doc.removeEventListener(type, listener, true));
    }
    const selection = () => this.selectionChanged(doc);
    doc.addEventListener('selectionchange', selection);
    offs.push(() => doc.removeEventListener('selectionchange', selection));
    return () => offs.forEach((off) => off());
  }

  /** The agent's input, taken outside the replayed document and aimed at it (inputRelay.ts, where a browser does not
   * run listeners in the view's document): the same rules as input made in the view. */
  relay(type: string, e: Event): void {
    const handler = this.handlers[type];
    if (handler && (e.isTrusted || handler.anyOrigin)) handler.handle(e);
  }

  private controlling(): boolean {
    return this.ctx.mode() === 'control';
  }

  private send(action: ControlInputAction): void {
    this.flushSelection();
    this.ctx.send(action);
  }

  private flushSelection(): void {
    clearTimeout(this.selectionTimer);
    this.selectionTimer = undefined;
    const pending = this.pendingSelection;
    this.pendingSelection = undefined;
    if (pending) this.ctx.send(pending);
  }

  /** The element focused in the view, and its selection when the agent moved it themselves (it differs from what the
   * customer's page last reported): the customer's page types there. */
  private typingTarget(e: Event): { focusNodeId?: number; selection?: TextSelection } {
    const doc =
      (e.target as Node | null)?.ownerDocument ??
      ((e.target as Node | null)?.nodeType === 9 ? (e.target as Document) : undefined);
    // A field in a shadow root (a web component's): the document's active element is its host.
    const active = doc && deepActiveElement(doc, false);
    if (!active || active === doc.body) return {};
    const nodeId = this.ctx.nodeId(active);
    if (nodeId === undefined) return {};
    // The customer's focus may have moved on (Tab) before the view heard of it: only a focus the agent gave the view
    // themselves is sent along.
    const target: { focusNodeId?: number; selection?: TextSelection } = {};
    if (this.ctx.knownFocus() !== nodeId) {
      target.focusNodeId = nodeId;
      this.ctx.focusSent(nodeId);
    }
    if (!hasSelectionApi(active)) return target;
    const selection: TextSelection = {
      start: active.selectionStart ?? 0,
      end: active.selectionEnd ?? 0,
      direction: active.selectionDirection ?? 'none',
    };
    if (sameSelection(this.ctx.knownSelection(nodeId), selection)) return target;
    this.ctx.selectionSent(nodeId, selection);
    return { focusNodeId: nodeId, selection };
  }

  private pointer(e: MouseEvent, phase: 'down' | 'up' | 'move'): void {
    // Touch and pen come as mouse events too, flagged by their source capabilities; the agent drives a mouse.
    if (
      !this.controlling() ||
      (e as MouseEvent & { sourceCapabilities?: { firesTouchEvents?: boolean } }).sourceCapabilities?.firesTouchEvents
    )
      return;
    const target = targetOf(e);
    const nodeId = target && this.ctx.nodeId(target);
    if (!target || nodeId === undefined) return;
    if (phase === 'move') {
      const now = performance.now();
      const since = now - this.lastHover.at;
      if (since < HOVER_MS || (nodeId === this.lastHover.nodeId && since < SAME_ELEMENT_MOVE_MS)) return;
      this.lastHover = { nodeId, at: now };
    }
    if (phase === 'down') {
      this.pointerSelectingUntil = Infinity;
      // The press focuses on the customer's page what it focuses here.
      const focused = target.closest('input, select, textarea, button, a[href], [tabindex], [contenteditable]');
      const focusId = focused ? this.ctx.nodeId(focused) : undefined;
      if (focusId !== undefined) this.ctx.focusSent(focusId);
    }
    if (phase === 'up') this.pointerSelectingUntil = performance.now() + POINTER_SELECTION_MS;
    if (phase === 'down' && this.ctx.isMasked(target) && ['INPUT', 'TEXTAREA', 'SELECT'].includes(tag(target))) {
      this.ctx.maskedField();
      return;
    }
    this.send({
      kind: 'pointer',
      phase,
      nodeId,
      ...point(target, e),
      button: Math.max(0, e.button),
      buttons: e.buttons,
      detail: e.detail,
      mods: modifiers(e),
    });
  }

  private click(e: MouseEvent, type: ControlActionOf<'click'>['type']): void {
    const target = targetOf(e);
    const nodeId = target && this.ctx.nodeId(target);
    const mode = this.ctx.mode();
    if (!target || nodeId === undefined || mode === 'view') return;
    // The view follows no link and toggles no checkbox of its own: the customer's page does, and the view shows it.
    e.preventDefault();
    if (mode === 'read-aloud') {
      if (type === 'click')
        this.ctx.readAloud(nodeId, (target.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 120));
      return;
    }
    if (this.ctx.isMasked(target) && (['INPUT', 'TEXTAREA', 'SELECT'].includes(tag(target)) || isToggle(target)))
      return;
    this.pointerSelectingUntil = performance.now() + POINTER_SELECTION_MS;
    this.send({
      kind: 'click',
      type,
      nodeId,
      ...point(target, e),
      button: Math.max(0, e.button),
      detail: e.detail,
      mods: modifiers(e),
    });
  }

  private keydown(e: KeyboardEvent): void {
    if (!this.controlling()) return;
    const target = targetOf(e);
    if (target && this.ctx.isMasked(target)) {
      e.preventDefault();
      this.ctx.maskedField();
      return;
    }
    // An input method composing, or a dead key: the text comes later, from beforeinput.
    if (e.isComposing || e.key === 'Process' || e.key === 'Dead' || e.key === 'Unidentified') return;
    // Copy, paste and cut: the browser's clipboard events carry the text (or nothing leaves, for copy).
    const shortcut = e.ctrlKey || e.metaKey;
    if (shortcut && ['c', 'v', 'x'].includes(e.key.toLowerCase())) return;
    e.preventDefault();
    this.keysDown.add(e.code);
    this.send({ kind: 'key', phase: 'down', ...this.typingTarget(e), ...keyFields(e) });
  }

  /** A key the customer's page got going down now comes up (held modifiers included, as long as they were held). */
  private keyup(e: KeyboardEvent): void {
    if (!this.controlling()) return;
    e.preventDefault();
    if (!this.keysDown.delete(e.code)) return;
    this.send({ kind: 'key', phase: 'up', ...keyFields(e) });
  }

  /** Edits that came without a key of their own (an input method, autocorrect): the view keeps none of them. */
  private beforeinput(e: InputEvent): void {
    if (!this.controlling()) return;
    const target = targetOf(e);
    if (target && this.ctx.isMasked(target)) {
      e.preventDefault();
      this.ctx.maskedField();
      return;
    }
    if (!e.cancelable) return;
    e.preventDefault();
    // Some sources put the text in a DataTransfer rather than in data (Chromium's insertReplacementText does).
    const data = (e.data ?? e.dataTransfer?.getData('text/plain') ?? '').slice(0, 10_000);
    if (TEXT_INPUT_TYPES.has(e.inputType))
      this.send({ kind: 'text', ...this.typingTarget(e), inputType: e.inputType as TextInputType, data });
    else if (e.inputType === 'insertCompositionText' && data)
      this.send({ kind: 'text', ...this.typingTarget(e), inputType: 'insertText', data });
  }

  private clipboard(e: Event, inputType: TextInputType, data: string): void {
    if (!this.controlling()) return;
    const target = targetOf(e);
    e.preventDefault();
    if (target && this.ctx.isMasked(target)) return this.ctx.maskedField();
    if (inputType === 'deleteByCut' || data)
      this.send({ kind: 'text', ...this.typingTarget(e), inputType, data: data.slice(0, 10_000) });
  }

  /** A value from a control's own picker (range, colour, date): while it moves, and when it is set. */
  private picker(e: Event, commit: boolean): void {
    const target = targetOf(e);
    if (
      !this.controlling() ||
      !target ||
      tag(target) !== 'INPUT' ||
      !PICKER_TYPES.has((target as HTMLInputElement).type)
    )
      return;
    const nodeId = this.ctx.nodeId(target);
    if (nodeId === undefined || this.ctx.isMasked(target)) return;
    this.send({ kind: 'setValue', nodeId, value: (target as HTMLInputElement).value.slice(0, 1000), commit });
  }

  private change(e: Event): void {
    const target = targetOf(e);
    if (!this.controlling() || !target) return;
    if (tag(target) !== 'SELECT') return this.picker(e, true);
    const select = target as HTMLSelectElement;
    this.choose(
      select,
      [...select.options].flatMap((o, i) => (o.selected ? [i] : [])),
    );
  }

  /** Whether the agent may choose from this select of the view now (they control the page; it isn't private). */
  mayChoose(select: Element): boolean {
    return this.controlling() && this.ctx.nodeId(select) !== undefined && !this.ctx.isMasked(select);
  }

  /** The agent chose these options (by index) of a select of the view: in the view's own list, or in the one the
   * console shows for it where the view's can't open (WebKit: inputRelay.ts). */
  choose(select: Element, selected: number[]): void {
    if (!this.controlling()) return;
    const nodeId = this.ctx.nodeId(select);
    if (nodeId === undefined) return;
    if (this.ctx.isMasked(select)) return this.ctx.maskedField();
    this.send({ kind: 'choose', nodeId, selected });
  }

  private wheel(e: WheelEvent): void {
    if (!this.controlling()) return;
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? 800 : 1;
    const target = targetOf(e);
    const element = scroller(target, Math.abs(e.deltaY) >= Math.abs(e.deltaX));
    const nodeId = element ? this.ctx.nodeId(element) : undefined;
    this.send({ kind: 'scroll', nodeId: nodeId ?? null, dx: e.deltaX * unit, dy: e.deltaY * unit });
  }

  /** The agent placed the caret or selected text (a click, a drag, a double-click on a word). */
  private selectionChanged(doc: Document): void {
    if (!this.controlling() || this.ctx.applyingRemoteSelection() || performance.now() > this.pointerSelectingUntil)
      return;
    const active = deepActiveElement(doc, false);
    let action: ControlInputAction | undefined;
    if (active && hasSelectionApi(active)) {
      const nodeId = this.ctx.nodeId(active);
      if (nodeId === undefined || this.ctx.isMasked(active)) return;
      const selection: TextSelection = {
        start: active.selectionStart ?? 0,
        end: active.selectionEnd ?? 0,
        direction: active.selectionDirection ?? 'none',
      };
      // Already on its way (with a key), or what the customer's page has anyway.
      if (sameSelection(this.ctx.knownSelection(nodeId), selection)) return;
      this.ctx.selectionSent(nodeId, selection);
      action = { kind: 'selectText', nodeId, ...selection };
    } else {
      const selection = doc.getSelection();
      if (!selection?.anchorNode || !selection.focusNode || selection.isCollapsed) return;
      const anchorNodeId = this.ctx.nodeId(selection.anchorNode);
      const focusNodeId = this.ctx.nodeId(selection.focusNode);
      if (anchorNodeId === undefined || focusNodeId === undefined) return;
      const range = {
        anchorNodeId,
        anchorOffset: selection.anchorOffset,
        focusNodeId,
        focusOffset: selection.focusOffset,
      };
      // The replay showing the customer's own selection, or the agent's on its way there.
      if (this.ctx.customerHasRange(range)) return;
      this.ctx.rangeSent(range);
      action = { kind: 'selectRange', ...range };
    }
    this.pendingSelection = action;
    this.selectionTimer ??= setTimeout(() => this.flushSelection(), HOVER_MS);
  }
}
