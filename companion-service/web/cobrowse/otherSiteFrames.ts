/* Frames of the customer's page whose content comes from another site (a payment form, a map, a video): the
 * customer's browser keeps another origin's document from the page, so the recorder can't see into them and the live
 * view would show an empty box where the customer sees content. Each such frame says instead where its content comes
 * from, so the agent knows what they are not seeing. rrweb notes such a frame's address as `rr_src` in its record and
 * rebuilds it empty, a document of the replay's own that the view may write into. */

import { siteOf, type FrameReport } from './frameWatcher';

/** The record of a replayed node, as rrweb's mirror keeps it. */
type Recorded = { attributes?: Record<string, unknown> } | null;

const LABELLED = 'tandemOtherSite';

/** Whether an rrweb event may bring a frame from another site: a full snapshot, or a change that adds a frame or
 * sets one's `rr_src` (a change adds each node on its own, so a frame inside an added subtree is an add too). Only
 * then is the replayed document searched: changes to the page come many a second. */
export function mayBringOtherSiteFrame(event: {
  type: number;
  data: { source?: number; adds?: unknown; attributes?: unknown };
}): boolean {
  if (event.type === 2) return true;
  if (event.type !== 3 || event.data.source !== 0) return false;
  const adds = (Array.isArray(event.data.adds) ? event.data.adds : []) as Array<{ node?: { tagName?: unknown } }>;
  const changes = (Array.isArray(event.data.attributes) ? event.data.attributes : []) as Array<{
    attributes?: Record<string, unknown>;
  }>;
  return (
    adds.some((add) => add.node?.tagName === 'iframe') ||
    changes.some((c) => !!c.attributes && 'rr_src' in c.attributes)
  );
}

/** Labels the frames from another site in this replayed document and in the same-site frames inside it. */
export function labelOtherSiteFrames(doc: Document, recordOf: (node: Node) => unknown): void {
  for (const frame of doc.querySelectorAll('iframe')) {
    const inner = frame.contentDocument;
    if (!inner) continue;
    const address = (recordOf(frame) as Recorded)?.attributes?.rr_src;
    if (typeof address !== 'string') {
      labelOtherSiteFrames(inner, recordOf);
      continue;
    }
    label(inner, siteOf(address) ?? undefined);
  }
}

/** A frame the customer's page reported loading content from another site (frameWatcher.ts). */
export function labelReportedFrame(report: unknown, nodeOf: (id: number) => Node | null): void {
  const { id, site } = (report ?? {}) as Partial<FrameReport>;
  if (typeof id !== 'number' || !(site === null || typeof site === 'string')) return;
  const frame = nodeOf(id);
  // The replay is another realm: the frame is told by its tag name.
  if (!frame || frame.nodeName !== 'IFRAME') return;
  const inner = (frame as HTMLIFrameElement).contentDocument;
  if (inner) label(inner, site ?? undefined);
}

function label(inner: Document, site: string | undefined): void {
  if (inner.body?.dataset[LABELLED] !== undefined) return;
  const body = inner.body ?? inner.documentElement.appendChild(inner.createElement('body'));
  body.dataset[LABELLED] = '';
  const note = inner.createElement('p');
  note.textContent = site
    ? `Content from ${site}. The customer sees it here; their browser does not share another site\u2019s content.`
    : 'Content from another site. The customer sees it here; their browser does not share another site\u2019s content.';
  Object.assign(note.style, {
    margin: '0',
    padding: '8px',
    font: '13px/1.4 system-ui, sans-serif',
    color: '#3d3d3d',
  });
  Object.assign(body.style, {
    margin: '0',
    minHeight: '100%',
    background: 'repeating-linear-gradient(45deg, #f4f4f4 0 10px, #e9e9e9 10px 20px)',
  });
  body.replaceChildren(note);
}
