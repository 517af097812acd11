/* Drawings on the customer's page (a chart, a map, a signature pad): a <canvas> holds pixels, not elements, and the
 * recorder does not send them (recordCanvas is off: a drawing can't be masked as a field is, and would cost the stream
 * a picture at a time). The live view runs no scripts, and a browser shows a canvas of a document without scripts as
 * its fallback content, the elements inside it: rrweb's rebuilt canvas had none, so it took no room at all, and what
 * follows it on the page sat higher in the view than on the customer's screen. Each one now keeps the box the
 * customer sees (its CSS size, else its own width and height as a canvas has) and says what is there. A canvas inside
 * a masked element keeps the size masking recorded, and says nothing. */

/** The record of a replayed node, as rrweb's mirror keeps it. */
type Recorded = { attributes?: Record<string, unknown> } | null;

const NOTE = 'A drawing or chart the customer sees here. The live view can\u2019t show drawn content.';
const LABEL = 'Drawing not shown in the live view';
const NOTE_ATTRIBUTE = 'data-tandem-drawing';

/** rrweb's serialized Element node type. */
const ELEMENT = 2;

/** Whether an rrweb event may add a canvas: a full snapshot, or a change adding one (alone, or in a frame's document
 * built at once). Only then is the replayed document searched: changes to the page come many a second. */
export function mayAddCanvas(event: { type: number; data: { source?: number; adds?: unknown } }): boolean {
  if (event.type === 2) return true;
  if (event.type !== 3 || event.data.source !== 0 || !Array.isArray(event.data.adds)) return false;
  return event.data.adds.some((add) => containsCanvas((add as { node?: unknown } | null)?.node));
}

function containsCanvas(root: unknown): boolean {
  // A stack, not recursion: the stream comes from the customer's browser and may nest as deep as it likes.
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop() as { type?: unknown; tagName?: unknown; childNodes?: unknown } | null;
    if (typeof node !== 'object' || node === null) continue;
    if (node.type === ELEMENT && node.tagName === 'canvas') return true;
    if (Array.isArray(node.childNodes)) stack.push(...(node.childNodes as unknown[]));
  }
  return false;
}

/** Labels every canvas of this replayed document, in its components' shadow roots and in its same-site frames. */
export function labelCanvases(root: Document | ShadowRoot, recordOf: (node: Node) => unknown): void {
  for (const canvas of root.querySelectorAll('canvas')) label(canvas, recordOf);
  for (const element of root.querySelectorAll('*')) {
    if (element.shadowRoot) labelCanvases(element.shadowRoot, recordOf);
    const frameDocument = element.nodeName === 'IFRAME' ? (element as HTMLIFrameElement).contentDocument : null;
    if (frameDocument) labelCanvases(frameDocument, recordOf);
  }
}

/** A canvas whose size or style the page changed (a style set whole drops the box set here): labelled again. */
export function relabelChanged(
  event: { type: number; data: { source?: number; attributes?: unknown } },
  nodeOf: (id: number) => Node | null,
  recordOf: (node: Node) => unknown,
): void {
  if (event.type !== 3 || event.data.source !== 0 || !Array.isArray(event.data.attributes)) return;
  for (const change of event.data.attributes as Array<{ id?: unknown; attributes?: unknown } | null>) {
    const attributes = change?.attributes;
    if (typeof change?.id !== 'number' || typeof attributes !== 'object' || attributes === null) continue;
    if (!['width', 'height', 'style'].some((name) => name in attributes)) continue;
    const node = nodeOf(change.id);
    // The replay is another realm: the canvas is told by its tag name.
    if (node?.nodeName === 'CANVAS') label(node as HTMLCanvasElement, recordOf);
  }
}

function label(canvas: HTMLCanvasElement, recordOf: (node: Node) => unknown): void {
  const view = canvas.ownerDocument.defaultView;
  // Shown as its fallback content, the canvas is an inline box, which no width or height applies to. As an inline
  // block it sits on the line as a canvas does (its bottom edge on the text's baseline) only with its overflow hidden.
  if (view?.getComputedStyle(canvas).display === 'inline') {
    canvas.style.setProperty('display', 'inline-block');
    canvas.style.setProperty('overflow', 'hidden');
  }
  if ((recordOf(canvas) as Recorded)?.attributes?.rr_width !== undefined) return;
  const { width, height } = canvas;
  if (width === 0 || height === 0) return;
  // A canvas sized on one side only keeps its own proportions, as it does on the customer's page.
  canvas.style.setProperty('aspect-ratio', `${width} / ${height}`);
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', LABEL);
  let note = [...canvas.children].find((child) => child.hasAttribute(NOTE_ATTRIBUTE)) as HTMLElement | undefined;
  if (!note) {
    note = canvas.ownerDocument.createElement('span');
    note.setAttribute(NOTE_ATTRIBUTE, '');
    note.textContent = NOTE;
    canvas.append(note);
  }
  // The canvas's own size, as a page lays out a canvas its CSS gives no size; within the CSS size otherwise.
  Object.assign(note.style, {
    display: 'block',
    boxSizing: 'border-box',
    width: `${width}px`,
    maxWidth: '100%',
    height: `${height}px`,
    maxHeight: '100%',
    overflow: 'hidden',
    padding: '8px',
    font: '13px/1.4 system-ui, sans-serif',
    color: '#3d3d3d',
    textAlign: 'left',
    background: 'repeating-linear-gradient(45deg, #f4f4f4 0 10px, #e9e9e9 10px 20px)',
  });
}
