/* Inline icons built as SVG elements (never parsed from markup), on a 24-unit grid. Decorative (aria-hidden)
 * unless a label is given. The shapes are in icons.ts. */

const SVG_NS = 'http://www.w3.org/2000/svg';

export type Shape =
  ['path', string] | ['circle', number, number, number] | ['rect', number, number, number, number, number];

export function svgIcon(name: string, shapes: readonly Shape[], label?: string): SVGSVGElement {
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
  for (const shape of shapes) svg.append(shapeElement(shape));
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
