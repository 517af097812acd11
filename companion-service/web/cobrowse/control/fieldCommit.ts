import type { ChangeGuard } from '../../widget/earlyChangeGuard';
import { isTextField, windowOf, type TextField } from './domTargets';

/* `change` on a text field fires when an edit is committed, never per keystroke. Leaving the field commits it, and the
 * browser fires that change itself (the edits were made with its own editing commands). Enter in a single-line field
 * commits too, which a synthetic Enter can't make the browser do: this fires that change. The browser still believes
 * the edit uncommitted and would fire a second change when the field is left; after a real Enter it doesn't, so that
 * one is stopped before the page sees it, by the widget's change guard, which the widget registered before the page's
 * own listeners (or, without it, by a capturing listener on the window registered now). */

export class FieldCommits {
  constructor(private readonly guard?: ChangeGuard) {}

  /** The value each field had when it was focused or last committed. */
  private readonly committed = new WeakMap<Element, string>();
  /** A field committed by Enter, whose browser-made change on leaving it would be a second one. */
  private pending: { field: TextField; value: string } | undefined;
  private readonly offs: Array<() => void> = [];

  /** Follows focus, edits and change events in a document (and through them what the visitor commits by hand). */
  watch(doc: Document): void {
    const win = doc.defaultView;
    const remember = (event: Event) => {
      const target = event.composedPath()[0] as Element | undefined;
      if (!target || !isTextField(target)) return;
      if (event.type === 'input' && this.pending?.field === target) this.pending = undefined;
      if (event.type !== 'input') this.committed.set(target, target.value);
    };
    for (const type of ['focusin', 'change', 'input']) {
      win?.addEventListener(type, remember, true);
      this.offs.push(() => win?.removeEventListener(type, remember, true));
    }
    const secondChange = (event: Event): boolean => {
      const target = event.composedPath()[0];
      if (
        !event.isTrusted ||
        !this.pending ||
        this.pending.field !== target ||
        this.pending.value !== this.pending.field.value
      )
        return false;
      this.pending = undefined;
      return true;
    };
    if (this.guard) {
      this.guard.set(secondChange);
      this.offs.push(() => this.guard?.set(undefined));
    } else {
      const stop = (event: Event) => secondChange(event) && event.stopImmediatePropagation();
      win?.addEventListener('change', stop, true);
      this.offs.push(() => win?.removeEventListener('change', stop, true));
    }
  }

  /** Enter in a single-line field: fires change if the value differs from the last committed one. */
  commit(field: TextField): void {
    if (this.committed.get(field) === field.value) return;
    const win = windowOf(field);
    field.dispatchEvent(new win.Event('change', { bubbles: true }));
    this.committed.set(field, field.value);
    this.pending = { field, value: field.value };
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
  }
}
