/* What rrweb's masking does not reach inside the shadow roots of a masked component (and inside frames in them),
 * masked here in each event before it is sent:
 * - Text right inside a shadow root (a component whose template starts with text, `<template>Card {number}…` in
 *   LWC): rrweb decides whether to mask a text by its parent element, and such a text has none, so it was recorded as
 *   it is.
 * - Media and selects in a component nested inside the masked component's shadow root (a picture in a child
 *   component of a private Lightning Web Component): rrweb blocks them by selector, matched per element within its
 *   own tree, and the `:host(…)` forms of masking.ts reach only the masked host's own shadow root, so they went out
 *   with their addresses and values. The same for those in a frame there: rrweb records the frame's document apart,
 *   its texts and values masked (masking.ts climbs out of frames), its media by selectors of that document alone.
 *   They become what rrweb makes of a blocked element: a placeholder of the same size, with nothing of what it
 *   shows. */

import { BLOCKED_IN_MASK, maskedText } from './masking';
import { ELEMENT_NODE, forEachNode, inputOf, mutationOf, TEXT_NODE } from './recordedEvents';

/** What a mask blocks (masking.ts), but frames: a frame's document is recorded on its own, which blocking the frame
 * here, after rrweb has taken it, would not stop; what it holds is masked instead. */
const BLOCKED = new Set(BLOCKED_IN_MASK.filter((tag) => tag !== 'iframe'));

/** Masks, in place, what one rrweb event holds of masked components' shadow roots that rrweb left as it was. */
export function maskAcrossShadowRoots(
  event: { type: number; data?: unknown },
  /** The page's node recorded with this id. */
  nodeFor: (id: number) => Node | null,
  isMasked: (element: Element) => boolean,
): void {
  const maskedShadowRootText = (id: number): boolean => {
    const node = nodeFor(id);
    if (!node || node.parentElement) return false;
    const host = (node.parentNode as Partial<ShadowRoot> | null)?.host;
    return !!host && isMasked(host);
  };
  const maskedBlocked = (id: number): Element | undefined => {
    const node = nodeFor(id);
    if (node?.nodeType !== 1) return undefined;
    const element = node as Element;
    // Outside shadow roots and frames rrweb's own selectors decide: a page's many images need no check of their own.
    if (!BLOCKED.has(element.localName) || element.getRootNode() === globalThis.document) return undefined;
    return isMasked(element) ? element : undefined;
  };
  forEachNode(event, (node) => {
    if (node.type === TEXT_NODE && node.isShadow && node.textContent && maskedShadowRootText(node.id)) {
      node.textContent = maskedText(node.textContent);
      return;
    }
    // rrweb's own placeholders already have a size and nothing else.
    if (node.type !== ELEMENT_NODE || !BLOCKED.has(node.tagName ?? '') || node.attributes?.rr_width !== undefined)
      return;
    const element = maskedBlocked(node.id);
    if (!element) return;
    const { width, height } = element.getBoundingClientRect();
    node.attributes = {
      ...(node.attributes?.class !== undefined && { class: node.attributes.class }),
      rr_width: `${width}px`,
      rr_height: `${height}px`,
    };
    node.childNodes = [];
  });
  const mutation = mutationOf(event);
  for (const text of mutation?.texts ?? [])
    if (text.value && maskedShadowRootText(text.id)) text.value = maskedText(text.value);
  for (const change of mutation?.attributes ?? [])
    if (change.id !== undefined && maskedBlocked(change.id)) change.attributes = {};
  // A blocked select's choice: rrweb records it as input, unmasked (selects are blocked rather than masked).
  const input = inputOf(event);
  if (input?.text && maskedBlocked(input.id)) input.text = '';
}
