/* Small inline icons, built as SVG elements (never parsed from markup). Decorative unless a label is given. */

const SVG_NS = 'http://www.w3.org/2000/svg';

type Shape = ['path', string] | ['circle', number, number, number] | ['rect', number, number, number, number, number];

const SHAPES = {
  /** Two overlapping speech rounds: the Tandem mark. */
  brand: [
    ['circle', 9, 12, 6.5],
    ['circle', 15, 12, 6.5],
  ],
  camera: [
    ['rect', 2.5, 6.5, 13, 11, 2],
    ['path', 'M15.5 10.5l6-3.5v10l-6-3.5z'],
  ],
  cameraOff: [
    ['rect', 2.5, 6.5, 13, 11, 2],
    ['path', 'M15.5 10.5l6-3.5v10l-6-3.5z'],
    ['path', 'M3 3l18 18'],
  ],
  grip: [
    ['circle', 9, 6, 1.4],
    ['circle', 15, 6, 1.4],
    ['circle', 9, 12, 1.4],
    ['circle', 15, 12, 1.4],
    ['circle', 9, 18, 1.4],
    ['circle', 15, 18, 1.4],
  ],
  enlarge: [['path', 'M4 10V4h6M20 14v6h-6M4 4l6 6M20 20l-6-6']],
  shrink: [['path', 'M10 4v6H4M14 20v-6h6M4 4l6 6M20 20l-6-6']],
  hide: [['path', 'M3 12h18M12 3v3M12 18v3']],
  show: [['rect', 3, 5, 18, 14, 2]],
  hangUp: [['path', 'M3 14c5-5 13-5 18 0l-2.5 2.5-3.5-2v-2.5c-2-.7-4-.7-6 0V14.5l-3.5 2z']],
} satisfies Record<string, Shape[]>;

export type IconName = keyof typeof SHAPES;

export function icon(name: IconName, label?: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', `icon icon-${name}`);
  svg.setAttribute('focusable', 'false');
  if (label) {
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
  } else {
    svg.setAttribute('aria-hidden', 'true');
  }
  for (const shape of SHAPES[name] as Shape[]) svg.append(shapeElement(shape));
  return svg;
}

function shapeElement(shape: Shape): SVGElement {
  const node = document.createElementNS(SVG_NS, shape[0]);
  const set = (attrs: Record<string, number | string>) => {
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  };
  if (shape[0] === 'path') set({ d: shape[1] });
  else if (shape[0] === 'circle') set({ cx: shape[1], cy: shape[2], r: shape[3] });
  else set({ x: shape[1], y: shape[2], width: shape[3], height: shape[4], rx: shape[5] });
  return node;
}
