import type { GuideAnchor, ServerMessageOf } from '../../../src/protocol/messages';
import { GUIDE_HOST_ID } from '../../shared/ownHosts';
import { offsetInViewportOf } from '../frameGeometry';
import { STROKE_COLOUR, StrokeLayer } from './strokeLayer';

/* The agent's guiding on the customer's page: their named cursor, click ripples and drawings, in a layer of the
 * widget's own (a host element of no size with its own shadow root, whose layer is fixed over the viewport, never hit
 * by the pointer, left out of the recording). Nothing on the page is touched or moved. The cursor and ripples are anchored to the element the
 * agent pointed at (a place in its box as fractions), and drawings to page coordinates, so both follow the customer's
 * scrolling and their own layout. The customer can hide it all. */

/** How long a click's ripple shows. */
export const RIPPLE_MS = 1200;

const CSS = `
:host {
  all: initial !important; display: block !important; position: fixed !important; inset: auto !important;
  top: 0 !important; left: 0 !important; width: 0 !important; height: 0 !important; margin: 0 !important;
  padding: 0 !important; border: 0 !important; overflow: visible !important; pointer-events: none !important;
  background: transparent !important; z-index: 2147482000 !important;
}
:host([hidden]) { display: none !important; }
.layer { position: fixed; inset: 0; overflow: hidden; pointer-events: none; }
.strokes { position: absolute; inset: 0; width: 100%; height: 100%; overflow: visible; }
.cursor { position: absolute; left: 0; top: 0; display: flex; align-items: flex-start; gap: 2px; will-change: transform; }
.cursor[hidden] { display: none; }
.cursor svg { width: 22px; height: 22px; filter: drop-shadow(0 1px 2px rgba(0,0,0,.45)); }
.cursor .name { margin-top: 16px; padding: 2px 8px; border-radius: 10px; background: ${STROKE_COLOUR}; color: #fff;
  font: 600 12px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; white-space: nowrap; }
.ripple { position: absolute; left: 0; top: 0; box-sizing: border-box; width: 44px; height: 44px; margin: -22px 0 0 -22px; border-radius: 50%;
  border: 4px solid ${STROKE_COLOUR}; animation: tandem-ripple ${RIPPLE_MS}ms ease-out forwards; }
@keyframes tandem-ripple { from { transform: scale(.3); opacity: 1; } to { transform: scale(1.2); opacity: 0; } }
@media (prefers-reduced-motion: reduce) { .ripple { animation: none; } }
`;

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The cursor's arrow, built as elements: markup in innerHTML would throw on a page that enforces Trusted Types. */
function arrow(): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 22 22');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG_NS, 'path');
  const attributes = {
    d: 'M2 2 L2 18 L7 13.5 L10.5 21 L13.5 19.5 L10 12.5 L17 12.5 Z',
    fill: STROKE_COLOUR,
    stroke: '#fff',
    'stroke-width': '1.5',
    'stroke-linejoin': 'round',
  };
  for (const [name, value] of Object.entries(attributes)) path.setAttribute(name, value);
  svg.append(path);
  return svg;
}

interface Anchored {
  element: HTMLElement;
  at: GuideAnchor;
}

export class GuideLayer {
  readonly host: HTMLElement;
  private readonly root: ShadowRoot;
  private readonly layer = document.createElement('div');
  private readonly strokes = new StrokeLayer();
  private readonly cursor: HTMLElement;
  private readonly cursorName: HTMLElement;
  private pointer: GuideAnchor | null = null;
  private readonly ripples = new Set<Anchored>();
  private frame = 0;

  constructor(private readonly elementOf: (nodeId: number) => Element | null) {
    this.host = document.createElement('div');
    this.host.id = GUIDE_HOST_ID;
    this.root = this.host.attachShadow({ mode: 'open' });
    adopt(this.root, CSS);
    this.cursorName = document.createElement('span');
    this.cursorName.className = 'name';
    this.cursor = document.createElement('div');
    this.cursor.className = 'cursor';
    this.cursor.hidden = true;
    this.cursor.setAttribute('aria-hidden', 'true');
    this.cursor.append(arrow(), this.cursorName);
    this.layer.className = 'layer';
    this.layer.append(this.strokes.svg, this.cursor);
    this.root.append(this.layer);
    (document.body ?? document.documentElement).append(this.host);
    this.place();
  }

  setHidden(hidden: boolean): void {
    this.host.hidden = hidden;
  }

  pointerAt(message: ServerMessageOf<'guide.pointer'>): void {
    this.pointer = message.at;
    this.cursorName.textContent = message.name;
    this.cursor.hidden = !message.at;
    this.schedule();
  }

  gesture(at: GuideAnchor): void {
    const element = document.createElement('div');
    element.className = 'ripple';
    element.setAttribute('aria-hidden', 'true');
    const ripple = { element, at };
    this.ripples.add(ripple);
    this.layer.append(element);
    setTimeout(() => {
      element.remove();
      this.ripples.delete(ripple);
    }, RIPPLE_MS);
    this.schedule();
  }

  stroke(message: ServerMessageOf<'guide.stroke'>): void {
    this.strokes.add(message.stroke, message.shape, message.points as Array<[number, number]>);
    this.schedule();
  }

  clearDrawings(): void {
    this.strokes.clear();
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.strokes.clear();
    this.host.remove();
  }

  /** Follows scrolling and layout every frame while anything is shown; idle otherwise. */
  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.place();
      if (this.pointer || this.ripples.size > 0 || this.strokes.count > 0) this.schedule();
    });
  }

  private place(): void {
    this.strokes.place(window.scrollX, window.scrollY);
    const point = this.pointer && this.pointOf(this.pointer);
    this.cursor.hidden = !point;
    // The arrow's tip is 2 px into its picture.
    if (point) this.cursor.style.transform = `translate(${point.x - 2}px, ${point.y - 2}px)`;
    for (const ripple of this.ripples) {
      const at = this.pointOf(ripple.at);
      ripple.element.hidden = !at;
      if (at) ripple.element.style.translate = `${at.x}px ${at.y}px`;
    }
  }

  /** The anchor's place in the viewport now, if its element is on the page (in the top document or in a frame). */
  private pointOf(at: GuideAnchor): { x: number; y: number } | undefined {
    const element = this.elementOf(at.nodeId);
    if (!element?.isConnected) return undefined;
    const frame = offsetInViewportOf(window, element);
    if (!frame) return undefined;
    const box = element.getBoundingClientRect();
    return { x: frame.x + box.left + at.fx * box.width, y: frame.y + box.top + at.fy * box.height };
  }
}

function adopt(root: ShadowRoot, css: string): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement('style');
    style.textContent = css;
    root.append(style);
  }
}
