import { listCameras } from '../shared/camera';
import { el } from '../shared/dom';

/* Settings: which webcam to use, and accessibility mode. The camera can be changed only before the session starts
 * (until the first video from another participant arrives); after that the choice is locked and the reason is shown.
 * Accessibility mode lets the agent click an element in the live view to have the customer's screen reader read it;
 * it needs no remote control, and remote control takes over the clicks while it is on. */

export class SettingsPanel {
  readonly element: HTMLElement;
  private readonly select = el('select', { id: 'camera-select', 'aria-describedby': 'camera-note' });
  private readonly note = el('p', { class: 'hint', id: 'camera-note' }, 'Choose the camera to use for this session.');
  private readonly error = el('p', { class: 'alert', role: 'alert', hidden: true });
  private readonly accessibility = el('input', {
    type: 'checkbox',
    role: 'switch',
    id: 'accessibility-mode',
    'aria-describedby': 'accessibility-note',
  });
  private lockedReason: string | undefined;
  private busy = false;

  constructor(
    private readonly choose: (deviceId: string) => Promise<void>,
    onAccessibility: (on: boolean) => void = () => {},
  ) {
    this.element = el(
      'section',
      { 'aria-labelledby': 'settings-title' },
      el('h2', { id: 'settings-title' }, 'Settings'),
      el('label', { for: 'camera-select' }, 'Webcam'),
      this.select,
      this.note,
      this.error,
      el('h3', {}, 'Accessibility'),
      el(
        'div',
        { class: 'switch-row' },
        this.accessibility,
        el('label', { for: 'accessibility-mode' }, 'Accessibility mode'),
      ),
      el(
        'p',
        { class: 'hint', id: 'accessibility-note' },
        'Click an element in the customer\u2019s page view and their screen reader reads it aloud. Works without remote control; while you control the page, your clicks act on it instead.',
      ),
    );
    this.select.addEventListener('change', () => void this.changed());
    this.accessibility.addEventListener('change', () => onAccessibility(this.accessibility.checked));
  }

  /** Fills the list, preselecting the camera in use. */
  async refresh(current: string | undefined): Promise<void> {
    const cameras = await listCameras().catch(() => []);
    this.select.replaceChildren(
      ...cameras.map((c) => el('option', { value: c.deviceId, selected: c.deviceId === current }, c.label)),
    );
    if (cameras.length === 0) this.select.append(el('option', { value: '' }, 'No camera found'));
    this.apply();
  }

  /** Another setting of the agent's camera (background blur), under the camera choice. */
  addCameraSetting(setting: HTMLElement): void {
    this.error.after(setting);
  }

  /** From now on the camera can't be changed, for this reason. */
  lock(reason: string): void {
    this.lockedReason = reason;
    this.apply();
  }

  private apply(): void {
    this.select.disabled = this.busy || !!this.lockedReason || !this.select.value;
    this.note.textContent =
      this.lockedReason ?? 'Choose the camera to use for this session. You can change it until the session starts.';
  }

  private async changed(): Promise<void> {
    const deviceId = this.select.value;
    if (!deviceId || this.lockedReason) return;
    this.busy = true;
    this.apply();
    this.error.hidden = true;
    try {
      await this.choose(deviceId);
    } catch (err) {
      this.error.textContent = err instanceof Error && err.message ? err.message : 'That camera could not be started.';
      this.error.hidden = false;
    } finally {
      this.busy = false;
      this.apply();
    }
  }
}
