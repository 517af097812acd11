import { Replayer } from '@rrweb/replay';
import type { ControlInputAction, ServerMessageOf } from '../../src/protocol/messages';
import { ALWAYS_MASKED, isValidSelector } from './masking';
import { LiveClock } from './liveClock';
import { BatchAssembler } from './streamCodec';

/* The agent's live view: rrweb's Replayer in live mode, fed by the visitor's page stream, scaled to fit its box.
 * In control mode the agent's clicks, typing, scrolling and choices in the view are turned into actions on node ids
 * for the visitor's page; in read-aloud mode a click asks the visitor's screen reader to read that element.
 * The replayed document lives in an iframe (another realm): element types are checked by tag name, since
 * `instanceof` against this window's classes is always false there. */

type RrwebEvent = { type: number; timestamp: number; data?: { width?: number; height?: number; source?: number } };

export type ViewerMode = 'view' | 'control' | 'read-aloud';

export interface ViewerEvents {
  onControlInput(action: ControlInputAction): void;
  /** `text` is what the agent clicked on, as the replay shows it (masked text stays masked). */
  onReadAloud(nodeId: number, text: string): void;
  /** The first full snapshot has been rendered. */
  onFirstPaint?(): void;
  /** The agent tried to type into a field the visitor's page keeps private. */
  onMaskedField?(): void;
}

const isTag = (target: EventTarget | null, tag: string): target is Element =>
  !!target && (target as Node).nodeType === 1 && (target as Element).tagName === tag;
const isToggle = (el: Element) => isTag(el, 'INPUT') && ['checkbox', 'radio'].includes((el as HTMLInputElement).type);

export class CobrowseViewer {
  private readonly assembler = new BatchAssembler();
  private readonly clock = new LiveClock();
  private replayer: Replayer | undefined;
  private mode: ViewerMode = 'view';
  private page = { width: 1024, height: 768 };
  private painted = false;
  private masked = ALWAYS_MASKED.join(', ');
  private readonly resizeObserver: ResizeObserver;
  private detachListeners: (() => void) | undefined;

  constructor(
    private readonly container: HTMLElement,
    private readonly events: ViewerEvents,
  ) {
    this.resizeObserver = new ResizeObserver(() => this.fit());
    this.resizeObserver.observe(container);
  }

  /** The session's extra mask selectors: the view refuses typing into those fields (the visitor's page would too). */
  setMaskSelectors(selectors: readonly string[]): void {
    this.masked = [...ALWAYS_MASKED, ...selectors.filter(isValidSelector)].join(', ');
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
    this.clock.retime(events, Date.now());
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

  /** The replay's iframe needs an accessible name in the agent's page. */
  setFrameTitle(title: string): void {
    this.replayer?.iframe.setAttribute('title', title);
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
    const replayer = new Replayer([], { root: this.container, liveMode: true, mouseTail: false, showWarning: false });
    this.replayer = replayer;
    // Each full snapshot rebuilds the document (document.open drops its listeners): hook it up again every time.
    replayer.on('fullsnapshot-rebuilded', () => {
      this.attachListeners();
      this.fit();
      this.setMode(this.mode);
      if (!this.painted) {
        this.painted = true;
        this.events.onFirstPaint?.();
      }
    });
    // Timed after the replayer is built (tens of ms), or every event would be due that much late for good.
    replayer.startLive(this.clock.retime(events, Date.now()));
    for (const event of events) {
      this.track(event);
      replayer.addEvent(event as never);
    }
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

  private isMasked(target: EventTarget | null): boolean {
    return !!target && (target as Node).nodeType === 1 && !!(target as Element).closest(this.masked);
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
        const target = e.target as Element;
        if (this.mode === 'read-aloud') return this.events.onReadAloud(nodeId, (target.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 120));
        if (isToggle(target)) {
          // The replayed checkbox is only a picture: the browser has already flipped it for this click (and
          // preventDefault flips it back), so `checked` here is the state the agent asks for.
          return this.events.onControlInput({ kind: 'check', nodeId, checked: (target as HTMLInputElement).checked });
        }
        this.events.onControlInput({ kind: 'click', nodeId, x: e.offsetX, y: e.offsetY });
      }),
      // Private fields can't be typed into from here; the visitor's page refuses such input as well.
      on('beforeinput', (e) => {
        if (this.mode === 'control' && this.isMasked(e.target)) {
          e.preventDefault();
          this.events.onMaskedField?.();
        }
      }),
      on('input', (e) => {
        const nodeId = this.nodeId(e.target);
        const target = e.target;
        if (nodeId === undefined || this.mode !== 'control') return;
        if ((isTag(target, 'INPUT') && !isToggle(target)) || isTag(target, 'TEXTAREA')) {
          this.events.onControlInput({ kind: 'input', nodeId, value: (target as HTMLInputElement).value });
        }
      }),
      on('change', (e) => {
        const nodeId = this.nodeId(e.target);
        if (nodeId === undefined || this.mode !== 'control') return;
        if (isTag(e.target, 'SELECT')) this.events.onControlInput({ kind: 'select', nodeId, value: (e.target as HTMLSelectElement).value });
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
