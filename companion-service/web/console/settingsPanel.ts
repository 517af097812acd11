import { listCameras } from '../shared/camera';
import { el } from '../shared/dom';

/* Settings: which webcam to use. The camera can be changed only before the session starts (until the first video
 * from another participant arrives); after that the choice is locked and the reason is shown. */

export class SettingsPanel {
  readonly element: HTMLElement;
  private readonly select = el('select', { id: 'camera-select', 'aria-describedby': 'camera-note' });
  private readonly note = el('p', { class: 'hint', id: 'camera-note' }, 'Choose the camera to use for this session.');
  private readonly error = el('p', { class: 'alert', role: 'alert', hidden: true });
  private lockedReason: string | undefined;
  private busy = false;

  constructor(private readonly choose: (deviceId: string) => Promise<void>) {
    this.element = el(
      'section',
      { 'aria-labelledby': 'settings-title' },
      el('h2', { id: 'settings-title' }, 'Settings'),
      el('label', { for: 'camera-select' }, 'Webcam'),
      this.select,
      this.note,
      this.error,
    );
    this.select.addEventListener('change', () => void this.changed());
  }

  /** Fills the list, preselecting the camera in use. */
  async refresh(current: string | undefined): Promise<void> {
    const cameras = await listCameras().catch(() => []);
    this.select.replaceChildren(...cameras.map((c) => el('option', { value: c.deviceId, selected: c.deviceId === current }, c.label)));
    if (cameras.length === 0) this.select.append(el('option', { value: '' }, 'No camera found'));
    this.apply();
  }

  /** From now on the camera can't be changed, for this reason. */
  lock(reason: string): void {
    this.lockedReason = reason;
    this.apply();
  }

  private apply(): void {
    this.select.disabled = this.busy || !!this.lockedReason || !this.select.value;
    this.note.textContent = this.lockedReason ?? 'Choose the camera to use for this session. You can change it until the session starts.';
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
