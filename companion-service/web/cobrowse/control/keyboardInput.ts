import type { ControlActionOf } from '../../../src/protocol/controlActions';
import {
  hasSelectionApi,
  isContentEditable,
  isEditable,
  isInput,
  isSelect,
  isTextField,
  tabOrder,
  tagOf,
  windowOf,
  type TextField,
} from './domTargets';
import type { FieldCommits } from './fieldCommit';
import {
  beforeInput,
  edit,
  enterEdit,
  moveCaret,
  selectAll,
  type Direction,
  type EditType,
  type Unit,
} from './textEditing';

/* One key of the agent's, on the focused element of the visitor's page, in the order a browser reports a person's key:
 * keydown, keypress (for characters and Enter), the key's default action unless the page prevented one of those
 * (text inserted at the caret, deleted, the caret moved, focus moved by Tab, a field committed by Enter, a button or
 * link activated, an option or a range stepped, the page scrolled), then keyup. */

type KeyAction = ControlActionOf<'key'>;

/** Legacy keyCode values pages still read (jQuery-era `e.which === 13`). */
const KEY_CODES: Record<string, number> = {
  Backspace: 8,
  Tab: 9,
  Enter: 13,
  Shift: 16,
  Control: 17,
  Alt: 18,
  Escape: 27,
  ' ': 32,
  PageUp: 33,
  PageDown: 34,
  End: 35,
  Home: 36,
  ArrowLeft: 37,
  ArrowUp: 38,
  ArrowRight: 39,
  ArrowDown: 40,
  Delete: 46,
  Meta: 91,
};
const CODE_KEY_CODES: Record<string, number> = {
  Semicolon: 186,
  Equal: 187,
  Comma: 188,
  Minus: 189,
  Period: 190,
  Slash: 191,
  Backquote: 192,
  BracketLeft: 219,
  Backslash: 220,
  BracketRight: 221,
  Quote: 222,
};

function legacyKeyCode(key: string, code: string): number {
  if (KEY_CODES[key] !== undefined) return KEY_CODES[key];
  const letter = /^Key([A-Z])$/.exec(code);
  if (letter) return (letter[1] as string).charCodeAt(0);
  const digit = /^(Digit|Numpad)(\d)$/.exec(code);
  if (digit) return (digit[1] === 'Numpad' ? 96 : 48) + Number(digit[2]);
  if (CODE_KEY_CODES[code] !== undefined) return CODE_KEY_CODES[code];
  return key.length === 1 ? key.toUpperCase().charCodeAt(0) : 0;
}

/** A key that types a character: one character (or one emoji), without Ctrl or Cmd. */
export function isPrintable(action: KeyAction): boolean {
  return [...action.key].length === 1 && !action.mods.ctrl && !action.mods.meta;
}

function keyEvent(target: Element, type: 'keydown' | 'keypress' | 'keyup', action: KeyAction): KeyboardEvent {
  const win = windowOf(target);
  const { key, code, location, repeat, mods } = action;
  const event = new win.KeyboardEvent(type, {
    key,
    code,
    location,
    repeat: type === 'keyup' ? false : repeat,
    altKey: mods.alt,
    ctrlKey: mods.ctrl,
    metaKey: mods.meta,
    shiftKey: mods.shift,
    bubbles: true,
    cancelable: true,
    composed: true,
    view: win,
  });
  const keyCode = type === 'keypress' ? (key === 'Enter' ? 13 : (key.codePointAt(0) ?? 0)) : legacyKeyCode(key, code);
  for (const [name, value] of [
    ['keyCode', keyCode],
    ['which', keyCode],
    ['charCode', type === 'keypress' ? keyCode : 0],
  ] as const) {
    Object.defineProperty(event, name, { get: () => value });
  }
  return event;
}

export class KeyboardInput {
  constructor(private readonly commits: FieldCommits) {}

  /** Plays the key going down or up on `target` (the focused element, or the body). */
  press(target: Element, action: KeyAction): void {
    if (action.phase === 'up') {
      target.dispatchEvent(keyEvent(target, 'keyup', action));
      return;
    }
    const proceed = target.dispatchEvent(keyEvent(target, 'keydown', action));
    let act = proceed;
    if (proceed && (isPrintable(action) || action.key === 'Enter'))
      act = target.dispatchEvent(keyEvent(target, 'keypress', action));
    if (act) this.defaultAction(target, action);
  }

  private defaultAction(target: Element, action: KeyAction): void {
    const { key, mods } = action;
    const shortcut = mods.ctrl || mods.meta;
    if (shortcut) return this.shortcut(target, action);
    if (isPrintable(action)) {
      if (isEditable(target)) edit(target, 'insertText', key);
      else if (key === ' ') this.space(target);
      return;
    }
    switch (key) {
      case 'Enter':
        return this.enter(target);
      case 'Backspace':
      case 'Delete':
        if (isEditable(target)) edit(target, deletion(key, mods.alt));
        return;
      case 'Tab':
        return moveFocusByTab(target, mods.shift);
      case 'ArrowLeft':
      case 'ArrowRight':
      case 'ArrowUp':
      case 'ArrowDown':
      case 'Home':
      case 'End':
      case 'PageUp':
      case 'PageDown':
        return this.navigate(target, action);
    }
  }

  private shortcut(target: Element, { key, mods }: KeyAction): void {
    const lower = key.toLowerCase();
    if (lower === 'a') return selectAll(isEditable(target) ? target : null, target.ownerDocument);
    if (!isEditable(target)) return;
    if (lower === 'z') edit(target, mods.shift ? 'historyRedo' : 'historyUndo');
    else if (lower === 'y') edit(target, 'historyRedo');
    else if (key === 'Backspace' || key === 'Delete') edit(target, deletion(key, true));
    else if (key === 'ArrowLeft' || key === 'ArrowRight')
      moveCaret(target, key === 'ArrowLeft' ? 'backward' : 'forward', 'word', mods.shift);
    else if (key === 'Home' || key === 'End')
      moveCaret(target, key === 'Home' ? 'backward' : 'forward', 'documentboundary', mods.shift);
  }

  private enter(target: Element): void {
    const multiline = enterEdit(target);
    if (multiline) {
      edit(target, multiline);
      return;
    }
    if (isTextField(target)) {
      // A single-line field announces the line break it won't insert, as Chromium does.
      beforeInput(target, 'insertLineBreak', null);
      this.commits.commit(target);
      implicitSubmit(target);
      return;
    }
    const tag = tagOf(target);
    if (
      (tag === 'a' && target.hasAttribute('href')) ||
      tag === 'button' ||
      tag === 'summary' ||
      (isInput(target) && ['submit', 'reset', 'button', 'image'].includes(target.type))
    ) {
      (target as HTMLElement).click();
    }
  }

  private space(target: Element): void {
    const tag = tagOf(target);
    if (
      tag === 'button' ||
      tag === 'summary' ||
      (isInput(target) && ['checkbox', 'radio', 'submit', 'reset', 'button', 'image'].includes(target.type))
    ) {
      (target as HTMLElement).click();
      return;
    }
    scrollPage(target, 'forward', 'page');
  }

  private navigate(target: Element, { key, mods }: KeyAction): void {
    const direction: Direction =
      key === 'ArrowLeft' || key === 'ArrowUp' || key === 'Home' || key === 'PageUp' ? 'backward' : 'forward';
    if (isTextField(target) || isContentEditable(target)) {
      if (isInput(target) && target.type === 'number' && (key === 'ArrowUp' || key === 'ArrowDown')) {
        if (direction === 'backward') target.stepDown();
        else target.stepUp();
        return fire(target, 'input');
      }
      const unit: Unit =
        key === 'Home' || key === 'End'
          ? 'lineboundary'
          : key === 'ArrowUp' || key === 'ArrowDown'
            ? 'line'
            : key.startsWith('Page')
              ? 'documentboundary'
              : 'character';
      moveCaret(target, direction, unit, mods.shift);
      return;
    }
    if (isSelect(target)) return stepSelect(target, direction, key);
    if (isInput(target) && target.type === 'range') return stepRange(target, direction, key);
    if (isInput(target) && target.type === 'radio' && key.startsWith('Arrow')) return stepRadio(target, direction);
    scrollPage(target, direction, key.startsWith('Page') ? 'page' : key === 'Home' || key === 'End' ? 'end' : 'line');
  }
}

function deletion(key: string, word: boolean): EditType {
  if (key === 'Backspace') return word ? 'deleteWordBackward' : 'deleteContentBackward';
  return word ? 'deleteWordForward' : 'deleteContentForward';
}

function fire(el: Element, ...types: Array<'input' | 'change'>): void {
  const win = windowOf(el);
  for (const type of types) el.dispatchEvent(new win.Event(type, { bubbles: true }));
}

function stepSelect(select: HTMLSelectElement, direction: Direction, key: string): void {
  if (select.multiple || select.options.length === 0) return;
  const last = select.options.length - 1;
  const next =
    key === 'Home'
      ? 0
      : key === 'End'
        ? last
        : Math.max(0, Math.min(last, select.selectedIndex + (direction === 'backward' ? -1 : 1)));
  if (next === select.selectedIndex) return;
  select.selectedIndex = next;
  fire(select, 'input', 'change');
}

function stepRange(range: HTMLInputElement, direction: Direction, key: string): void {
  const before = range.value;
  if (key === 'Home' || key === 'End') range.value = key === 'Home' ? range.min || '0' : range.max || '100';
  else if (direction === 'backward') range.stepDown();
  else range.stepUp();
  if (range.value !== before) fire(range, 'input', 'change');
}

function stepRadio(radio: HTMLInputElement, direction: Direction): void {
  if (!radio.name) return;
  const root = radio.form ?? radio.ownerDocument;
  const group = [...root.querySelectorAll<HTMLInputElement>('input[type="radio"]')].filter(
    (r) => r.name === radio.name && !r.disabled,
  );
  const at = group.indexOf(radio);
  const next = group[(at + (direction === 'backward' ? group.length - 1 : 1)) % group.length];
  if (!next || next === radio) return;
  next.focus();
  next.click();
}

function moveFocusByTab(target: Element, backward: boolean): void {
  const doc = target.ownerDocument;
  const order = tabOrder(doc);
  const at = order.indexOf(target as HTMLElement);
  const next = backward ? (at <= 0 ? undefined : order[at - 1]) : order[at + 1];
  if (!next) {
    (target as HTMLElement).blur?.();
    return;
  }
  next.focus();
  // Tabbing into a text field selects its text, as browsers do.
  if (hasSelectionApi(next)) next.select();
}

/** Enter in a form's text field submits the form: through its default button, or straight away when the field is the
 * only one that blocks implicit submission (HTML's implicit submission). */
function implicitSubmit(field: TextField): void {
  const form = field.form;
  if (!form) return;
  const defaultButton = [...form.elements].find(
    (el) =>
      (tagOf(el) === 'button' && (el as HTMLButtonElement).type === 'submit') ||
      (isInput(el) && (el.type === 'submit' || el.type === 'image')),
  ) as HTMLButtonElement | HTMLInputElement | undefined;
  if (defaultButton) {
    if (!defaultButton.disabled) defaultButton.click();
    return;
  }
  const blocking = [...form.elements].filter(
    (el) =>
      isInput(el) &&
      [
        'text',
        'search',
        'url',
        'tel',
        'email',
        'password',
        'date',
        'month',
        'week',
        'time',
        'datetime-local',
        'number',
      ].includes(el.type),
  );
  if (blocking.length === 1) form.requestSubmit();
}

function scrollPage(target: Element, direction: Direction, amount: 'line' | 'page' | 'end'): void {
  const win = windowOf(target);
  const sign = direction === 'backward' ? -1 : 1;
  if (amount === 'end') win.scrollTo({ top: sign < 0 ? 0 : win.document.documentElement.scrollHeight });
  else win.scrollBy({ top: sign * (amount === 'page' ? win.innerHeight * 0.875 : 40) });
}
