import type { ControlInputAction, NavigateAction } from '../../src/protocol/messages';
import { WIDGET_SELECTOR } from './masking';

/* Remote control on the visitor's page: the agent's actions arrive as rrweb node ids and are applied to the real
 * elements. Values go through the native setter plus input/change events, so framework-controlled forms (React and
 * the like, which track the value themselves) see the change as if the visitor typed it. */

export type ApplyResult = 'applied' | 'masked' | 'missing';

function nativeSetter(el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, property: 'value' | 'checked') {
  const proto = Object.getPrototypeOf(el) as object;
  return Object.getOwnPropertyDescriptor(proto, property)?.set;
}

function setValue(el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, value: string): void {
  nativeSetter(el, 'value')?.call(el, value);
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
}

export function applyControlInput(
  action: ControlInputAction,
  nodeFor: (id: number) => Node | null,
  isMasked: (el: Element) => boolean,
): ApplyResult {
  if (action.kind === 'scroll' && action.nodeId === null) {
    window.scrollTo({ left: action.x, top: action.y });
    return 'applied';
  }
  const node = action.nodeId === null ? null : nodeFor(action.nodeId);
  const el = node instanceof Element ? node : node?.parentElement ?? null;
  if (!el) return 'missing';
  // The widget (consent prompts, hang-up) belongs to the visitor alone, even under remote control.
  if (el.closest(WIDGET_SELECTOR)) return 'masked';
  // Masked fields stay out of the agent's reach: no typing, no reading back through the page.
  if (isMasked(el) && action.kind !== 'scroll' && action.kind !== 'click') return 'masked';
  switch (action.kind) {
    case 'click':
      if (el instanceof HTMLElement) {
        if (isMasked(el) && (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) return 'masked';
        el.focus();
        el.click();
      }
      return 'applied';
    case 'input':
      if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
        el.focus();
        setValue(el, action.value);
      } else if (el instanceof HTMLElement && el.isContentEditable) {
        el.textContent = action.value;
        el.dispatchEvent(new Event('input', { bubbles: true }));
      }
      return 'applied';
    case 'check':
      if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) {
        // A click keeps frameworks' own bookkeeping right (they listen for click/change on checkboxes).
        if (el.checked !== action.checked) el.click();
      }
      return 'applied';
    case 'select':
      if (el instanceof HTMLSelectElement) setValue(el, action.value);
      return 'applied';
    case 'scroll':
      el.scrollTo({ left: action.x, top: action.y });
      return 'applied';
    case 'key':
      if (el instanceof HTMLElement) {
        el.focus();
        const init = { key: action.key, bubbles: true, cancelable: true };
        const proceed = el.dispatchEvent(new KeyboardEvent('keydown', init));
        el.dispatchEvent(new KeyboardEvent('keyup', init));
        if (proceed && action.key === 'Enter' && el instanceof HTMLInputElement && el.form) el.form.requestSubmit();
      }
      return 'applied';
  }
}

export function navigate(action: NavigateAction): void {
  if (action === 'back') history.back();
  else if (action === 'forward') history.forward();
  else location.reload();
}
