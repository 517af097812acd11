import type { Shape } from './svgIcon';

/* The shapes the widget's loader draws (launcher, title bar), apart from the rest of icons.ts so that its bundle
 * takes just these three: esbuild drops unused modules and declarations, not single entries of an object. */

export const CAMERA: Shape[] = [
  ['rect', 2.5, 6.5, 13, 11, 2],
  ['path', 'M15.5 10.5l6-3.5v10l-6-3.5z'],
];

/** Two overlapping speech rounds: the Tandem mark. */
export const BRAND: Shape[] = [
  ['circle', 9, 12, 6.5],
  ['circle', 15, 12, 6.5],
];

export const GRIP: Shape[] = [
  ['circle', 9, 6, 1.4],
  ['circle', 15, 6, 1.4],
  ['circle', 9, 12, 1.4],
  ['circle', 15, 12, 1.4],
  ['circle', 9, 18, 1.4],
  ['circle', 15, 18, 1.4],
];
