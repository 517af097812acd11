/* The widget's icons (see shared/svgIcon.ts). */
import { svgIcon, type Shape } from '../shared/svgIcon';

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
  return svgIcon(name, SHAPES[name] as Shape[], label);
}
