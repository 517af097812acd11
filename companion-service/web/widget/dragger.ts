import { saveCorner } from './cornerMemory';
import {
  clampToViewport,
  cornerForBox,
  describeCorner,
  isArrowKey,
  nudge,
  type Corner,
  type Point,
  type Size,
} from './corners';
import { placeFrame } from './placement';

/* Moves the widget by pointer or keyboard and snaps it to the corner of the quadrant its centre is dropped in.
 *
 * Pointer: press on the handle, drag, release.
 * Keyboard, on the focused handle:
 *   Space or Enter   pick the widget up; press again to drop it
 *   Arrow keys       move it 20 px (with Shift, 100 px); picks it up if it was not already
 *   Escape           put it back where it was
 *   Tab away         drops it where it is
 * Dropping snaps to a corner, remembers it for the next page load and announces it. */

export const KEY_STEP = 20;
export const KEY_STEP_LARGE = 100;

export const MOVE_HELP =
  'To move the video window, press Space, use the arrow keys, then press Space again to drop it. It settles in the nearest corner. Escape puts it back.';

function viewport(): Size {
  const root = document.documentElement;
  return { width: root.clientWidth || window.innerWidth, height: root.clientHeight || window.innerHeight };
}

export class CornerDragger {
  corner: Corner;
  private pointer: { id: number; offset: Point } | undefined;
  private keyboardOrigin: Corner | undefined;

  constructor(
    private readonly frame: HTMLElement,
    private readonly announce: (text: string) => void,
  ) {
    this.corner = placeFrame(frame);
  }

  /** Makes `handle` (a focusable element inside the frame) move the frame. */
  attach(handle: HTMLElement): void {
    handle.addEventListener('pointerdown', (e) => this.onPointerDown(handle, e));
    handle.addEventListener('pointermove', (e) => {
      if (this.pointer?.id === e.pointerId)
        this.moveTo({ x: e.clientX - this.pointer.offset.x, y: e.clientY - this.pointer.offset.y });
    });
    const end = (e: PointerEvent) => {
      if (this.pointer?.id !== e.pointerId) return;
      this.pointer = undefined;
      this.drop();
    };
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
    handle.addEventListener('lostpointercapture', end);
    handle.addEventListener('keydown', (e) => this.onKey(e));
    handle.addEventListener('blur', () => {
      if (this.keyboardOrigin) this.drop();
    });
  }

  /** Pins the frame to a corner (no announcement; used at start and after a drop). */
  place(corner: Corner): void {
    this.corner = placeFrame(this.frame, corner);
  }

  private onPointerDown(handle: HTMLElement, e: PointerEvent): void {
    if (e.button !== 0 || this.pointer) return;
    e.preventDefault();
    handle.focus();
    this.keyboardOrigin = undefined;
    const rect = this.frame.getBoundingClientRect();
    this.pointer = { id: e.pointerId, offset: { x: e.clientX - rect.left, y: e.clientY - rect.top } };
    try {
      handle.setPointerCapture(e.pointerId);
    } catch {
      /* the pointer is already gone; pointerup will not come, so drop now */
      this.pointer = undefined;
    }
  }

  private onKey(e: KeyboardEvent): void {
    if (!e.isTrusted) return;
    if (isArrowKey(e.key)) {
      e.preventDefault();
      if (!this.keyboardOrigin) this.pickUp();
      const rect = this.frame.getBoundingClientRect();
      this.moveTo(nudge({ x: rect.left, y: rect.top }, e.key, e.shiftKey ? KEY_STEP_LARGE : KEY_STEP));
    } else if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      if (this.keyboardOrigin) this.drop();
      else this.pickUp();
    } else if (e.key === 'Escape' && this.keyboardOrigin) {
      e.preventDefault();
      e.stopPropagation();
      const origin = this.keyboardOrigin;
      this.keyboardOrigin = undefined;
      this.place(origin);
      this.announce(`Move cancelled. The video window stays in the ${describeCorner(origin)} corner.`);
    }
  }

  private pickUp(): void {
    this.keyboardOrigin = this.corner;
    this.announce('Moving the video window. Use the arrow keys, then press Space to drop it, or Escape to cancel.');
  }

  private moveTo(point: Point): void {
    const rect = this.frame.getBoundingClientRect();
    const at = clampToViewport(point, { width: rect.width, height: rect.height }, viewport());
    const style = this.frame.style;
    style.setProperty('left', `${at.x}px`);
    style.setProperty('top', `${at.y}px`);
    style.setProperty('right', 'auto');
    style.setProperty('bottom', 'auto');
    this.frame.classList.add('moving');
  }

  private drop(): void {
    this.keyboardOrigin = undefined;
    const rect = this.frame.getBoundingClientRect();
    const corner = cornerForBox({ x: rect.left, y: rect.top, width: rect.width, height: rect.height }, viewport());
    this.place(corner);
    saveCorner(corner);
    this.announce(`The video window is now in the ${describeCorner(corner)} corner.`);
  }
}
