/* What the recording says about the page's frames, cut to what the live view needs.
 *
 * A frame whose page is written into it (`<iframe srcdoc>`) is recorded like any frame of the page's origin: its
 * document, masked. rrweb also keeps its `srcdoc` attribute, which is that page as raw HTML: masking never sees it (a
 * private line in it would leave the customer's browser as written), and the live view's rebuild would set it on its
 * own frame, whose load races rrweb's rebuild of that document (rrweb issue #1736). The attribute is dropped from
 * every event before it is sent. (The live view still shows such a frame empty: rrweb records two documents for it,
 * about:blank and then the written one, and its replay does not rebuild the second.)
 *
 * A frame from another site is recorded empty, with its address as `rr_src`: the live view says where its content
 * comes from (otherSiteFrames.ts). Only the site goes out: the address's path and query may carry the customer's
 * tokens (a payment session, a signed link). */

import { forEachNode, mutationOf } from './recordedEvents';

/** Removes every `srcdoc` attribute from one rrweb event, and cuts every `rr_src` to its origin, in place. */
export function dropFrameSources(event: { type: number; data?: unknown }): void {
  forEachNode(event, (node) => {
    if (node.attributes) cutAttributes(node.attributes);
  });
  for (const change of mutationOf(event)?.attributes ?? []) if (change.attributes) cutAttributes(change.attributes);
}

function cutAttributes(attributes: Record<string, unknown>): void {
  delete attributes.srcdoc;
  if (typeof attributes.rr_src === 'string') attributes.rr_src = originOf(attributes.rr_src);
}

function originOf(address: string): string {
  try {
    const { origin } = new URL(address, globalThis.document?.baseURI);
    return origin === 'null' ? '' : origin;
  } catch {
    return '';
  }
}
