/* On the customer's page: frames whose content comes from another site. The browser keeps another origin's document
 * from the page, so the recorder can't see into them; the live view then says where that content comes from
 * (otherSiteFrames.ts). rrweb notes it for frames already loaded when it takes a snapshot; a frame added later is
 * recorded while it still holds its first, empty document of the page's own, so its load says it here. Only the
 * site goes out: a frame's address may carry the customer's tokens. */

export const FRAME_EVENT = 'tandem.frame';

export interface FrameReport {
  id: number;
  /** The site (host) the frame's content comes from, when its address says. */
  site: string | null;
}

/** Only the site: a frame's address may carry the customer's tokens in its path or query. */
export function siteOf(address: string): string | null {
  try {
    const { protocol, host } = new URL(address, globalThis.document?.baseURI);
    return protocol === 'https:' || protocol === 'http:' ? host : null;
  } catch {
    return null;
  }
}

export class FrameWatcher {
  constructor(
    private readonly emit: (tag: string, payload: FrameReport) => void,
    private readonly idOf: (node: Node) => number,
    private readonly isMasked: (el: Element) => boolean,
    private readonly doc: Document = document,
  ) {}

  start(): void {
    // A frame's load does not bubble, but passes the document on its way down.
    this.doc.addEventListener('load', this.onLoad, true);
  }

  stop(): void {
    this.doc.removeEventListener('load', this.onLoad, true);
  }

  private readonly onLoad = (event: Event): void => {
    const frame = event.target;
    if (!(frame instanceof HTMLIFrameElement) || frame.contentDocument || this.isMasked(frame)) return;
    const id = this.idOf(frame);
    if (id > 0) this.emit(FRAME_EVENT, { id, site: siteOf(frame.src) });
  };
}
