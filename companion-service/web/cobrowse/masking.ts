import { GUIDE_HOST_ID, WIDGET_HOST_ID } from '../shared/ownHosts';

/* Masking happens in the visitor's browser, before anything is recorded: password fields always, and every element
 * matching the configured selectors or carrying data-tandem-mask. Text is replaced, input values hidden, images and
 * media blocked (rrweb keeps a placeholder of the same size). A mask on a component's host covers its shadow root
 * too (web components, Lightning Web Components on Experience Cloud's LWR sites): rrweb's own checks stop at a shadow
 * root, so text and values are decided here, across them. */

export const ALWAYS_MASKED = ['[data-tandem-mask]', 'input[type="password" i]'];
/** The widget itself (the visitor's own video, the consent prompts) and its layer of the agent's pointer and drawings
 * (guide/guideLayer.ts) are never shown to the agent nor controllable. */
const OWN_HOSTS = [WIDGET_HOST_ID, GUIDE_HOST_ID].map((id) => `#${id}`);
export const WIDGET_SELECTOR = OWN_HOSTS.join(', ');
/** Every element inside those hosts' shadow roots. rrweb leaves the hosts out of the recording, yet it watches their
 * shadow roots for changes and works on each one (the widget's every status line, the agent's cursor at each move)
 * before finding it belongs to nothing recorded; blocked by name, each change is dropped at once. Where a browser
 * can't parse `:host(…)` in a selector, the hosts alone are blocked, as before. */
const INSIDE_OWN_HOSTS = OWN_HOSTS.map((host) => `:host(${host}) *`).join(', ');
/** What a filled-in masked field shows the agent, whatever its value. */
export const MASKED_VALUE = '••••••••';
/** Blocked inside a masked element (rrweb keeps a placeholder of the same size): media, and selects, whose chosen
 * option would otherwise show (rrweb records it when select masking is off, which the live view needs). */
export const BLOCKED_IN_MASK = [
  'img',
  'video',
  'audio',
  'canvas',
  'iframe',
  'svg',
  'picture',
  'object',
  'embed',
  'select',
];

/** A masked text: each visible character a bullet, so the agent sees the shape of the page. */
export function maskedText(text: string): string {
  return text.replace(/\S/g, '\u2022');
}

export interface Masking {
  /** Matches elements whose own text or value is masked (they or an ancestor match a mask selector). */
  isMasked(element: Element | null): boolean;
  recordOptions: {
    maskTextSelector: string;
    blockSelector: string;
    maskInputOptions: Record<string, boolean>;
    maskInputFn: (text: string, element: HTMLElement) => string;
    maskTextFn: (text: string, element: HTMLElement | null) => string;
  };
}

/** `element.closest(selector)`, continued from each shadow root to its host, and from the document of each frame in
 * the page to that frame: a frame inside a masked element is masked throughout (rrweb records a frame of the page's
 * origin, and checks masking within the frame's own document). */
function closestInPage(element: Element, selector: string, page: Document | undefined): Element | null {
  for (let el: Element | null = element; el;) {
    const found = el.closest(selector);
    if (found) return found;
    // A ShadowRoot has a host, a Document none (instanceof would miss a frame's ShadowRoot, another realm's).
    const root = el.getRootNode() as Partial<ShadowRoot> & Partial<Document>;
    el = root.host ?? (root === page ? null : (root.defaultView?.frameElement ?? null));
  }
  return null;
}

/** A configured selector the browser can't parse is left out rather than breaking every other one. */
export function isValidSelector(selector: string): boolean {
  try {
    document.createDocumentFragment().querySelector(selector);
    return true;
  } catch {
    return false;
  }
}

/** `page`: the recorded page's document (the live view's: its replay), beyond which no frame is climbed out of. */
export function createMasking(
  configured: readonly string[],
  page: () => Document | undefined = () => globalThis.document,
): Masking {
  const selectors = [...ALWAYS_MASKED, ...configured.filter(isValidSelector)];
  const any = selectors.join(', ');
  const isMasked = (element: Element | null) =>
    !!element && !!closestInPage(element, `${any}, ${WIDGET_SELECTOR}`, page());
  // Media and selects inside a masked element, one that itself carries an attribute/class/id mask selector, and one
  // in the shadow root of a masked host (rrweb matches these per element, within its own tree: those of a component
  // nested deeper in that root are blocked by the recorder, shadowRootMasking.ts). A selector naming an element type
  // (input[type=password]) can't be glued onto a media tag, so it has neither of the last two forms. A form the
  // browser can't parse is left out: one bad part would break the whole selector, the widget's own blocking with it.
  const blocked = selectors.flatMap((s) =>
    BLOCKED_IN_MASK.flatMap((m) =>
      /^[[.#]/.test(s) ? [`${s} ${m}`, `${m}${s}`, `:host(${s}) ${m}`] : [`${s} ${m}`],
    ).filter(isValidSelector),
  );
  // rrweb calls maskInputFn only for the input types switched on here, so switch them all on and decide per element.
  // Not select: with it on, rrweb leaves out which option is selected, and the live view showed the first one; masked
  // selects are blocked instead (above).
  const types = [
    'color',
    'date',
    'datetime-local',
    'email',
    'month',
    'number',
    'range',
    'search',
    'tel',
    'text',
    'time',
    'url',
    'week',
    'textarea',
    'password',
  ];
  // A fixed length: the bullets say the field is filled in, never how long its value is.
  const mask = (text: string) => (text ? MASKED_VALUE : '');
  return {
    isMasked,
    recordOptions: {
      // Every text goes to maskTextFn, which decides across shadow roots (rrweb's closest() would stop at them).
      maskTextSelector: '*',
      blockSelector: [
        WIDGET_SELECTOR,
        ...(isValidSelector(INSIDE_OWN_HOSTS) ? [INSIDE_OWN_HOSTS] : []),
        ...blocked,
      ].join(', '),
      maskInputOptions: Object.fromEntries(types.map((t) => [t, true])),
      maskInputFn: (text, element) => (isMasked(element) ? mask(text) : text),
      maskTextFn: (text, element) => (isMasked(element) ? maskedText(text) : text),
    },
  };
}
