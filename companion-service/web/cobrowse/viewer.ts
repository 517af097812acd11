import type { Replayer } from '@rrweb/replay';
import type { ControlInputAction, ServerMessageOf } from '../../src/protocol/messages';
import { labelCanvases, mayAddCanvas, relabelChanged } from './drawnContent';
import { deepActiveElement, hasSelectionApi } from './control/domTargets';
import { CustomerRange } from './customerRange';
import { createMasking } from './masking';
import { InputRelay, listenersRunIn } from './inputRelay';
import { LiveClock } from './liveClock';
import { FRAME_EVENT } from './frameWatcher';
import { labelOtherSiteFrames, labelReportedFrame, mayBringOtherSiteFrame } from './otherSiteFrames';
import { isFocusOrBlur } from './recordedEvents';
import { finishLoading, takeDocumentModes } from './replayedDocuments';
import { guardTimer, isReplayEvent, type ReplayEvent } from './replayGuard';
import { forgetShownEvents } from './replayMemory';
import type { ReplayerClass } from './replayerLink';
import { BatchAssembler } from './streamCodec';
import { ViewerFields } from './viewerFields';
import { ViewerGuide, type GuideOut, type GuideTool } from './viewerGuide';
import { ViewerInput, type ViewerMode } from './viewerInput';

/* The agent's live view: rrweb's Replayer in live mode, fed by the visitor's page stream, scaled to fit its box.
 * In control mode the agent's own input in the view becomes remote-control actions (viewerInput.ts); in read-aloud
 * mode a click asks the visitor's screen reader to read that element. The customer's real field values and caret
 * come back as custom events of the stream (viewerFields.ts). Outside control mode, the agent's pointer, clicks and
 * drawings guide the visitor (viewerGuide.ts). */

export type { ViewerMode, GuideTool };

export interface ViewerEvents {
  /** `seq` numbers the actions of this view, 1 up (control.input's seq). */
  onControlInput(action: ControlInputAction, seq: number): void;
  /** `text` is what the agent clicked on, as the replay shows it (masked text stays masked). */
  onReadAloud(nodeId: number, text: string): void;
  /** The first full snapshot has been rendered. */
  onFirstPaint?(): void;
  /** The agent tried to type into a field the visitor's page keeps private. */
  onMaskedField?(): void;
  /** The agent's pointer, click gestures and drawings for the visitor's page (viewerGuide.ts). */
  onGuide?(message: GuideOut): void;
  /** An event of the stream could not be shown (not rrweb's, or rrweb could not apply it): the view may now differ
   * from the page until the next full snapshot. */
  onEventLost?(): void;
}

export class CobrowseViewer {
  private readonly assembler = new BatchAssembler();
  private readonly clock = new LiveClock();
  private replayer: Replayer | undefined;
  private mode: ViewerMode = 'view';
  private page = { width: 1024, height: 768 };
  private scale = 1;
  private painted = false;
  /** The agent's remote-control actions sent from this view so far (each one's seq). */
  private actionsSent = 0;
  /** The same masking as the customer's page: the fields the view refuses typing into. */
  private masking = createMasking([], () => this.document);
  private readonly resizeObserver: ResizeObserver;
  /** The agent's input taken over the view, where the browser runs no listener in its document (inputRelay.ts). */
  private relay: InputRelay | undefined;
  /** The agent's input is listened to in each replayed document: the page and the frames in it. */
  private readonly listening = new Map<Document, () => void>();
  private readonly input = new ViewerInput({
    mode: () => this.mode,
    nodeId: (node) => this.nodeId(node),
    isMasked: (el) => this.isMasked(el),
    send: (action) => this.events.onControlInput(action, ++this.actionsSent),
    readAloud: (nodeId, text) => this.events.onReadAloud(nodeId, text),
    maskedField: () => this.events.onMaskedField?.(),
    applyingRemoteSelection: () => this.fields.applying,
    knownFocus: () => this.fields.focus,
    focusSent: (nodeId) => (this.fields.focus = nodeId),
    knownSelection: (nodeId) => this.fields.known(nodeId),
    selectionSent: (nodeId, selection) => this.fields.sent(nodeId, selection),
    customerHasRange: (range) => this.customerRange.has(range),
    rangeSent: (range) => this.customerRange.sent(range),
  });
  /** The customer's selection of page text, so that the replay's showing it is not sent back as the agent's. */
  private readonly customerRange = new CustomerRange();
  private readonly fields = new ViewerFields({
    node: (id) => (this.replayer?.getMirror().getNode(id) as Node | null) ?? null,
    nodeId: (node) => this.nodeId(node),
    actionsSent: () => this.actionsSent,
    mayMoveCaret: () => this.mode === 'control' && !!this.replayer && document.activeElement === this.replayer.iframe,
  });

  readonly guide: ViewerGuide;

  /** `replayerClass`: rrweb's Replayer, which the console loads as a chunk of its own (loadReplayer.ts). */
  constructor(
    private readonly container: HTMLElement,
    private readonly events: ViewerEvents,
    private readonly replayerClass: ReplayerClass,
  ) {
    this.guide = new ViewerGuide(container, {
      mode: () => this.mode,
      frame: () => this.replayer?.iframe,
      scale: () => this.scale,
      nodeId: (node) => this.nodeId(node),
      send: (message) => this.events.onGuide?.(message),
    });
    this.resizeObserver = new ResizeObserver(() => this.fit());
    this.resizeObserver.observe(container);
  }

  /** The session's extra mask selectors: the view refuses typing into those fields (the visitor's page would too). */
  setMaskSelectors(selectors: readonly string[]): void {
    this.masking = createMasking(selectors, () => this.document);
  }

  /** Feeds one `cobrowse.events` message. Deltas before the first full snapshot can't be shown and are skipped. */
  handle(message: ServerMessageOf<'cobrowse.events'>): void {
    const batch = this.assembler.add(message);
    if (!batch) return;
    const replayable = batch.events.filter(isReplayEvent);
    if (replayable.length < batch.events.length) this.eventLost(new Error('not an rrweb event'));
    // The customer's focus changes are left out: rrweb would focus() the view's element, taking the agent's keyboard
    // from the rest of the console (a report they were writing), or blur() it, dropping the caret the agent had just
    // put there (what they typed next went nowhere). The page's focus reports say where it is instead, and respect
    // both (viewerFields.ts).
    const events = replayable.filter((event) => !isFocusOrBlur(event));
    for (const event of events) takeDocumentModes(event);
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
    this.guide.modeChanged();
    this.relay?.update();
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
    this.guide.destroy();
    for (const off of this.listening.values()) off();
    this.listening.clear();
    this.relay?.destroy();
    this.replayer?.destroy();
    this.replayer = undefined;
  }

  private start(events: ReplayEvent[]): void {
    const replayer = new this.replayerClass([], {
      root: this.container,
      liveMode: true,
      mouseTail: false,
      showWarning: false,
      // Frames inside the page are rebuilt on their own (document.open drops listeners): listen again each time.
      plugins: [
        {
          onBuild: (node) => {
            if ((node as Node).nodeType !== 9) return;
            this.listenTo(node as Document);
            // Called for a document once all of it is built. A frame's often comes after the page's was built, so the
            // rebuild event's closing is too early for it. The page's own is closed at that event: closed here, before
            // rrweb has finished the rebuild, Firefox's view was never shown.
            if (node !== replayer.iframe.contentDocument) finishLoading(node as Document, this.recordOf);
          },
          handler: (event) => {
            this.customerRange.replayed(event as never);
            if (mayBringOtherSiteFrame(event as never)) this.labelFrames();
            this.labelDrawings(event as never);
            forgetShownEvents(replayer.service.state.context.events, event);
          },
        },
      ],
    });
    this.replayer = replayer;
    this.keepAgentCaret(replayer);
    guardTimer(replayer.timer, (err) => this.eventLost(err));
    // Each full snapshot rebuilds the document (document.open drops its listeners): hook it up again every time.
    replayer.on('custom-event', (event) => {
      const custom = event as { data?: { tag?: unknown; payload?: unknown } };
      if (custom.data?.tag === FRAME_EVENT)
        labelReportedFrame(custom.data.payload, (id) => replayer.getMirror().getNode(id) as Node | null);
      else this.fields.handle(event as never);
    });
    replayer.on('fullsnapshot-rebuilded', () => {
      finishLoading(this.document, this.recordOf);
      this.listenAgain();
      this.fit();
      this.setMode(this.mode);
      this.fields.refocus();
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

  /** Whether the agent controls the page with their caret in a text field of the view. */
  private agentCaretInField(): boolean {
    const active = this.mode === 'control' && this.document ? deepActiveElement(this.document) : null;
    return !!active && hasSelectionApi(active);
  }

  /** rrweb applies the page's selection to the view as each selection event falls due (its Replayer.applySelection,
   * also after a rebuild). Applying it moves the view's document selection, and Chromium then reads the caret of the
   * focused field as 0: while the agent's caret is in a field of the view, the customer's selection is not shown
   * (customerRange.ts still notes it). Checked when it would be applied, not when it arrives: the agent may click
   * into the field in between. */
  private keepAgentCaret(replayer: Replayer): void {
    const target = replayer as unknown as { applySelection?: (data: unknown) => void };
    const apply = target.applySelection?.bind(replayer);
    if (!apply) return;
    target.applySelection = (data) => {
      if (!this.agentCaretInField()) apply(data);
    };
  }

  /** Keeps the visitor's viewport size from Meta and viewport-resize events for scaling. */
  private track(event: ReplayEvent): void {
    const isMeta = event.type === 4;
    const isViewportResize = event.type === 3 && event.data?.source === 4;
    if ((isMeta || isViewportResize) && event.data?.width && event.data?.height) {
      this.page = { width: event.data.width, height: event.data.height };
      this.fit();
    }
  }

  /** rrweb's record of a replayed node. */
  private readonly recordOf = (node: Node): unknown => this.replayer?.getMirror().getMeta(node as never) ?? null;

  private labelFrames(): void {
    const doc = this.document;
    if (doc) labelOtherSiteFrames(doc, this.recordOf);
  }

  private labelDrawings(event: Parameters<typeof mayAddCanvas>[0] & Parameters<typeof relabelChanged>[0]): void {
    const doc = this.document;
    const mirror = this.replayer?.getMirror();
    if (!doc || !mirror) return;
    if (mayAddCanvas(event)) labelCanvases(doc, this.recordOf);
    else relabelChanged(event, (id) => mirror.getNode(id) as Node | null, this.recordOf);
  }

  private eventLost(err: unknown): void {
    console.warn('Tandem: an event of the customer\u2019s page could not be shown', err);
    this.events.onEventLost?.();
  }

  private fit(): void {
    const wrapper = this.replayer?.wrapper;
    if (!wrapper) return;
    const scale = Math.min(1, this.container.clientWidth / this.page.width);
    this.scale = scale;
    wrapper.style.transformOrigin = 'top left';
    wrapper.style.transform = `scale(${scale})`;
    this.container.style.height = `${Math.ceil(this.page.height * scale)}px`;
  }

  private nodeId(node: Node): number | undefined {
    if (!this.replayer) return undefined;
    const id = this.replayer.getMirror().getId(node);
    return id > 0 ? id : undefined;
  }

  private isMasked(el: Element): boolean {
    return this.masking.isMasked(el);
  }

  /** After a full rebuild: the page's document and every frame in it are new. */
  private listenAgain(): void {
    for (const off of this.listening.values()) off();
    this.listening.clear();
    const doc = this.document;
    if (!doc) return;
    this.listenTo(doc);
    for (const frame of doc.querySelectorAll('iframe')) if (frame.contentDocument) this.listenTo(frame.contentDocument);
  }

  /** Listens to the agent in one replayed document (again: a rebuilt document has lost its listeners). */
  private listenTo(doc: Document): void {
    this.listening.get(doc)?.();
    const offs = [this.input.attach(doc), this.guide.attach(doc), this.fields.attach(doc)];
    this.listening.set(doc, () => offs.forEach((off) => off()));
    if (!this.relay && doc === this.document && !listenersRunIn(doc))
      this.relay = new InputRelay(this.container, {
        frame: () => this.replayer?.iframe,
        active: () => this.mode !== 'view',
        relay: (type, e) => {
          this.input.relay(type, e);
          this.guide.relay(type, e);
        },
        mayChoose: (select) => this.input.mayChoose(select),
        choose: (select, selected) => this.input.choose(select, selected),
      });
    if (doc.defaultView) this.fields.keepCaretsIn(doc.defaultView);
  }
}
