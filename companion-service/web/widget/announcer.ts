import { el } from '../shared/dom';

/** A visually hidden polite live region: tells screen reader users what changed when nothing on screen takes focus
 * (the widget snapped to a corner, a participant arrived). */
export class Announcer {
  readonly element = el('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
  private timer: ReturnType<typeof setTimeout> | undefined;

  say(text: string): void {
    // Clear first so repeating the same sentence is announced again.
    this.element.textContent = '';
    clearTimeout(this.timer);
    this.timer = setTimeout(() => (this.element.textContent = text), 50);
  }
}
