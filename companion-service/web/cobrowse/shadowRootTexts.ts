/* Text right inside a shadow root (a component whose template starts with text, `<template>Card {number}…` in LWC):
 * rrweb decides whether to mask a text by its parent element, and such a text has none, so rrweb records it as it is
 * even when the component's host is masked. Those texts are masked here, in each event before it is sent. */

import { maskedText } from './masking';
import { forEachNode, mutationOf, TEXT_NODE } from './recordedEvents';

/** Masks, in place, the texts of one rrweb event that sit right inside the shadow root of a masked host. */
export function maskShadowRootTexts(
  event: { type: number; data?: unknown },
  /** The page's node recorded with this id. */
  nodeFor: (id: number) => Node | null,
  isMasked: (element: Element) => boolean,
): void {
  const masked = (id: number): boolean => {
    const node = nodeFor(id);
    if (!node || node.parentElement) return false;
    const host = (node.parentNode as Partial<ShadowRoot> | null)?.host;
    return !!host && isMasked(host);
  };
  forEachNode(event, (node) => {
    if (node.type === TEXT_NODE && node.isShadow && node.textContent && masked(node.id))
      node.textContent = maskedText(node.textContent);
  });
  for (const text of mutationOf(event)?.texts ?? [])
    if (text.value && masked(text.id)) text.value = maskedText(text.value);
}
