import { el } from '../shared/dom';
import { icon } from '../shared/icons';
import type { Announcer } from './announcer';
import { CornerDragger, MOVE_HELP } from './dragger';
import type { WidgetFrame } from './frame';

/* The widget's panel, in the frame the loader drew (frame.ts: launcher, note, live region): the title bar (brand
 * mark, screen title, move handle) and a body that shows one screen at a time, or the launcher instead. Moves focus
 * to each new screen when the visitor was working in the widget (or the screen needs an answer now), without
 * stealing it from the host page otherwise. Part of the call chunk. */

export interface Screen {
  /** Identifies the screen (data-screen on the panel, for styles and tests). */
  name: string;
  title: string;
  nodes: Node[];
  /** Stays in view below the scrolling content (the call controls). */
  footer?: Node[];
  /** Gets focus when the screen appears; the title by default. */
  focus?: HTMLElement;
  /** A prompt that needs an answer: announced as an alert dialog and takes focus even from the host page. */
  prompt?: { describedBy: string };
}

const TITLE_ID = 'tandem-screen-title';

export class Shell {
  readonly frame: HTMLElement;
  readonly launcher: HTMLButtonElement;
  readonly announcer: Announcer;
  readonly dragger: CornerDragger;
  private readonly panel: HTMLElement;
  private readonly title: HTMLHeadingElement;
  private readonly body: HTMLElement;
  private readonly footer: HTMLElement;
  current: Screen | undefined;

  constructor(private readonly closed: WidgetFrame) {
    this.frame = closed.frame;
    this.launcher = closed.launcher;
    this.announcer = closed.announcer;
    this.title = el('h2', { id: TITLE_ID, tabindex: '-1' });
    const handle = el(
      'button',
      { class: 'handle', type: 'button', 'aria-label': 'Move video window', 'aria-describedby': 'tandem-move-help' },
      icon('grip'),
    );
    const brand = el('span', { class: 'brand', title: 'Video calls by Tandem' }, icon('brand', 'Tandem'));
    this.body = el('div', { class: 'body' });
    this.footer = el('div', { class: 'footer', hidden: true });
    this.panel = el(
      'section',
      { class: 'panel', 'aria-labelledby': TITLE_ID, hidden: true },
      el('div', { class: 'bar' }, brand, this.title, handle),
      this.body,
      this.footer,
    );
    this.frame.insertBefore(this.panel, this.announcer.element);
    this.frame.insertBefore(el('p', { id: 'tandem-move-help', class: 'sr-only' }, MOVE_HELP), this.announcer.element);
    this.dragger = new CornerDragger(this.frame, (text) => this.announcer.say(text));
    this.dragger.attach(handle);
  }

  /** True while keyboard focus is in the widget, or was there last and only fell to the page body because the
   * focused control went away (a screen changed under it). */
  get hasFocus(): boolean {
    return this.closed.hasFocus;
  }

  showLauncher(): void {
    const refocus = this.hasFocus;
    this.current = undefined;
    this.body.replaceChildren();
    this.footer.replaceChildren();
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.frame.dataset.screen = 'launcher';
    if (refocus) this.launcher.focus({ preventScroll: true });
  }

  show(screen: Screen): void {
    const refocus = this.hasFocus || !!screen.prompt;
    this.current = screen;
    this.title.textContent = screen.title;
    this.body.replaceChildren(...screen.nodes);
    this.footer.replaceChildren(...(screen.footer ?? []));
    this.footer.hidden = !screen.footer;
    if (screen.prompt) {
      this.panel.setAttribute('role', 'alertdialog');
      this.panel.setAttribute('aria-describedby', screen.prompt.describedBy);
    } else {
      this.panel.removeAttribute('role');
      this.panel.removeAttribute('aria-describedby');
    }
    this.panel.dataset.screen = screen.name;
    this.frame.dataset.screen = screen.name;
    this.launcher.hidden = true;
    this.closed.setNote('');
    this.panel.hidden = false;
    // The widget is fixed in a corner: there is nothing to scroll into view on the customer's page.
    if (refocus) (screen.focus ?? this.title).focus({ preventScroll: true });
  }

  /** Changes the title of the screen on show without re-rendering it. */
  setTitle(text: string): void {
    this.title.textContent = text;
  }

  setLarge(large: boolean): void {
    this.frame.classList.toggle('large', large);
  }
}
