import { el } from '../shared/dom';
import { Announcer } from './announcer';
import { CornerDragger, MOVE_HELP } from './dragger';
import { icon } from '../shared/icons';

/* The widget's frame: the launcher button, and the panel with its title bar (brand mark, screen title, move
 * handle) whose body shows one screen at a time. Moves focus to each new screen when the visitor was working in the
 * widget (or the screen needs an answer now), without stealing it from the host page otherwise. */

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
  readonly announcer = new Announcer();
  readonly dragger: CornerDragger;
  private readonly panel: HTMLElement;
  private readonly title: HTMLHeadingElement;
  private readonly body: HTMLElement;
  private readonly footer: HTMLElement;
  current: Screen | undefined;
  private focusWasInside = false;

  constructor(private readonly root: ShadowRoot) {
    this.launcher = el('button', { class: 'launcher', type: 'button' }, icon('camera'), el('span', {}, 'Start video session'));
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
    this.frame = el(
      'aside',
      { class: 'frame', 'aria-label': 'Video call' },
      this.launcher,
      this.panel,
      el('p', { id: 'tandem-move-help', class: 'sr-only' }, MOVE_HELP),
      this.announcer.element,
    );
    this.announcer.element.dataset.testid = 'tandem-announcer';
    root.append(this.frame);
    this.dragger = new CornerDragger(this.frame, (text) => this.announcer.say(text));
    this.dragger.attach(handle);
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

  showLauncher(): void {
    const refocus = this.hasFocus;
    this.current = undefined;
    this.body.replaceChildren();
    this.footer.replaceChildren();
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.frame.dataset.screen = 'launcher';
    if (refocus) this.launcher.focus();
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
    this.panel.hidden = false;
    if (refocus) (screen.focus ?? this.title).focus();
  }

  /** Changes the title of the screen on show without re-rendering it. */
  setTitle(text: string): void {
    this.title.textContent = text;
  }

  setLarge(large: boolean): void {
    this.frame.classList.toggle('large', large);
  }
}
