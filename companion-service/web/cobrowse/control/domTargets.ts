/* Finding the elements the agent's input lands on, on the visitor's page: the element of a recorded node, the element
 * that really has focus (through open shadow roots and same-origin frames, which the recorder also mirrors), what can
 * take focus, and what Tab moves to. Frames are other realms, so element kinds are told by tag name, not instanceof. */

export type TextField = HTMLInputElement | HTMLTextAreaElement;

/** Input types a person types text into (the others have pickers, or are buttons). */
const TEXT_INPUT_TYPES = new Set(['text', 'search', 'email', 'url', 'tel', 'password', 'number']);
/** Input types that have a selection API (setSelectionRange); email and number don't. */
const SELECTABLE_INPUT_TYPES = new Set(['text', 'search', 'url', 'tel', 'password']);
/** Input types whose value comes from a picker: the agent's own picker in the view sets them (setValue). */
export const PICKER_INPUT_TYPES = new Set(['range', 'color', 'date', 'datetime-local', 'month', 'time', 'week']);

export const isElement = (node: Node | null | undefined): node is Element => !!node && node.nodeType === 1;
export const tagOf = (el: Element): string => el.tagName.toLowerCase();
export const isInput = (el: Element): el is HTMLInputElement => tagOf(el) === 'input';
export const isTextArea = (el: Element): el is HTMLTextAreaElement => tagOf(el) === 'textarea';
export const isSelect = (el: Element): el is HTMLSelectElement => tagOf(el) === 'select';

export function isTextField(el: Element): el is TextField {
  return isTextArea(el) || (isInput(el) && TEXT_INPUT_TYPES.has(el.type));
}

export function hasSelectionApi(el: Element): el is TextField {
  return isTextArea(el) || (isInput(el) && SELECTABLE_INPUT_TYPES.has(el.type));
}

export function isContentEditable(el: Element): el is HTMLElement {
  return (el as HTMLElement).isContentEditable === true;
}

export function isEditable(el: Element): boolean {
  return (isTextField(el) && !el.readOnly && !el.disabled) || isContentEditable(el);
}

/** The element of a recorded node (a text node's parent). */
export function elementOf(node: Node | null): Element | null {
  if (!node) return null;
  return isElement(node) ? node : node.parentElement;
}

export function windowOf(el: Element): Window & typeof globalThis {
  return (el.ownerDocument.defaultView ?? window) as Window & typeof globalThis;
}

/** A frame's document, or null when it is another origin's (or not loaded). */
export function frameDocumentOf(frame: Element): Document | null {
  try {
    return (frame as HTMLIFrameElement).contentDocument;
  } catch {
    return null;
  }
}

/** The element that has focus, looking inside open shadow roots and (unless `intoFrames` is false: the live view,
 * which follows each replayed document on its own) same-origin frames. */
export function deepActiveElement(doc: Document = document, intoFrames = true): Element | null {
  let active: Element | null = doc.activeElement;
  for (let depth = 0; active && depth < 32; depth++) {
    const shadow = (active as HTMLElement).shadowRoot;
    if (shadow?.activeElement) {
      active = shadow.activeElement;
      continue;
    }
    if (intoFrames && tagOf(active) === 'iframe') {
      const inner = frameDocumentOf(active);
      if (inner?.activeElement && inner.activeElement !== inner.body) {
        active = inner.activeElement;
        continue;
      }
    }
    break;
  }
  return active;
}

/** The element has focus: it is the active element of its own tree (a document, or a shadow root, whose document's
 * active element is then the host). */
export function isFocused(el: Element): boolean {
  return (el.getRootNode() as Partial<DocumentOrShadowRoot>).activeElement === el;
}

const FOCUSABLE =
  'a[href], area[href], button, input, select, textarea, iframe, summary, [tabindex], [contenteditable]:not([contenteditable="false"])';

function isDisabled(el: Element): boolean {
  return (el as HTMLButtonElement).disabled === true || (isInput(el) && el.type === 'hidden');
}

/** The element a press on `el` focuses: itself or its nearest focusable ancestor (crossing shadow boundaries). */
export function focusTargetOf(el: Element): HTMLElement | null {
  let current: Element | null = el;
  while (current) {
    if (current.matches(FOCUSABLE) && !isDisabled(current)) return current as HTMLElement;
    const parent: Element | null = current.parentElement ?? ((current.getRootNode() as ShadowRoot).host || null);
    current = parent;
  }
  return null;
}

function isRendered(el: Element): boolean {
  const style = windowOf(el).getComputedStyle(el);
  return style.visibility !== 'hidden' && style.display !== 'none' && el.getClientRects().length > 0;
}

/** What Tab moves through in a document: focusable, rendered, tabindex not negative; positive tabindex first. */
export function tabOrder(doc: Document): HTMLElement[] {
  const candidates = [...doc.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !isDisabled(el) && el.tabIndex >= 0 && isRendered(el),
  );
  const positive = candidates.filter((el) => el.tabIndex > 0).sort((a, b) => a.tabIndex - b.tabIndex);
  return [...positive, ...candidates.filter((el) => el.tabIndex === 0)];
}
