import type { ControlActionOf, ControlInputAction, NavigateAction } from '../../../src/protocol/controlActions';
import { WIDGET_SELECTOR } from '../masking';
import {
  deepActiveElement,
  elementOf,
  focusTargetOf,
  hasSelectionApi,
  isContentEditable,
  isInput,
  isSelect,
  isTextField,
  PICKER_INPUT_TYPES,
  tagOf,
  windowOf,
} from './domTargets';
import type { ChangeGuard } from '../../widget/earlyChangeGuard';
import { FieldCommits } from './fieldCommit';
import { KeyboardInput } from './keyboardInput';
import { PointerInput } from './pointerInput';
import { edit } from './textEditing';

/* Remote control on the visitor's page: the agent's input, named by rrweb node ids, played on the real elements as the
 * visitor's own hands would play it (pointerInput, keyboardInput, textEditing). The server forwards actions only
 * while the visitor has granted control; this side keeps the widget, file inputs and masked fields out of reach. */

export type ApplyResult = 'applied' | 'masked' | 'missing';

/** Form controls whose content is the visitor's own: masked ones can't be pressed, typed into or chosen in. */
const isFormControl = (el: Element) =>
  ['input', 'textarea', 'select', 'option'].includes(tagOf(el)) || isContentEditable(el);
const isFileInput = (el: Element) => isInput(el) && el.type === 'file';

export class RemoteControl {
  private readonly pointer = new PointerInput();
  private readonly commits: FieldCommits;
  private readonly keyboard: KeyboardInput;

  constructor(
    private readonly nodeFor: (id: number) => Node | null,
    private readonly isMasked: (el: Element) => boolean,
    private readonly doc: Document = document,
    changeGuard?: ChangeGuard,
  ) {
    this.commits = new FieldCommits(changeGuard);
    this.keyboard = new KeyboardInput(this.commits);
    this.commits.watch(doc);
  }

  /** Remote control is off: nothing of the agent's pointer stays on the page. */
  reset(): void {
    this.pointer.reset();
  }

  stop(): void {
    this.reset();
    this.commits.stop();
  }

  apply(action: ControlInputAction): ApplyResult {
    switch (action.kind) {
      case 'key':
      case 'text':
        return this.typing(action);
      case 'scroll':
        return this.scroll(action);
      case 'selectRange':
        return this.selectRange(action);
    }
    const el = elementOf(this.nodeFor(action.nodeId));
    if (!el) return 'missing';
    if (this.outOfReach(el) || (this.isMasked(el) && isFormControl(el))) return 'masked';
    switch (action.kind) {
      case 'pointer':
        this.pointer.pointer(el, action);
        return 'applied';
      case 'click':
        this.pointer.click(el, action);
        return 'applied';
      case 'selectText':
        if (!hasSelectionApi(el)) return 'missing';
        if (deepActiveElement(el.ownerDocument) !== el) el.focus({ preventScroll: true });
        el.setSelectionRange(
          Math.min(action.start, el.value.length),
          Math.min(action.end, el.value.length),
          action.direction,
        );
        return 'applied';
      case 'choose':
        return isSelect(el) ? choose(el, action.selected) : 'missing';
      case 'setValue':
        return isInput(el) && PICKER_INPUT_TYPES.has(el.type)
          ? setPickedValue(el, action.value, action.commit)
          : 'missing';
    }
  }

  /** The widget (the visitor's own video and prompts) and file inputs are never the agent's, masked or not. */
  private outOfReach(el: Element): boolean {
    return !!el.closest(WIDGET_SELECTOR) || isFileInput(el);
  }

  /** Keys and text go where the visitor's focus really is, as a person's would; first, where the agent's view says
   * they are typing, if that differs (the agent clicked there, or selected text there, before the page said so). */
  private typing(action: ControlActionOf<'key'> | ControlActionOf<'text'>): ApplyResult {
    if (action.focusNodeId !== undefined) {
      const intended = elementOf(this.nodeFor(action.focusNodeId));
      if (intended) {
        if (this.outOfReach(intended) || this.isMasked(intended)) return 'masked';
        const focusable = focusTargetOf(intended);
        if (focusable && deepActiveElement(this.doc) !== focusable) focusable.focus({ preventScroll: true });
        if (action.selection && hasSelectionApi(intended)) {
          const length = intended.value.length;
          intended.setSelectionRange(
            Math.min(action.selection.start, length),
            Math.min(action.selection.end, length),
            action.selection.direction,
          );
        }
      }
    }
    const target = deepActiveElement(this.doc) ?? this.doc.body;
    if (this.outOfReach(target) || this.isMasked(target)) return 'masked';
    if (action.kind === 'key') {
      this.keyboard.press(target, action);
      return 'applied';
    }
    if (!isTextField(target) && !isContentEditable(target)) return 'missing';
    edit(target, action.inputType, action.inputType === 'deleteByCut' ? null : action.data);
    return 'applied';
  }

  private scroll(action: ControlActionOf<'scroll'>): ApplyResult {
    if (action.nodeId === null) {
      windowOf(this.doc.documentElement).scrollBy({ left: action.dx, top: action.dy });
      return 'applied';
    }
    const el = elementOf(this.nodeFor(action.nodeId));
    if (!el) return 'missing';
    if (this.outOfReach(el)) return 'masked';
    el.scrollBy({ left: action.dx, top: action.dy });
    return 'applied';
  }

  private selectRange(action: ControlActionOf<'selectRange'>): ApplyResult {
    const anchor = this.nodeFor(action.anchorNodeId);
    const focus = this.nodeFor(action.focusNodeId);
    if (!anchor || !focus) return 'missing';
    for (const node of [anchor, focus]) {
      const el = elementOf(node);
      if (!el || this.outOfReach(el) || this.isMasked(el)) return 'masked';
    }
    const selection = (anchor.ownerDocument ?? this.doc).getSelection();
    selection?.setBaseAndExtent(
      anchor,
      clampOffset(anchor, action.anchorOffset),
      focus,
      clampOffset(focus, action.focusOffset),
    );
    return 'applied';
  }
}

function clampOffset(node: Node, offset: number): number {
  const length = node.nodeType === 3 ? (node.nodeValue ?? '').length : node.childNodes.length;
  return Math.min(offset, length);
}

function fire(el: Element, ...types: Array<'input' | 'change'>): void {
  const win = windowOf(el);
  for (const type of types) el.dispatchEvent(new win.Event(type, { bubbles: true }));
}

/** What choosing in the select's own list does: the options change, then input and change fire. */
function choose(select: HTMLSelectElement, selected: number[]): ApplyResult {
  const wanted = new Set(selected.filter((i) => i < select.options.length && !select.options[i]?.disabled));
  if (!select.multiple && wanted.size > 1) return 'missing';
  let changed = false;
  for (const [index, option] of [...select.options].entries()) {
    const on = wanted.has(index);
    if (option.selected !== on) {
      option.selected = on;
      changed = true;
    }
  }
  if (changed) fire(select, 'input', 'change');
  return 'applied';
}

/** A picker's value, through the native setter (frameworks track the element's own property), then the events. */
function setPickedValue(input: HTMLInputElement, value: string, commit: boolean): ApplyResult {
  const setter = Object.getOwnPropertyDescriptor(windowOf(input).HTMLInputElement.prototype, 'value')?.set;
  if (input.value !== value) {
    setter?.call(input, value);
    fire(input, 'input');
  }
  if (commit) fire(input, 'change');
  return 'applied';
}

export function navigate(action: NavigateAction): void {
  if (action === 'back') history.back();
  else if (action === 'forward') history.forward();
  else location.reload();
}
