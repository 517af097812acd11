import type { StrokePoint, StrokeShape } from '../../../src/protocol/guideShapes';

/* The agent's drawings as SVG, in page (document) coordinates: the layer's group is moved by the page's scroll, so
 * strokes stay on what they were drawn over. Used on both sides: over the customer's page (in the widget's own layer)
 * and over the agent's live view. Each stroke fades a few seconds after its last points; the count of strokes and of
 * points in one are bounded, whatever arrives. */

const SVG = 'http://www.w3.org/2000/svg';
/** A stroke starts to fade this long after its last points, and is gone FADE_OUT_MS later. */
export const STROKE_FADE_MS = 4000;
const FADE_OUT_MS = 600;
export const MAX_POINTS_PER_STROKE = 2000;
const MAX_STROKES = 40;
/** Vivid enough to see on most pages; 3:1 against white. */
export const STROKE_COLOUR = '#d4145a';

interface Stroke {
  shape: StrokeShape;
  points: StrokePoint[];
  element: SVGGElement;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class StrokeLayer {
  readonly svg: SVGSVGElement;
  private readonly group: SVGGElement;
  private readonly strokes = new Map<number, Stroke>();

  constructor(doc: Document = document) {
    this.svg = doc.createElementNS(SVG, 'svg');
    this.svg.setAttribute('aria-hidden', 'true');
    this.svg.setAttribute('focusable', 'false');
    this.svg.classList.add('strokes');
    this.group = doc.createElementNS(SVG, 'g');
    this.svg.append(this.group);
  }

  get count(): number {
    return this.strokes.size;
  }

  /** Where the page is scrolled to (and, over a scaled view, its scale): strokes follow. */
  place(scrollX: number, scrollY: number, scale = 1): void {
    this.group.setAttribute('transform', `scale(${scale}) translate(${-scrollX} ${-scrollY})`);
  }

  /** More points of a stroke (a new number starts a new stroke), or, with `replace`, all of its points. */
  add(id: number, shape: StrokeShape, points: readonly StrokePoint[], replace = false): void {
    let stroke = this.strokes.get(id);
    if (!stroke) {
      if (this.strokes.size >= MAX_STROKES) this.remove(this.strokes.keys().next().value!);
      const element = this.svg.ownerDocument.createElementNS(SVG, 'g');
      element.classList.add('stroke');
      element.dataset.shape = shape;
      this.group.append(element);
      stroke = { shape, points: [], element, timer: undefined };
      this.strokes.set(id, stroke);
    }
    if (replace) stroke.points = [];
    const room = MAX_POINTS_PER_STROKE - stroke.points.length;
    stroke.points.push(...points.slice(0, Math.max(0, room)));
    this.draw(stroke);
    this.fadeLater(id, stroke);
  }

  clear(): void {
    for (const id of [...this.strokes.keys()]) this.remove(id);
  }

  private draw(stroke: Stroke): void {
    const doc = this.svg.ownerDocument;
    const line = (points: readonly StrokePoint[]) => {
      const polyline = doc.createElementNS(SVG, 'polyline');
      polyline.setAttribute('points', points.map(([x, y]) => `${x},${y}`).join(' '));
      polyline.setAttribute('fill', 'none');
      polyline.setAttribute('stroke', STROKE_COLOUR);
      polyline.setAttribute('stroke-width', '5');
      polyline.setAttribute('stroke-linecap', 'round');
      polyline.setAttribute('stroke-linejoin', 'round');
      return polyline;
    };
    const { points } = stroke;
    if (stroke.shape === 'freehand') {
      // A single point is a dot: a zero-length line with round caps.
      stroke.element.replaceChildren(line(points.length === 1 ? [points[0]!, points[0]!] : points));
      return;
    }
    const from = points[0]!;
    const to = points[points.length - 1]!;
    stroke.element.replaceChildren(line([from, to]), line(arrowHead(from, to)));
  }

  private fadeLater(id: number, stroke: Stroke): void {
    clearTimeout(stroke.timer);
    stroke.element.classList.remove('fading');
    stroke.timer = setTimeout(() => {
      stroke.element.classList.add('fading');
      stroke.element.style.transition = `opacity ${FADE_OUT_MS}ms ease-out`;
      stroke.element.style.opacity = '0';
      stroke.timer = setTimeout(() => this.remove(id), FADE_OUT_MS);
    }, STROKE_FADE_MS);
  }

  private remove(id: number): void {
    const stroke = this.strokes.get(id);
    if (!stroke) return;
    clearTimeout(stroke.timer);
    stroke.element.remove();
    this.strokes.delete(id);
  }
}

/** The two sides of an arrow's head at `to`, as one polyline through the tip. */
function arrowHead(from: StrokePoint, to: StrokePoint): StrokePoint[] {
  const angle = Math.atan2(to[1] - from[1], to[0] - from[0]);
  const size = 18;
  const side = (turn: number): StrokePoint => [
    to[0] - size * Math.cos(angle + turn),
    to[1] - size * Math.sin(angle + turn),
  ];
  return [side(Math.PI / 7), to, side(-Math.PI / 7)];
}
