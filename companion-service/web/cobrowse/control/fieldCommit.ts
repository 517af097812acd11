import { isTextField, windowOf, type TextField } from './domTargets';

/* `change` on a text field fires when an edit is committed, never per keystroke. Leaving the field commits it, and the
 * browser fires that change itself (the edits were made with its own editing commands). Enter in a single-line field
 * commits too, which a synthetic Enter can't make the browser do, so this fires that change and then tells the
 * browser the value is committed (setting the same value through the native setter resets its baseline), so leaving
 * the field afterwards doesn't fire a second one, just as after a real Enter. */

export class FieldCommits {
  /** The value each field had when it was focused or last committed. */
  private readonly committed = new WeakMap<Element, string>();
  private readonly offs: Array<() => void> = [];

  /** Follows focus and change events in a document (and, through them, what the visitor commits by hand). */
  watch(doc: Document): void {
    const remember = (event: Event) => {
      const target = event.composedPath()[0];
      if (target && isTextField(target as Element)) this.committed.set(target as Element, (target as TextField).value);
    };
    doc.addEventListener('focusin', remember, true);
    doc.addEventListener('change', remember, true);
    this.offs.push(() => {
      doc.removeEventListener('focusin', remember, true);
      doc.removeEventListener('change', remember, true);
    });
  }

  /** Enter in a single-line field: fires change if the value differs from the last committed one. */
  commit(field: TextField): void {
    if (this.committed.get(field) === field.value) return;
    const win = windowOf(field);
    field.dispatchEvent(new win.Event('change', { bubbles: true }));
    this.committed.set(field, field.value);
    resetBaseline(field);
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
  }
}

/** The native value setter with the field's own value: no event, but the browser's "value at last change" moves. */
function resetBaseline(field: TextField): void {
  const win = windowOf(field);
  const proto = field.tagName === 'TEXTAREA' ? win.HTMLTextAreaElement.prototype : win.HTMLInputElement.prototype;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  if (!setter) return;
  let selection: [number, number, 'forward' | 'backward' | 'none'] | undefined;
  try {
    if (field.selectionStart !== null && field.selectionEnd !== null) selection = [field.selectionStart, field.selectionEnd, field.selectionDirection ?? 'none'];
  } catch {
    selection = undefined; // email and number inputs have no selection API
  }
  setter.call(field, field.value);
  if (selection) field.setSelectionRange(...selection);
}
