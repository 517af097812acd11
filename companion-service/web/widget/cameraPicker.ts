import { listCameras } from '../shared/camera';
import { el } from '../shared/dom';

let nextId = 0;

export const CAMERA_LOCKED_REASON = 'You can switch cameras only before a session begins, not during one.';

/** "Camera" drop-down of the cameras the browser reports. Usable before a session; locked during one, with the
 * reason shown next to it. Device labels are shown as text only. */
export class CameraPicker {
  readonly element: HTMLElement;
  readonly select: HTMLSelectElement;
  private readonly reason: HTMLElement;
  onChange: (deviceId: string) => void = () => {};

  constructor() {
    const id = `tandem-camera-${++nextId}`;
    this.select = el('select', { id, 'aria-describedby': `${id}-reason` });
    this.reason = el('p', { id: `${id}-reason`, class: 'hint', hidden: true });
    this.element = el(
      'div',
      { class: 'field camera-field' },
      el('label', { for: id }, 'Camera'),
      this.select,
      this.reason,
    );
    this.select.addEventListener('change', () => this.onChange(this.select.value));
  }

  /** Reloads the list, keeping `selected` (or the current choice) selected when it is still there. */
  async refresh(selected?: string): Promise<void> {
    let cameras: Awaited<ReturnType<typeof listCameras>> = [];
    try {
      cameras = await listCameras();
    } catch {
      /* no list: keep an empty one below */
    }
    const keep = selected ?? this.select.value;
    if (cameras.length === 0) {
      this.select.replaceChildren(el('option', { value: '' }, 'No camera found'));
      return;
    }
    this.select.replaceChildren(...cameras.map((c) => el('option', { value: c.deviceId }, c.label)));
    if (keep && cameras.some((c) => c.deviceId === keep)) this.select.value = keep;
  }

  /** The chosen camera, or undefined for "the browser's default". */
  get value(): string | undefined {
    return this.select.value || undefined;
  }

  lock(reason = CAMERA_LOCKED_REASON): void {
    this.select.disabled = true;
    this.reason.textContent = reason;
    this.reason.hidden = false;
  }

  unlock(): void {
    this.select.disabled = false;
    this.reason.hidden = true;
    this.reason.textContent = '';
  }
}
