/* The documents of the live view (the customer's page, and each frame of the page's own in it), in the mode the
 * customer's browser lays them out in, and finished loading.
 *
 * rrweb rebuilds each document with document.open() and its nodes through the DOM, and leaves it open: it never
 * finishes loading, nor do the frames around it, nor the console's own page when the view was built before that page's
 * load event (the browser shows it as loading for good; a test waiting for its load timed out). Closing it ends the
 * parser that document.open() started, which had seen no doctype: the browser then lays the document out in quirks
 * mode, whatever the page's (a heading's margin, the room around a picture on a line: the text below sat 30 px off on a
 * plain page). So the view gives that parser the doctype of the page's mode before closing it, as a Trusted Type: the
 * console requires them for every document.write. rrweb would write a doctype itself into a page in quirks mode
 * without one (older portals, a blank frame a script fills in), as a plain string, which the browser refuses, and the
 * rebuild of that document threw half-way; so it is told every document is in standards mode, and the mode it was in
 * is kept for the close. */

/** rrweb's serialized Document node type. */
const DOCUMENT = 0;

/** rrweb's FullSnapshot event, and IncrementalSnapshot with a Mutation source. */
const FULL_SNAPSHOT = 2;
const INCREMENTAL_SNAPSHOT = 3;
const MUTATION = 0;

/** Kept on rrweb's record of a document (its mirror hands the record back for the replayed node). */
const QUIRKS = 'tandemQuirks';

/** A doctype for each mode: the parser sets the mode from it. HTML 4.0 Transitional is one of those that mean quirks. */
const DOCTYPE = {
  standards: '<!DOCTYPE html>',
  quirks: '<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.0 Transitional//EN">',
};

interface SerializedNode {
  type?: unknown;
  compatMode?: unknown;
  childNodes?: unknown;
  [QUIRKS]?: boolean;
}

/** Takes each document the event would build out of rrweb's hands as to its mode, in place: see above. */
export function takeDocumentModes(event: {
  type: number;
  data: { source?: number; node?: unknown; adds?: unknown };
}): void {
  if (event.type === FULL_SNAPSHOT) takeModes(event.data.node);
  else if (event.type === INCREMENTAL_SNAPSHOT && event.data.source === MUTATION && Array.isArray(event.data.adds))
    for (const add of event.data.adds) takeModes((add as { node?: unknown } | null)?.node);
}

function takeModes(root: unknown): void {
  // A stack, not recursion: the stream comes from the customer's browser and may nest as deep as it likes.
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop() as SerializedNode | null;
    if (typeof node !== 'object' || node === null || !Array.isArray(node.childNodes)) continue;
    if (node.type === DOCUMENT) {
      node[QUIRKS] = node.compatMode === 'BackCompat';
      node.compatMode = 'CSS1Compat';
    }
    for (const child of node.childNodes) stack.push(child);
  }
}

type HtmlPolicy = { createHTML(html: string): string };

let policy: HtmlPolicy | undefined;

/** Passes only the two doctypes above: the view writes nothing else into a document. */
function doctypePolicy(): HtmlPolicy {
  const factory = (globalThis as { trustedTypes?: { createPolicy(name: string, rules: HtmlPolicy): HtmlPolicy } })
    .trustedTypes;
  const rules = {
    createHTML(html: string) {
      if (html !== DOCTYPE.standards && html !== DOCTYPE.quirks) throw new TypeError('not a doctype of the live view');
      return html;
    },
  };
  policy ??= factory ? factory.createPolicy('tandem-live-view', rules) : rules;
  return policy;
}

/** Finishes loading a replayed document once rrweb has built it, and the frames' inside it, each in its page's mode.
 * `recordOf` gives rrweb's record of a replayed node. Closing changes nothing in it: rrweb adds and changes nodes
 * through the DOM, and opens a document again for its next full snapshot. */
export function finishLoading(doc: Document | undefined, recordOf: (node: Node) => unknown): void {
  if (!doc) return;
  if (doc.readyState === 'loading') {
    const quirks = (recordOf(doc) as SerializedNode | null)?.[QUIRKS] === true;
    try {
      doc.write(doctypePolicy().createHTML(quirks ? DOCTYPE.quirks : DOCTYPE.standards));
    } catch (err) {
      // Closed all the same: a view in the wrong mode is better than a console that never finishes loading.
      console.warn('Tandem: the live view could not set the mode of the customer\u2019s page', err);
    }
    doc.close();
    // Firefox's parser adds the written doctype after the document's own (rrweb's), where nothing expects one.
    for (const node of [...doc.childNodes])
      if (node.nodeType === Node.DOCUMENT_TYPE_NODE && node !== doc.doctype) doc.removeChild(node);
  }
  for (const frame of doc.querySelectorAll('iframe')) finishLoading(frame.contentDocument ?? undefined, recordOf);
}
