import { loadCorner } from './cornerMemory';
import { cornerInsets, type Corner } from './corners';

/** Pins the widget's frame to a corner of the viewport (the remembered one by default). The loader does it when the
 * launcher appears; moving the widget (dragger.ts, in the call chunk) does it after each drop. */
export function placeFrame(frame: HTMLElement, corner: Corner = loadCorner()): Corner {
  const insets = cornerInsets(corner);
  const style = frame.style;
  for (const side of ['top', 'right', 'bottom', 'left'] as const) {
    const value = insets[side];
    style.setProperty(side, value === undefined ? 'auto' : `${value}px`);
  }
  frame.dataset.corner = corner;
  frame.classList.remove('moving');
  return corner;
}
