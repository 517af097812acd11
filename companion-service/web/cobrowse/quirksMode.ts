/* A customer's page, or a frame in it, without a doctype is in quirks mode, as many older portals and every blank
 * frame a script fills in are. rrweb rebuilds such a document in quirks mode by document.write()-ing a doctype into it,
 * and the console requires Trusted Types for every such write (its CSP), so the browser refuses it: the rebuild of that
 * document throws half-way. The page's own left the view empty; a frame's left its document open, so the console's
 * page never finished loading when the view was built before its load event (Safari pages have such frames: rrweb
 * keeps hidden ones there). The view rebuilds these documents in standards mode instead, which changes only how
 * the few layout rules that differ between the modes lay them out. */

/** rrweb's serialized node types used here. */
const DOCUMENT = 0;
const DOCUMENT_TYPE = 1;

/** rrweb's FullSnapshot event, and IncrementalSnapshot with a Mutation source. */
const FULL_SNAPSHOT = 2;
const INCREMENTAL_SNAPSHOT = 3;
const MUTATION = 0;

interface SerializedNode {
  type?: unknown;
  compatMode?: unknown;
  childNodes?: unknown;
}

/** Marks every quirks-mode document the event would build as a standards-mode one, in place. */
export function rebuildInStandardsMode(event: {
  type: number;
  data: { source?: number; node?: unknown; adds?: unknown };
}): void {
  if (event.type === FULL_SNAPSHOT) inStandardsMode(event.data.node);
  else if (event.type === INCREMENTAL_SNAPSHOT && event.data.source === MUTATION && Array.isArray(event.data.adds))
    for (const add of event.data.adds) inStandardsMode((add as { node?: unknown } | null)?.node);
}

function inStandardsMode(root: unknown): void {
  // A stack, not recursion: the stream comes from the customer's browser and may nest as deep as it likes.
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop() as SerializedNode | null;
    if (typeof node !== 'object' || node === null || !Array.isArray(node.childNodes)) continue;
    if (node.type === DOCUMENT && node.compatMode === 'BackCompat' && !startsWithDoctype(node.childNodes))
      node.compatMode = 'CSS1Compat';
    for (const child of node.childNodes) stack.push(child);
  }
}

/** rrweb writes a doctype only into a document that has none of its own. */
const startsWithDoctype = (childNodes: unknown[]) =>
  (childNodes[0] as SerializedNode | undefined)?.type === DOCUMENT_TYPE;
