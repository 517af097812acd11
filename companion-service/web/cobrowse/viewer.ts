import { Replayer } from '@rrweb/replay';
import type { ControlInputAction, ServerMessageOf } from '../../src/protocol/messages';
import { BatchAssembler } from './streamCodec';

/* The agent's live view: rrweb's Replayer in live mode, fed by the visitor's page stream, scaled to fit its box.
 * In control mode the agent's clicks, typing, scrolling and choices in the view are turned into actions on node ids
 * for the visitor's page; in read-aloud mode a click asks the visitor's screen reader to read that element. */

type RrwebEvent = { type: number; timestamp: number; data?: { width?: number; height?: number; source?: number } };

export type ViewerMode = 'view' | 'control' | 'read-aloud';

export interface ViewerEvents {
  onControlInput(action: ControlInputAction): void;
  onReadAloud(nodeId: number): void;
  /** The first full snapshot has been rendered. */
  onFirstPaint?(): void;
}

export class CobrowseViewer {
  private readonly assembler = new BatchAssembler();
  private replayer: Replayer | undefined;
  private mode: ViewerMode = 'view';
  private page = { width: 1024, height: 768 };
  private readonly resizeObserver: ResizeObserver;
  private detachListeners: (() => void) | undefined;

  constructor(
    private readonly container: HTMLElement,
    private readonly events: ViewerEvents,
  ) {
    this.resizeObserver = new ResizeObserver(() => this.fit());
    this.resizeObserver.observe(container);
  }

  /** Feeds one `cobrowse.events` message. Deltas before the first full snapshot can't be shown and are skipped. */
  handle(message: ServerMessageOf<'cobrowse.events'>): void {
    const batch = this.assembler.add(message);
    if (!batch) return;
    const events = batch.events as RrwebEvent[];
    if (!this.replayer) {
      if (!batch.snapshot || events.length === 0) return;
      this.start(events);
      return;
    }
    for (const event of events) {
      this.track(event);
      this.replayer.addEvent(event as never);
    }
  }

  setMode(mode: ViewerMode): void {
    this.mode = mode;
    if (!this.replayer) return;
    if (mode === 'view') this.replayer.disableInteract();
    else this.replayer.enableInteract();
  }

  /** The replayed document, e.g. for tests and for finding elements by text. */
  get document(): Document | undefined {
    return this.replayer?.iframe.contentDocument ?? undefined;
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    this.detachListeners?.();
    this.replayer?.destroy();
    this.replayer = undefined;
  }

  private start(events: RrwebEvent[]): void {
    const first = events[0]!;
    this.replayer = new Replayer([], { root: this.container, liveMode: true, mouseTail: false, showWarning: false });
    this.replayer.startLive(first.timestamp);
    for (const event of events) {
      this.track(event);
      this.replayer.addEvent(event as never);
    }
    this.replayer.on('fullsnapshot-rebuilded', () => this.attachListeners());
    // The first snapshot renders asynchronously; wait for the document to have a body.
    const ready = () => {
      const doc = this.document;
      if (doc?.body) {
        this.attachListeners();
        this.fit();
        this.setMode(this.mode);
        this.events.onFirstPaint?.();
      } else requestAnimationFrame(ready);
    };
    ready();
  }

  /** Keeps the visitor's viewport size from Meta and viewport-resize events for scaling. */
  private track(event: RrwebEvent): void {
    const isMeta = event.type === 4;
    const isViewportResize = event.type === 3 && event.data?.source === 4;
    if ((isMeta || isViewportResize) && event.data?.width && event.data?.height) {
      this.page = { width: event.data.width, height: event.data.height };
      this.fit();
    }
  }

  private fit(): void {
    const wrapper = this.replayer?.wrapper;
    if (!wrapper) return;
    const scale = Math.min(1, this.container.clientWidth / this.page.width);
    wrapper.style.transformOrigin = 'top left';
    wrapper.style.transform = `scale(${scale})`;
    this.container.style.height = `${Math.ceil(this.page.height * scale)}px`;
  }

  private nodeId(target: EventTarget | null): number | undefined {
    if (!this.replayer || !(target && 'nodeType' in target)) return undefined;
    const id = this.replayer.getMirror().getId(target as Node);
    return id > 0 ? id : undefined;
  }

  private attachListeners(): void {
    this.detachListeners?.();
    const doc = this.document;
    if (!doc) return;
    const on = <K extends keyof DocumentEventMap>(type: K, handler: (e: DocumentEventMap[K]) => void) => {
      doc.addEventListener(type, handler, true);
      return () => doc.removeEventListener(type, handler, true);
    };
    const offs = [
      on('click', (e) => {
        const nodeId = this.nodeId(e.target);
        if (nodeId === undefined || this.mode === 'view') return;
        e.preventDefault();
        if (this.mode === 'read-aloud') return this.events.onReadAloud(nodeId);
        const target = e.target as Element;
        if (target instanceof HTMLInputElement && (target.type === 'checkbox' || target.type === 'radio')) {
          // The replayed checkbox is only a picture: ask the visitor's page for the state the agent wants.
          return this.events.onControlInput({ kind: 'check', nodeId, checked: !target.checked });
        }
        this.events.onControlInput({ kind: 'click', nodeId, x: e.offsetX, y: e.offsetY });
      }),
      on('input', (e) => {
        const nodeId = this.nodeId(e.target);
        const target = e.target;
        if (nodeId === undefined || this.mode !== 'control') return;
        if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) {
          if (target.type === 'checkbox' || target.type === 'radio') return;
          this.events.onControlInput({ kind: 'input', nodeId, value: target.value });
        }
      }),
      on('change', (e) => {
        const nodeId = this.nodeId(e.target);
        if (nodeId === undefined || this.mode !== 'control') return;
        if (e.target instanceof HTMLSelectElement) this.events.onControlInput({ kind: 'select', nodeId, value: e.target.value });
      }),
      on('keydown', (e) => {
        const nodeId = this.nodeId(e.target);
        if (nodeId === undefined || this.mode !== 'control') return;
        if (e.key === 'Enter' || e.key === 'Tab' || e.key === 'Escape') this.events.onControlInput({ kind: 'key', nodeId, key: e.key });
      }),
      on('wheel', (e) => {
        if (this.mode !== 'control') return;
        const win = doc.defaultView;
        if (!win) return;
        this.events.onControlInput({ kind: 'scroll', nodeId: null, x: win.scrollX + e.deltaX, y: Math.max(0, win.scrollY + e.deltaY) });
      }),
    ];
    this.detachListeners = () => offs.forEach((off) => off());
  }
}
