import { hasSelectionApi, isContentEditable, isTextArea, isTextField, windowOf } from './domTargets';

/* Editing the focused field the way the browser edits it for a person: a cancelable beforeinput first (a page that
 * prevents it keeps its value), then the browser's own editing command, which inserts at the caret, fires a trusted
 * input event with the right inputType, joins the undo history, and counts as the user's edit for the change event the
 * field fires when it loses focus. execCommand fires no beforeinput itself, hence ours. Frameworks that own the
 * value (React, Vue, Angular) see the input event as they would a keystroke. */

export type EditType =
  | 'insertText'
  | 'insertFromPaste'
  | 'insertFromDrop'
  | 'insertReplacementText'
  | 'insertLineBreak'
  | 'insertParagraph'
  | 'deleteContentBackward'
  | 'deleteContentForward'
  | 'deleteWordBackward'
  | 'deleteWordForward'
  | 'deleteByCut'
  | 'historyUndo'
  | 'historyRedo';

/** The editing command each input type runs. */
const COMMAND: Record<EditType, { command: string; takesData: boolean }> = {
  insertText: { command: 'insertText', takesData: true },
  insertFromPaste: { command: 'insertText', takesData: true },
  insertFromDrop: { command: 'insertText', takesData: true },
  insertReplacementText: { command: 'insertText', takesData: true },
  insertLineBreak: { command: 'insertLineBreak', takesData: false },
  insertParagraph: { command: 'insertParagraph', takesData: false },
  deleteContentBackward: { command: 'delete', takesData: false },
  deleteContentForward: { command: 'forwardDelete', takesData: false },
  deleteWordBackward: { command: 'delete', takesData: false },
  deleteWordForward: { command: 'forwardDelete', takesData: false },
  deleteByCut: { command: 'delete', takesData: false },
  historyUndo: { command: 'undo', takesData: false },
  historyRedo: { command: 'redo', takesData: false },
};

/** Dispatches beforeinput; false when the page refused the edit. */
export function beforeInput(el: Element, inputType: EditType, data: string | null): boolean {
  const win = windowOf(el);
  const event = new win.InputEvent('beforeinput', { inputType, data, bubbles: true, cancelable: true, composed: true });
  return el.dispatchEvent(event);
}

/** Performs one edit on the focused editable element `el`. Returns whether it happened. */
export function edit(el: Element, inputType: EditType, data: string | null = null): boolean {
  if (!isTextField(el) && !isContentEditable(el)) return false;
  if (!beforeInput(el, inputType, data)) return false;
  if (inputType === 'deleteWordBackward' || inputType === 'deleteWordForward')
    extendToWord(el, inputType === 'deleteWordBackward' ? 'backward' : 'forward');
  const { command, takesData } = COMMAND[inputType];
  return el.ownerDocument.execCommand(command, false, takesData ? (data ?? '') : undefined);
}

/** The line break Enter makes in a multi-line field: a newline in a textarea, a paragraph in rich text. */
export function enterEdit(el: Element): EditType | undefined {
  if (isTextArea(el)) return 'insertLineBreak';
  if (isContentEditable(el)) return 'insertParagraph';
  return undefined;
}

// --- the caret --------------------------------------------------------------------------------------------------

export type Direction = 'backward' | 'forward';
export type Unit = 'character' | 'word' | 'line' | 'lineboundary' | 'documentboundary';

type ModifiableSelection = Selection & {
  modify?: (alter: 'move' | 'extend', direction: Direction, granularity: Unit) => void;
};

/** The document's selection, which in Chromium, Firefox and Safari also drives the caret of the focused text field
 * (inputs of every type, textareas, fields in shadow roots), by the browser's own rules for words and wrapped lines. */
function selectionOf(el: Element): ModifiableSelection | null {
  return el.ownerDocument.getSelection() as ModifiableSelection | null;
}

/** Moves the caret (or, with extend, the selection's moving end) the way an arrow, Home or End key does. */
export function moveCaret(el: Element, direction: Direction, unit: Unit, extend: boolean): void {
  // An arrow on a selection collapses it to that side without moving further, as in a text field.
  if (!extend && unit === 'character' && hasSelectionApi(el) && el.selectionStart !== el.selectionEnd) {
    const edge = direction === 'backward' ? (el.selectionStart ?? 0) : (el.selectionEnd ?? 0);
    el.setSelectionRange(edge, edge);
    return;
  }
  selectionOf(el)?.modify?.(extend ? 'extend' : 'move', direction, unit);
}

/** Widens a collapsed caret to the word before or after it (for Ctrl+Backspace and Ctrl+Delete). */
function extendToWord(el: Element, direction: Direction): void {
  if (hasSelectionApi(el) && el.selectionStart !== el.selectionEnd) return;
  const selection = selectionOf(el);
  if (!hasSelectionApi(el) && selection && !selection.isCollapsed) return;
  selection?.modify?.('extend', direction, 'word');
}

/** Select all: the field's text, or the page's. */
export function selectAll(el: Element | null, doc: Document): void {
  if (el && hasSelectionApi(el)) return el.select();
  if (el && isContentEditable(el)) {
    doc.getSelection()?.selectAllChildren(el);
    return;
  }
  doc.getSelection()?.selectAllChildren(doc.body);
}
