import { el } from '../dom';
import type { BackgroundBlur, BlurState } from './backgroundBlur';

let nextId = 0;

/* The "Blur my background" switch, for a page's settings or camera choice: a checkbox with role switch, and a note
 * under it that says what blur does, that it is loading, on, or why it can't be used (a live region, so a screen
 * reader hears it change, e.g. when blur turns itself off). Checked means wanted: unchecking while it loads cancels. */
export class BlurSwitch {
  readonly element: HTMLElement;
  readonly input: HTMLInputElement;
  private readonly note: HTMLElement;

  constructor(private readonly blur: BackgroundBlur) {
    const id = `tandem-blur-${++nextId}`;
    this.input = el('input', { type: 'checkbox', role: 'switch', id, 'aria-describedby': `${id}-note` });
    this.note = el('p', { class: 'hint blur-note', id: `${id}-note`, role: 'status' });
    this.element = el(
      'div',
      { class: 'blur-setting', 'data-testid': 'blur-setting' },
      el('div', { class: 'switch-row' }, this.input, el('label', { for: id }, 'Blur my background')),
      this.note,
    );
    this.input.addEventListener('change', (event) => {
      // Only the person's own input: not events a script made up (remote control replays clicks on the page).
      if (event.isTrusted) void this.blur.setOn(this.input.checked);
      else this.render(this.blur.state, this.blur.message);
    });
    this.render(blur.state, blur.message);
  }

  /** The blur's state changed (BlurHost.changed). */
  render(state: BlurState, message: string): void {
    this.element.dataset.state = state;
    this.input.checked = state === 'on' || state === 'loading';
    this.input.disabled = state === 'unavailable';
    if (state === 'loading') this.input.setAttribute('aria-busy', 'true');
    else this.input.removeAttribute('aria-busy');
    this.note.textContent = message;
  }
}
