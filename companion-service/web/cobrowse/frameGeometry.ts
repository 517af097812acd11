/* Where a same-origin frame's content is, for placing things across frames: the agent's pointer is anchored to an
 * element that may be inside a frame of the page (found in the live view's nested frames, shown on the customer's
 * page over the top document). Frames are other realms: told by tag name, not instanceof. */

import { frameDocumentOf, tagOf } from './control/domTargets';

export interface Offset {
  x: number;
  y: number;
}

/** Where the frame's own viewport starts in the viewport of the document that holds it: past its border and padding. */
export function frameContentOrigin(frame: HTMLIFrameElement): Offset {
  const box = frame.getBoundingClientRect();
  const style = frame.ownerDocument.defaultView?.getComputedStyle(frame);
  return {
    x: box.left + frame.clientLeft + (parseFloat(style?.paddingLeft ?? '') || 0),
    y: box.top + frame.clientTop + (parseFloat(style?.paddingTop ?? '') || 0),
  };
}

/** How far the viewport of `element`'s document is from `top`'s viewport (0, 0 for an element of `top` itself);
 * undefined when a frame on the way can't be reached from `top` (another origin). */
export function offsetInViewportOf(top: Window, element: Element): Offset | undefined {
  const offset = { x: 0, y: 0 };
  let view = element.ownerDocument.defaultView;
  for (let depth = 0; view && view !== top; depth++) {
    let frame: Element | null = null;
    try {
      frame = view.frameElement;
    } catch {
      frame = null;
    }
    if (!frame || depth > 16) return undefined;
    const origin = frameContentOrigin(frame as HTMLIFrameElement);
    offset.x += origin.x;
    offset.y += origin.y;
    view = frame.ownerDocument.defaultView;
  }
  return view === top ? offset : undefined;
}

/** The innermost element at a point of `doc`'s viewport, looking into same-origin frames, with the document it is in
 * and the point in that document's viewport. */
export function deepElementFromPoint(
  doc: Document,
  x: number,
  y: number,
): { element: Element; doc: Document; x: number; y: number } | undefined {
  let element = doc.elementFromPoint(x, y);
  for (let depth = 0; element && depth < 16 && tagOf(element) === 'iframe'; depth++) {
    const frame = element as HTMLIFrameElement;
    const inner = frameDocumentOf(frame);
    if (!inner) break;
    const origin = frameContentOrigin(frame);
    const inside = inner.elementFromPoint(x - origin.x, y - origin.y);
    if (!inside) break;
    [doc, x, y, element] = [inner, x - origin.x, y - origin.y, inside];
  }
  return element ? { element, doc, x, y } : undefined;
}
