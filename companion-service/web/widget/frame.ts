import { el } from '../shared/dom';
import { CAMERA } from '../shared/launcherIcons';
import { svgIcon } from '../shared/svgIcon';
import { Announcer } from './announcer';
import { addStyles } from './host';
import { placeFrame } from './placement';

/* The widget's closed state, as the loader (widget.js) draws it on every page: the frame in its remembered corner,
 * the launcher button, a note under it (while the call's code loads after a press, or when it could not), and the
 * live region. The call chunk builds the panel into this frame (shell.ts). Also keeps track of whether the visitor
 * was working in the widget, for the screens' focus rules, from the start. */

export class WidgetFrame {
  readonly frame: HTMLElement;
  readonly launcher: HTMLButtonElement;
  readonly announcer = new Announcer();
  private readonly note: HTMLElement;
  private focusWasInside = false;

  constructor(private readonly root: ShadowRoot) {
    this.launcher = el(
      'button',
      { class: 'launcher', type: 'button' },
      svgIcon('camera', CAMERA),
      el('span', {}, 'Start video session'),
    );
    this.note = el('p', { class: 'launcher-note', role: 'status' });
    this.frame = el(
      'aside',
      { class: 'frame', 'aria-label': 'Video call', 'data-screen': 'launcher' },
      this.launcher,
      this.note,
      this.announcer.element,
    );
    this.announcer.element.dataset.testid = 'tandem-announcer';
    root.append(this.frame);
    placeFrame(this.frame);
    // Where focus went last: into the widget, or anywhere else on the page.
    document.addEventListener('focusin', (e) => (this.focusWasInside = e.composedPath().includes(this.frame)), true);
    document.addEventListener(
      'pointerdown',
      (e) => {
        if (!e.composedPath().includes(this.frame)) this.focusWasInside = false;
      },
      true,
    );
  }

  /** True while keyboard focus is in the widget, or was there last and only fell to the page body because the
   * focused control went away (a screen changed under it). */
  get hasFocus(): boolean {
    if (this.root.activeElement !== null) return true;
    const active = document.activeElement;
    return this.focusWasInside && (active === null || active === document.body || active === document.documentElement);
  }

  /** Adds a stylesheet to the widget's shadow root (the call chunk's). */
  addStyles(css: string): void {
    addStyles(this.root, css);
  }

  /** The note under the launcher; empty text hides it. */
  setNote(text: string): void {
    this.note.textContent = text;
  }
}
