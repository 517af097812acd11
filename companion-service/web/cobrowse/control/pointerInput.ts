import type { ControlActionOf, Modifiers } from '../../../src/protocol/controlActions';
import { deepActiveElement, focusTargetOf, windowOf } from './domTargets';
import { HoverStyles } from './hoverStyles';

/* The agent's pointer on the visitor's page, as the browser would report a person's mouse: hover (out/leave on what
 * it left, over/enter on what it reached, then move), pointerdown then mousedown with its default action (focus moves
 * to what was pressed, or away from the field when nothing focusable was), pointerup then mouseup, and the clicks the
 * agent's browser made of them (click with its count, dblclick, contextmenu, auxclick). A synthetic click still
 * toggles checkboxes, follows links and submits forms, like a real one. */

type PointerAction = ControlActionOf<'pointer'>;
type ClickAction = ControlActionOf<'click'>;
type Positioned = { x: number; y: number; w: number; h: number };

/** The point in the visitor's viewport (the element's own frame) matching the agent's point in its box. */
function clientPoint(el: Element, at: Positioned): { clientX: number; clientY: number } {
  const rect = el.getBoundingClientRect();
  const x = at.w > 0 ? (at.x / at.w) * rect.width : at.x;
  const y = at.h > 0 ? (at.y / at.h) * rect.height : at.y;
  return {
    clientX: rect.left + Math.max(0, Math.min(rect.width, x)),
    clientY: rect.top + Math.max(0, Math.min(rect.height, y)),
  };
}

function modifierInit(mods: Modifiers) {
  return { altKey: mods.alt, ctrlKey: mods.ctrl, metaKey: mods.meta, shiftKey: mods.shift };
}

/** The path an event bubbles along, through shadow roots (for enter/leave, which don't bubble but are sent to each). */
function ancestors(el: Element): Element[] {
  const chain: Element[] = [];
  let current: Element | null = el;
  while (current) {
    chain.push(current);
    current = current.parentElement ?? ((current.getRootNode() as ShadowRoot).host || null);
  }
  return chain;
}

export class PointerInput {
  private hovered: Element | null = null;
  private readonly hoverStyles = new HoverStyles();

  /** Remote control ended: the page's hover state goes with the agent's pointer. */
  reset(): void {
    this.hoverStyles.clear();
    this.hovered = null;
  }

  /** pointerdown/mousedown, pointerup/mouseup or a move, on `el`. */
  pointer(el: Element, action: PointerAction): void {
    const init = this.init(el, action, action.button, action.buttons, action.detail);
    this.hover(el, init);
    const win = windowOf(el);
    if (action.phase === 'move') {
      el.dispatchEvent(new win.PointerEvent('pointermove', { ...init, ...POINTER, detail: 0 }));
      el.dispatchEvent(new win.MouseEvent('mousemove', init));
      return;
    }
    const down = action.phase === 'down';
    const pointerType = down ? 'pointerdown' : 'pointerup';
    // Pointer events carry no click count (detail 0); the mouse events after them do.
    const proceed = el.dispatchEvent(new win.PointerEvent(pointerType, { ...init, ...POINTER, detail: 0 }));
    // A canceled pointerdown suppresses the compatibility mouse events (Pointer Events spec).
    if (!proceed && down) return;
    const mouseProceed = el.dispatchEvent(new win.MouseEvent(down ? 'mousedown' : 'mouseup', init));
    if (down && mouseProceed && action.button === 0) moveFocus(el);
  }

  /** click, dblclick, contextmenu or auxclick on `el`. */
  click(el: Element, action: ClickAction): void {
    const init = this.init(el, action, action.button, 0, action.detail);
    const win = windowOf(el);
    const event =
      action.type === 'click' || action.type === 'auxclick' || action.type === 'contextmenu'
        ? new win.PointerEvent(action.type, { ...init, ...POINTER })
        : new win.MouseEvent(action.type, init);
    el.dispatchEvent(event);
  }

  private init(el: Element, action: Positioned & { mods: Modifiers }, button: number, buttons: number, detail: number) {
    const { clientX, clientY } = clientPoint(el, action);
    const win = windowOf(el);
    return {
      bubbles: true,
      cancelable: true,
      composed: true,
      view: win,
      clientX,
      clientY,
      screenX: clientX + win.screenX,
      screenY: clientY + win.screenY,
      button,
      buttons,
      detail,
      ...modifierInit(action.mods),
    };
  }

  /** Leaving the hovered element for `el`: out/leave, over/enter, as a moving mouse does. They carry no click count
   * (detail 0), even when the agent's press reached `el` before any move over it did. */
  private hover(el: Element, actionInit: MouseEventInit): void {
    const previous = this.hovered;
    if (previous === el) return;
    const init = { ...actionInit, detail: 0 };
    this.hovered = el;
    const win = windowOf(el);
    const next = ancestors(el);
    this.hoverStyles.hover(next);
    const left = previous ? ancestors(previous) : [];
    if (previous?.isConnected) {
      previous.dispatchEvent(new win.PointerEvent('pointerout', { ...init, ...POINTER, relatedTarget: el }));
      previous.dispatchEvent(new win.MouseEvent('mouseout', { ...init, relatedTarget: el }));
      for (const node of left.filter((n) => !next.includes(n))) {
        node.dispatchEvent(
          new win.PointerEvent('pointerleave', { ...init, ...POINTER, ...BOUNDARY, relatedTarget: el }),
        );
        node.dispatchEvent(new win.MouseEvent('mouseleave', { ...init, ...BOUNDARY, relatedTarget: el }));
      }
    }
    el.dispatchEvent(new win.PointerEvent('pointerover', { ...init, ...POINTER, relatedTarget: previous }));
    el.dispatchEvent(new win.MouseEvent('mouseover', { ...init, relatedTarget: previous }));
    for (const node of next.filter((n) => !left.includes(n)).reverse()) {
      node.dispatchEvent(
        new win.PointerEvent('pointerenter', { ...init, ...POINTER, ...BOUNDARY, relatedTarget: previous }),
      );
      node.dispatchEvent(new win.MouseEvent('mouseenter', { ...init, ...BOUNDARY, relatedTarget: previous }));
    }
  }
}

/** Enter and leave go to each element on their own: they neither bubble nor cross shadow roots, and can't be canceled. */
const BOUNDARY = { bubbles: false, cancelable: false, composed: false } as const;

/** The mouse the agent drives, as the Pointer Events spec describes a mouse. */
const POINTER = { pointerId: 1, pointerType: 'mouse', isPrimary: true, width: 1, height: 1, pressure: 0.5 } as const;

/** What pressing the primary button does to focus: the pressed element (or its focusable ancestor) takes it; pressing
 * on something that can't take focus takes it away from the field that had it. */
function moveFocus(el: Element): void {
  const target = focusTargetOf(el);
  if (target) {
    if (deepActiveElement(target.ownerDocument) !== target) target.focus({ preventScroll: true });
    return;
  }
  const active = deepActiveElement(el.ownerDocument);
  if (active && active !== el.ownerDocument.body) (active as HTMLElement).blur?.();
}
