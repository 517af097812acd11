import { GUIDE_COORDINATE_MAX, GUIDE_STROKE_POINTS } from '../../src/protocol/guideLimits';
import type { GuideAnchor, StrokePoint, StrokeShape } from '../../src/protocol/messages';
import { deepElementFromPoint } from './frameGeometry';
import { StrokeLayer } from './guide/strokeLayer';
import type { ViewerMode } from './viewerInput';

/* Guiding from the live view, without remote control: the agent's pointer (as the element under it and the place in
 * that element's box, so the customer's page shows it on the same element whatever its scroll or layout), a click as
 * a gesture, and drawing (freehand or arrows, in page coordinates) on a surface over the view. Pointer messages go out
 * at most POINTER_MS apart and stroke points in batches BATCH_MS apart, so together they stay under 30 a second. */

export type GuideTool = 'point' | 'freehand' | 'arrow';
export type GuideOut =
  | { type: 'guide.pointer'; at: GuideAnchor | null }
  | { type: 'guide.gesture'; at: GuideAnchor }
  | { type: 'guide.stroke'; stroke: number; shape: StrokeShape; points: StrokePoint[]; end: boolean };

export interface ViewerGuideContext {
  mode(): ViewerMode;
  frame(): HTMLIFrameElement | undefined;
  /** The view's scale (the replay is shrunk to fit the console). */
  scale(): number;
  nodeId(node: Node): number | undefined;
  send(message: GuideOut): void;
}

const POINTER_MS = 40;
const BATCH_MS = 60;
/** Points closer than this (page pixels) to the last one add nothing visible. */
const MIN_STEP = 3;

const clamp = (value: number, max: number) => Math.min(max, Math.max(0, value));

export class ViewerGuide {
  readonly surface: HTMLElement;
  private readonly preview = new StrokeLayer();
  private tool: GuideTool = 'point';
  private pending: GuideAnchor | undefined;
  private pointerShown = false;
  private lastPointerAt = -Infinity;
  private pointerTimer: ReturnType<typeof setTimeout> | undefined;
  private strokeId = 0;
  private drawing: { id: number; shape: StrokeShape; points: StrokePoint[]; unsent: StrokePoint[] } | undefined;
  private batchTimer: ReturnType<typeof setTimeout> | undefined;
  private frameRequest = 0;

  constructor(
    container: HTMLElement,
    private readonly ctx: ViewerGuideContext,
  ) {
    this.surface = document.createElement('div');
    this.surface.className = 'guide-surface';
    this.surface.dataset.testid = 'guide-surface';
    this.surface.append(this.preview.svg);
    container.append(this.surface);
    // The view itself, while its frame takes no input (view mode): the pointer over the picture of the page.
    container.addEventListener('pointermove', (e) => this.ctx.mode() === 'view' && this.pointAt(e, true));
    container.addEventListener('pointerleave', () => this.ctx.mode() === 'view' && this.left());
    container.addEventListener('click', (e) => this.ctx.mode() === 'view' && this.clicked(e, true));
    this.surface.addEventListener('pointerdown', (e) => this.penDown(e));
    this.surface.addEventListener('pointermove', (e) => this.penMove(e));
    this.surface.addEventListener('pointerup', () => this.penUp());
    this.surface.addEventListener('pointercancel', () => this.penUp());
    this.applyTool();
  }

  setTool(tool: GuideTool): void {
    if (tool !== 'point') this.left();
    this.tool = tool;
    this.applyTool();
  }

  /** The agent's pointer is no longer where it was shown (the mode changed, or remote control started). */
  modeChanged(): void {
    if (this.ctx.mode() === 'control') this.left();
  }

  clear(): void {
    this.preview.clear();
  }

  /** Listens in one replayed document, where the agent's input goes while the frame takes it (read-aloud mode). */
  attach(doc: Document): () => void {
    const inside = () => this.ctx.mode() === 'read-aloud' && doc === this.ctx.frame()?.contentDocument;
    const move = (e: PointerEvent) => inside() && this.pointAt(e, false);
    const click = (e: MouseEvent) => inside() && this.clicked(e, false);
    const leave = () => inside() && this.left();
    doc.addEventListener('pointermove', move, true);
    doc.addEventListener('click', click, true);
    doc.documentElement?.addEventListener('pointerleave', leave);
    return () => {
      doc.removeEventListener('pointermove', move, true);
      doc.removeEventListener('click', click, true);
      doc.documentElement?.removeEventListener('pointerleave', leave);
    };
  }

  /** The agent's pointer over the view where its document runs no listener (WebKit): inputRelay.ts hands it over,
   * aimed at the view's element and at the view's own coordinates, as `attach` would have heard it. */
  relay(type: string, e: Event): void {
    if (this.ctx.mode() !== 'read-aloud') return;
    if (type === 'mousemove') this.pointAt(e as MouseEvent, false);
    else if (type === 'click') this.clicked(e as MouseEvent, false);
    else if (type === 'mouseleave') this.left();
  }

  destroy(): void {
    clearTimeout(this.pointerTimer);
    clearTimeout(this.batchTimer);
    cancelAnimationFrame(this.frameRequest);
    this.preview.clear();
    this.surface.remove();
  }

  private applyTool(): void {
    this.surface.dataset.tool = this.tool;
  }

  /** Where an event is in the replayed page's viewport: from the console's page (outside), or the frame's own. */
  private framePoint(e: MouseEvent, outside: boolean): { doc: Document; x: number; y: number } | undefined {
    const frame = this.ctx.frame();
    const doc = frame?.contentDocument;
    if (!frame || !doc) return undefined;
    if (!outside) return { doc, x: e.clientX, y: e.clientY };
    const box = frame.getBoundingClientRect();
    const scale = this.ctx.scale();
    return { doc, x: (e.clientX - box.left) / scale, y: (e.clientY - box.top) / scale };
  }

  private anchorAt(e: MouseEvent, outside: boolean): GuideAnchor | undefined {
    const inView = this.framePoint(e, outside);
    // Into the page's own frames: the anchor is the element under the pointer there, in that frame's viewport.
    const point = inView && deepElementFromPoint(inView.doc, inView.x, inView.y);
    if (!point) return undefined;
    let target: Element | null = point.element;
    let nodeId: number | undefined;
    while (target && (nodeId = this.ctx.nodeId(target)) === undefined) target = target.parentElement;
    if (!target || nodeId === undefined) return undefined;
    const box = target.getBoundingClientRect();
    const fx = box.width > 0 ? clamp((point.x - box.left) / box.width, 1) : 0.5;
    const fy = box.height > 0 ? clamp((point.y - box.top) / box.height, 1) : 0.5;
    return { nodeId, fx: Math.round(fx * 10_000) / 10_000, fy: Math.round(fy * 10_000) / 10_000 };
  }

  private pointAt(e: MouseEvent, outside: boolean): void {
    if (this.tool !== 'point') return;
    const at = this.anchorAt(e, outside);
    if (!at) return;
    this.pending = at;
    const wait = this.lastPointerAt + POINTER_MS - performance.now();
    if (wait <= 0) this.sendPointer();
    else this.pointerTimer ??= setTimeout(() => this.sendPointer(), wait);
  }

  private sendPointer(): void {
    clearTimeout(this.pointerTimer);
    this.pointerTimer = undefined;
    if (!this.pending) return;
    this.lastPointerAt = performance.now();
    this.pointerShown = true;
    this.ctx.send({ type: 'guide.pointer', at: this.pending });
    this.pending = undefined;
  }

  private left(): void {
    clearTimeout(this.pointerTimer);
    this.pointerTimer = undefined;
    this.pending = undefined;
    if (!this.pointerShown) return;
    this.pointerShown = false;
    this.ctx.send({ type: 'guide.pointer', at: null });
  }

  private clicked(e: MouseEvent, outside: boolean): void {
    if (this.tool !== 'point') return;
    const at = this.anchorAt(e, outside);
    if (!at) return;
    this.pending = at;
    this.sendPointer();
    this.ctx.send({ type: 'guide.gesture', at });
  }

  /** A point of the pen in the replayed page's coordinates (its scroll included). */
  private pagePoint(e: PointerEvent): StrokePoint | undefined {
    const point = this.framePoint(e, true);
    const view = point?.doc.defaultView;
    if (!point || !view) return undefined;
    return [
      Math.round(clamp(point.x + view.scrollX, GUIDE_COORDINATE_MAX)),
      Math.round(clamp(point.y + view.scrollY, GUIDE_COORDINATE_MAX)),
    ];
  }

  private penDown(e: PointerEvent): void {
    if (this.tool === 'point' || e.button !== 0) return;
    const point = this.pagePoint(e);
    if (!point) return;
    e.preventDefault();
    this.surface.setPointerCapture?.(e.pointerId);
    this.drawing = { id: ++this.strokeId, shape: this.tool, points: [point], unsent: [point] };
    this.preview.add(this.strokeId, this.tool, [point]);
    this.follow();
  }

  private penMove(e: PointerEvent): void {
    const drawing = this.drawing;
    const point = drawing && this.pagePoint(e);
    if (!drawing || !point) return;
    const last = drawing.points[drawing.points.length - 1]!;
    if (Math.hypot(point[0] - last[0], point[1] - last[1]) < MIN_STEP) return;
    if (drawing.shape === 'arrow') {
      // An arrow is its start and where the pen is: it goes out whole when the pen is lifted.
      drawing.points = [drawing.points[0]!, point];
      this.preview.add(drawing.id, 'arrow', drawing.points, true);
      return;
    }
    drawing.points.push(point);
    drawing.unsent.push(point);
    this.preview.add(drawing.id, 'freehand', [point]);
    if (drawing.unsent.length >= GUIDE_STROKE_POINTS) this.sendBatch(false);
    else this.batchTimer ??= setTimeout(() => this.sendBatch(false), BATCH_MS);
  }

  private penUp(): void {
    const drawing = this.drawing;
    if (!drawing) return;
    if (drawing.shape === 'arrow') drawing.unsent = drawing.points;
    this.sendBatch(true);
    this.drawing = undefined;
  }

  /** What is drawn and not sent yet, in messages of at most GUIDE_STROKE_POINTS points; the last says `end`. */
  private sendBatch(end: boolean): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    const drawing = this.drawing;
    if (!drawing) return;
    if (end && drawing.unsent.length === 0) drawing.unsent = drawing.points.slice(-1);
    const { id, shape } = drawing;
    while (drawing.unsent.length > 0) {
      const points = drawing.unsent.splice(0, GUIDE_STROKE_POINTS);
      this.ctx.send({ type: 'guide.stroke', stroke: id, shape, points, end: end && drawing.unsent.length === 0 });
    }
  }

  /** The agent's own strokes over the view follow the page's scroll and the view's scale while any are shown. */
  private follow(): void {
    if (this.frameRequest) return;
    this.frameRequest = requestAnimationFrame(() => {
      this.frameRequest = 0;
      const view = this.ctx.frame()?.contentWindow;
      if (view) this.preview.place(view.scrollX, view.scrollY, this.ctx.scale());
      if (this.preview.count > 0) this.follow();
    });
  }
}
