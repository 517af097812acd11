/* Where the widget sits: pure geometry, no DOM. The viewport is split into four quadrants; a widget dropped with its
 * centre in a quadrant snaps to that quadrant's corner. A centre exactly on a middle line counts as the right/bottom
 * half, so every point belongs to exactly one quadrant. */

export type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

export const CORNERS: readonly Corner[] = ['top-left', 'top-right', 'bottom-left', 'bottom-right'];

export const DEFAULT_CORNER: Corner = 'bottom-right';

/** Gap between the widget and the viewport edges, in CSS pixels. */
export const EDGE_GAP = 16;

export interface Size {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface Box extends Point, Size {}

/** The corner of the quadrant that contains the box's centre. */
export function cornerForBox(box: Box, viewport: Size): Corner {
  return cornerForPoint({ x: box.x + box.width / 2, y: box.y + box.height / 2 }, viewport);
}

export function cornerForPoint(point: Point, viewport: Size): Corner {
  const vertical = point.y < viewport.height / 2 ? 'top' : 'bottom';
  const horizontal = point.x < viewport.width / 2 ? 'left' : 'right';
  return `${vertical}-${horizontal}`;
}

/** Distances from the viewport edges that pin a box to a corner; the other two edges are left free, so the box
 * stays in its corner when it grows or shrinks. */
export interface Insets {
  top?: number;
  right?: number;
  bottom?: number;
  left?: number;
}

export function cornerInsets(corner: Corner, gap = EDGE_GAP): Insets {
  return {
    ...(corner.startsWith('top') ? { top: gap } : { bottom: gap }),
    ...(corner.endsWith('left') ? { left: gap } : { right: gap }),
  };
}

/** The box a widget of this size occupies once pinned to a corner (when it fits in the viewport). */
export function boxAtCorner(corner: Corner, size: Size, viewport: Size, gap = EDGE_GAP): Box {
  const insets = cornerInsets(corner, gap);
  return {
    x: insets.left ?? viewport.width - gap - size.width,
    y: insets.top ?? viewport.height - gap - size.height,
    ...size,
  };
}

/** Keeps a box fully inside the viewport while it is being moved (top-left edge wins when it cannot fit). */
export function clampToViewport(point: Point, size: Size, viewport: Size): Point {
  return {
    x: Math.max(0, Math.min(point.x, viewport.width - size.width)),
    y: Math.max(0, Math.min(point.y, viewport.height - size.height)),
  };
}

export type ArrowKey = 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight';

export function isArrowKey(key: string): key is ArrowKey {
  return key === 'ArrowUp' || key === 'ArrowDown' || key === 'ArrowLeft' || key === 'ArrowRight';
}

/** One keyboard step: moves the point `step` pixels in the arrow's direction. */
export function nudge(point: Point, key: ArrowKey, step: number): Point {
  switch (key) {
    case 'ArrowUp':
      return { x: point.x, y: point.y - step };
    case 'ArrowDown':
      return { x: point.x, y: point.y + step };
    case 'ArrowLeft':
      return { x: point.x - step, y: point.y };
    case 'ArrowRight':
      return { x: point.x + step, y: point.y };
  }
}

/** Reads a remembered corner; anything else (missing, old format, tampered) gives undefined. */
export function parseCorner(value: unknown): Corner | undefined {
  return CORNERS.find((c) => c === value);
}

/** Words for a corner, for announcements: "bottom right". */
export function describeCorner(corner: Corner): string {
  return corner.replace('-', ' ');
}
