/* The clients' icons (see svgIcon.ts): one set for the widget, the agent console and the guest page. */
import { BRAND, CAMERA, GRIP } from './launcherIcons';
import { svgIcon, type Shape } from './svgIcon';

const SHAPES = {
  brand: BRAND,
  addPerson: [
    ['circle', 9, 8, 3.5],
    ['path', 'M2.5 20c0-3.6 2.9-6 6.5-6s6.5 2.4 6.5 6'],
    ['path', 'M19 8v6M16 11h6'],
  ],
  camera: CAMERA,
  cameraOff: [...CAMERA, ['path', 'M3 3l18 18']],
  info: [
    ['circle', 12, 12, 9],
    ['path', 'M12 11v6M12 7.5v.5'],
  ],
  settings: [
    ['circle', 12, 12, 3],
    [
      'path',
      'M12 2.5v3M12 18.5v3M2.5 12h3M18.5 12h3M5.3 5.3l2.1 2.1M16.6 16.6l2.1 2.1M5.3 18.7l2.1-2.1M16.6 7.4l2.1-2.1',
    ],
  ],
  copy: [
    ['rect', 8, 8, 12, 12, 2],
    ['path', 'M16 8V5a1 1 0 0 0-1-1H5a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h3'],
  ],
  grip: GRIP,
  enlarge: [['path', 'M4 10V4h6M20 14v6h-6M4 4l6 6M20 20l-6-6']],
  shrink: [['path', 'M10 4v6H4M14 20v-6h6M4 4l6 6M20 20l-6-6']],
  hide: [['path', 'M3 12h18M12 3v3M12 18v3']],
  show: [['rect', 3, 5, 18, 14, 2]],
  hangUp: [['path', 'M3 14c5-5 13-5 18 0l-2.5 2.5-3.5-2v-2.5c-2-.7-4-.7-6 0V14.5l-3.5 2z']],
  /** A mouse pointer: remote control. */
  pointer: [['path', 'M5 3l13 7.5-5.5 1.5 3.5 6.5-2.5 1.5-3.5-6.5L6 17.5z']],
  refresh: [
    ['path', 'M19.5 12a7.5 7.5 0 1 1-2.2-5.3'],
    ['path', 'M19.5 4v4.5H15'],
  ],
  previous: [['path', 'M15 5l-7 7 7 7']],
  next: [['path', 'M9 5l7 7-7 7']],
  /** A monitor with an arrow out of it: share my screen. */
  shareScreen: [
    ['rect', 3, 4, 18, 12, 2],
    ['path', 'M8 20h8M12 16v4M12 13V7M9 10l3-3 3 3'],
  ],
  /** A monitor with an eye-like dot: see the customer's screen. */
  viewScreen: [
    ['rect', 3, 4, 18, 12, 2],
    ['path', 'M8 20h8M12 16v4'],
    ['circle', 12, 10, 2],
  ],
} satisfies Record<string, Shape[]>;

export type IconName = keyof typeof SHAPES;

export function icon(name: IconName, label?: string): SVGSVGElement {
  return svgIcon(name, SHAPES[name] as Shape[], label);
}
