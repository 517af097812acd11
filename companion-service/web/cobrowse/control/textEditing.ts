import { hasSelectionApi, isContentEditable, isTextArea, isTextField, windowOf, type TextField } from './domTargets';

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
  if (inputType === 'deleteWordBackward' || inputType === 'deleteWordForward') extendToWord(el, inputType === 'deleteWordBackward' ? 'backward' : 'forward');
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

const WORD_CHAR = /[\p{L}\p{N}_]/u;

function wordBoundary(text: string, from: number, direction: Direction): number {
  let i = from;
  if (direction === 'backward') {
    while (i > 0 && !WORD_CHAR.test(text[i - 1] ?? '')) i--;
    while (i > 0 && WORD_CHAR.test(text[i - 1] ?? '')) i--;
  } else {
    while (i < text.length && !WORD_CHAR.test(text[i] ?? '')) i++;
    while (i < text.length && WORD_CHAR.test(text[i] ?? '')) i++;
  }
  return i;
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

function lineEnd(text: string, at: number): number {
  const next = text.indexOf('\n', at);
  return next < 0 ? text.length : next;
}

/** Where the caret goes from `at` in a text field's value. Up and down keep the column (by characters). */
function target(field: TextField, at: number, direction: Direction, unit: Unit): number {
  const text = field.value;
  switch (unit) {
    case 'character':
      return direction === 'backward' ? Math.max(0, at - 1) : Math.min(text.length, at + 1);
    case 'word':
      return wordBoundary(text, at, direction);
    case 'lineboundary':
      return direction === 'backward' ? lineStart(text, at) : lineEnd(text, at);
    case 'documentboundary':
      return direction === 'backward' ? 0 : text.length;
    case 'line': {
      if (!isTextArea(field)) return direction === 'backward' ? 0 : text.length;
      const start = lineStart(text, at);
      const column = at - start;
      if (direction === 'backward') {
        if (start === 0) return 0;
        const prevStart = lineStart(text, start - 1);
        return Math.min(prevStart + column, start - 1);
      }
      const end = lineEnd(text, at);
      if (end === text.length) return text.length;
      return Math.min(end + 1 + column, lineEnd(text, end + 1));
    }
  }
}

/** Moves the caret (or, with extend, the selection's moving end) the way an arrow, Home or End key does. */
export function moveCaret(el: Element, direction: Direction, unit: Unit, extend: boolean): void {
  if (hasSelectionApi(el)) {
    const start = el.selectionStart ?? 0;
    const end = el.selectionEnd ?? 0;
    const backward = el.selectionDirection === 'backward';
    if (!extend) {
      // A collapsed move from a selection starts at its edge in that direction (arrows just collapse it).
      const from = direction === 'backward' ? start : end;
      const to = start !== end && unit === 'character' ? from : target(el, from, direction, unit);
      el.setSelectionRange(to, to);
      return;
    }
    const anchor = backward ? end : start;
    const focus = backward ? start : end;
    const moved = target(el, focus, direction, unit);
    el.setSelectionRange(Math.min(anchor, moved), Math.max(anchor, moved), moved < anchor ? 'backward' : 'forward');
    return;
  }
  // Rich text and the page: the browser's own selection movement.
  const selection = el.ownerDocument.getSelection() as Selection & { modify?: (alter: string, direction: string, granularity: string) => void };
  selection?.modify?.(extend ? 'extend' : 'move', direction, unit);
}

/** Widens a collapsed caret to the word before or after it (for Ctrl+Backspace and Ctrl+Delete). */
function extendToWord(el: Element, direction: Direction): void {
  if (hasSelectionApi(el)) {
    if (el.selectionStart !== el.selectionEnd) return;
    const at = el.selectionStart ?? 0;
    const to = wordBoundary(el.value, at, direction);
    el.setSelectionRange(Math.min(at, to), Math.max(at, to));
    return;
  }
  const selection = el.ownerDocument.getSelection() as Selection & { modify?: (alter: string, direction: string, granularity: string) => void };
  if (selection?.isCollapsed) selection.modify?.('extend', direction, 'word');
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
