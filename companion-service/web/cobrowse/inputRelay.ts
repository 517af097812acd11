import { el } from '../shared/dom';
import { deepActiveElement } from './control/domTargets';

/* The agent's input to the live view where the browser won't tell us about it. The view's frame is sandboxed without
 * scripts (the customer's page must never run in the console), and WebKit (Safari) then runs no event listener in
 * its document, not even the console's own: clicks and keys in the view would change the view and reach nobody.
 * There, a transparent surface over the view takes the pointer while the agent controls the page (or has it read
 * aloud), and a hidden text box the keys; both are aimed at the view's element under the pointer, or the one the agent
 * last pressed on, and handed to the same rules as input made in the view (ViewerInput.relay, and ViewerGuide.relay for
 * the agent's pointer shown on the customer's page in read-aloud mode). A select's own list can't open under the
 * surface: the console shows its options in a list of its own. Chromium and Firefox run those listeners: nothing of
 * this is made there. */

export interface InputRelayContext {
  frame(): HTMLIFrameElement | undefined;
  /** Whether the agent's input goes to the customer's page now (control or read-aloud). */
  active(): boolean;
  relay(type: string, e: Event): void;
  /** Whether the agent may choose from this select of the view now. */
  mayChoose(select: Element): boolean;
  /** The agent chose these options (by index) of the view's select. */
  choose(select: Element, selected: number[]): void;
}

/** Options shown at once in the console's list for a select of the view; more scroll. */
const CHOICE_ROWS = 8;

const POINTER_TYPES = ['mousedown', 'mouseup', 'mousemove', 'click', 'dblclick', 'contextmenu', 'auxclick', 'wheel'];
const KEY_TYPES = ['keydown', 'keyup', 'beforeinput', 'paste', 'cut'];

/** Whether the browser runs listeners in this (sandboxed) document: a harmless event of our own, listened to there. */
export function listenersRunIn(doc: Document): boolean {
  let ran = false;
  const probe = () => (ran = true);
  doc.addEventListener('tandem-listener-probe', probe);
  doc.dispatchEvent(new Event('tandem-listener-probe'));
  doc.removeEventListener('tandem-listener-probe', probe);
  return ran;
}

export class InputRelay {
  private readonly surface = el('div', { class: 'input-relay', 'aria-hidden': 'true' });
  private readonly keys = el('textarea', {
    class: 'input-relay-keys',
    'aria-label': 'Typing on the customer\u2019s page',
    autocomplete: 'off',
    spellcheck: 'false',
  });

  /** The console's list for a select of the view, while it is open. */
  private choice: HTMLSelectElement | undefined;
  /** The pointer's press now going on opened that list. */
  private pressOpenedChoice = false;

  constructor(
    container: HTMLElement,
    private readonly ctx: InputRelayContext,
  ) {
    Object.assign(this.surface.style, { position: 'absolute', inset: '0', zIndex: '2', background: 'transparent' });
    Object.assign(this.keys.style, { position: 'absolute', opacity: '0', width: '1px', height: '1px', left: '0' });
    container.append(this.surface, this.keys);
    for (const type of POINTER_TYPES) this.surface.addEventListener(type, (e) => this.pointer(type, e as MouseEvent));
    // The pointer left the view: the customer's page stops showing it (read-aloud mode).
    this.surface.addEventListener('mouseleave', (e) => this.ctx.relay('mouseleave', e));
    for (const type of KEY_TYPES) this.keys.addEventListener(type, (e) => this.key(type, e));
    this.update();
  }

  /** The surface takes the pointer only while input goes to the customer's page. */
  update(): void {
    this.surface.hidden = !this.ctx.active();
    if (this.surface.hidden) this.closeChoice();
  }

  destroy(): void {
    this.closeChoice();
    this.surface.remove();
    this.keys.remove();
  }

  /** A select of the view can't open its own list here (its document runs no listener, and the surface covers it):
   * the console shows the same options in a list of its own below it, and the agent's choice goes to the customer's
   * page as a choice made in the view would. */
  private openChoice(select: HTMLSelectElement, frame: HTMLIFrameElement, scale: number): void {
    this.closeChoice();
    const list = el('select', {
      class: 'input-relay-choice',
      'aria-label': `Choose for the customer: ${select.labels?.[0]?.textContent?.trim() || select.name || 'options'}`,
    });
    list.multiple = select.multiple;
    list.size = Math.max(2, Math.min(select.options.length, CHOICE_ROWS));
    for (const [i, option] of [...select.options].entries()) {
      const item = el('option', { value: String(i) }, option.text);
      item.disabled = option.disabled;
      item.selected = option.selected;
      list.append(item);
    }
    const container = this.surface.parentElement!;
    const where = container.getBoundingClientRect();
    const view = frame.getBoundingClientRect();
    const box = select.getBoundingClientRect();
    Object.assign(list.style, {
      position: 'absolute',
      zIndex: '3',
      left: `${view.left - where.left + box.left * scale}px`,
      top: `${view.top - where.top + box.bottom * scale}px`,
      minWidth: `${Math.max(box.width * scale, 160)}px`,
    });
    list.addEventListener('change', () => {
      this.ctx.choose(
        select,
        [...list.selectedOptions].map((o) => Number(o.value)),
      );
      if (!list.multiple) this.closeChoice();
    });
    list.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' || e.key === 'Enter') this.closeChoice();
    });
    list.addEventListener('blur', () => this.closeChoice());
    container.append(list);
    // Below the select, as a browser shows its list; above it near the view's bottom (the view clips).
    if (list.offsetTop + list.offsetHeight > container.clientHeight)
      list.style.top = `${Math.max(0, view.top - where.top + box.top * scale - list.offsetHeight)}px`;
    this.choice = list;
    list.focus({ preventScroll: true });
  }

  private closeChoice(): void {
    const list = this.choice;
    this.choice = undefined;
    list?.remove();
  }

  private pointer(type: string, e: MouseEvent): void {
    const frame = this.ctx.frame();
    const doc = frame?.contentDocument;
    if (!frame || !doc) return;
    const box = frame.getBoundingClientRect();
    const scale = frame.offsetWidth ? box.width / frame.offsetWidth : 1;
    const x = (e.clientX - box.left) / scale;
    const y = (e.clientY - box.top) / scale;
    const target = deepElementFromPoint(doc, x, y);
    if (!target) return;
    // The release and click of the press that opened the list are the list's, not a click on the customer's page.
    if (type === 'mousedown') this.pressOpenedChoice = false;
    else if (this.pressOpenedChoice && (type === 'mouseup' || type === 'click')) {
      this.pressOpenedChoice = type !== 'click';
      return;
    }
    if (type === 'mousedown' && target.tagName === 'SELECT' && this.ctx.mayChoose(target)) {
      e.preventDefault();
      this.pressOpenedChoice = true;
      this.openChoice(target as HTMLSelectElement, frame, scale);
      return;
    }
    if (type === 'mousedown') {
      // The view's focus follows the press (typing goes there), the keyboard's stays with us.
      if (target instanceof doc.defaultView!.HTMLElement) target.focus({ preventScroll: true });
      e.preventDefault();
      this.keys.focus({ preventScroll: true });
    }
    this.ctx.relay(type, aimedAt(e, target, { clientX: x, clientY: y }));
  }

  private key(type: string, e: Event): void {
    const doc = this.ctx.frame()?.contentDocument;
    if (!doc) return;
    this.ctx.relay(type, aimedAt(e, deepActiveElement(doc, false) ?? doc.body, {}));
    // Nothing stays in the box: what was typed went to the customer's page.
    if (this.keys.value) this.keys.value = '';
  }
}

/** The event as if it had happened on `target` in the view, at the view's own coordinates. */
function aimedAt(e: Event, target: Element, at: { clientX?: number; clientY?: number }): Event {
  return new Proxy(e, {
    get(event, property) {
      if (property === 'target') return target;
      if (property === 'composedPath') return () => [target];
      if (property === 'clientX' && at.clientX !== undefined) return at.clientX;
      if (property === 'clientY' && at.clientY !== undefined) return at.clientY;
      const value: unknown = Reflect.get(event, property, event);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(event) : value;
    },
  });
}

/** The element under a point, inside open shadow roots too: the document's own answer is a component's host. */
function deepElementFromPoint(doc: Document, x: number, y: number): Element | null {
  let found = doc.elementFromPoint(x, y);
  for (let depth = 0; found?.shadowRoot && depth < 32; depth++) {
    const inner = found.shadowRoot.elementFromPoint(x, y);
    if (!inner || inner === found) break;
    found = inner;
  }
  return found;
}
