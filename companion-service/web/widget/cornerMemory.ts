import { DEFAULT_CORNER, parseCorner, type Corner } from './corners';

/* Remembers the corner the visitor put the widget in, across page loads, in the host page's localStorage. Storage
 * can be unavailable (privacy modes, sandboxed frames, quota): then the widget still works and simply forgets. */

export const CORNER_STORAGE_KEY = 'tandem.widget.corner';

export function loadCorner(): Corner {
  try {
    return parseCorner(window.localStorage.getItem(CORNER_STORAGE_KEY)) ?? DEFAULT_CORNER;
  } catch {
    return DEFAULT_CORNER;
  }
}

export function saveCorner(corner: Corner): void {
  try {
    window.localStorage.setItem(CORNER_STORAGE_KEY, corner);
  } catch {
    /* not remembered; nothing else depends on it */
  }
}
