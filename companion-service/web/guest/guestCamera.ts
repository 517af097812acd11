import { BackgroundBlur } from '../shared/blur/backgroundBlur';
import { BlurSwitch } from '../shared/blur/blurSwitch';
import {
  CAMERA_HELP,
  cameraProblemOf,
  cameraOf,
  listCameras,
  MICROPHONE_PROBLEM,
  openCamera,
  openMicrophone,
  stopStream,
} from '../shared/camera';
import { el } from '../shared/dom';
import { ParticipantTile } from '../shared/tiles';

/* The guest's camera before and during the call: opening it (or another one from the list), the preview on the join
 * screen, what to say when it can't be used, and background blur (a switch under the camera choice, and one under
 * the call's controls; while it is on, the blurred camera is what the stream holds). The guest can join without one,
 * with the microphone alone when that works. */

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class GuestCamera {
  /** Camera and microphone; the microphone alone when the camera can't be used; undefined with neither. */
  stream: MediaStream | undefined;
  /** Why the camera could not be opened, if it could not. */
  problem: string | undefined;
  /** The camera being opened, until it is open or has failed. */
  private opening: Promise<void> | undefined;
  readonly preview = new ParticipantTile('preview', 'self', 'You', {
    texts: { cameraOff: 'Your video is off' },
  });

  readonly blur = new BackgroundBlur({
    serviceOrigin: window.location.origin,
    stream: () => this.stream,
    swapped: async (previous, next) => {
      await this.onSwap(previous, next);
      this.preview.setStream(undefined);
      this.preview.setStream(this.stream);
    },
    changed: (state, message) => {
      for (const s of this.blurSwitches) s.render(state, message);
    },
  });
  /** On the join screen and in the call. */
  private readonly blurSwitches = [new BlurSwitch(this.blur), new BlurSwitch(this.blur)];
  /** The stream's video track changed (blur on or off): the connections and the call's tiles follow. */
  onSwap: (previous: MediaStreamTrack, next: MediaStreamTrack) => Promise<void> = async () => {};

  constructor(
    /** The camera changed (or failed): the video buttons follow. */
    private readonly changed: () => void,
  ) {
    $('preview').append(this.preview.element);
    $('camera-alert').after(this.blurSwitches[0]!.element);
    $('call-controls').after(this.blurSwitches[1]!.element);
    $('camera-retry').addEventListener('click', () => void this.open());
    $<HTMLSelectElement>('camera-select').addEventListener(
      'change',
      () => void this.open($<HTMLSelectElement>('camera-select').value),
    );
  }

  async open(deviceId?: string): Promise<void> {
    const opening = this.blur.aroundCameraChange(() => this.openNow(deviceId));
    this.opening = opening;
    try {
      await opening;
    } finally {
      if (this.opening === opening) this.opening = undefined;
    }
  }

  /** Whether a camera is being opened now (the browser may be asking the guest about it). */
  get isOpening(): boolean {
    return this.opening !== undefined;
  }

  /** Resolves once no camera is being opened: `stream` is then what the guest has, camera or not. */
  async settled(): Promise<void> {
    while (this.opening) await this.opening.catch(() => undefined);
  }

  private async openNow(deviceId?: string): Promise<void> {
    const select = $<HTMLSelectElement>('camera-select');
    select.disabled = true;
    $('camera-retry').hidden = true;
    try {
      const { stream: next, microphoneProblem: microphone } = await openCamera(deviceId);
      stopStream(this.stream);
      this.stream = next;
      this.problem = undefined;
      this.setAlert(
        microphone &&
          `${MICROPHONE_PROBLEM[microphone]} Fix that, then select Try the camera again; or join as you are.`,
      );
      $('camera-retry').hidden = !microphone;
    } catch (err) {
      const problem = cameraProblemOf(err);
      this.problem = CAMERA_HELP[problem];
      if (!deviceId) {
        stopStream(this.stream);
        this.stream = await openMicrophone();
      }
      this.setAlert(
        this.hasCamera
          ? `${CAMERA_HELP[problem]} Your previous camera is still in use.`
          : this.stream
            ? `${CAMERA_HELP[problem]} You can also join without a camera: the others will hear you but not see you.`
            : `${CAMERA_HELP[problem]} You can also join without a camera: the others will not see or hear you.`,
      );
      $('camera-retry').hidden = false;
    }
    this.preview.setStream(this.stream);
    this.changed();
    const cameras = this.hasCamera ? await listCameras().catch(() => []) : [];
    const current = cameraOf(this.stream);
    select.replaceChildren(
      ...cameras.map((c) => el('option', { value: c.deviceId, selected: c.deviceId === current }, c.label)),
    );
    if (cameras.length === 0) select.append(el('option', { value: '' }, 'No camera available'));
    select.disabled = cameras.length === 0;
  }

  get hasCamera(): boolean {
    return !!this.stream?.getVideoTracks().length;
  }

  /** The preview on the join screen, with our switch. */
  renderPreview(videoOn: boolean): void {
    this.preview.setMedia({ video: videoOn && this.hasCamera, paused: false });
    if (!this.hasCamera) this.preview.setNote(this.problem ? 'Camera not available' : 'Starting your camera…');
    else this.preview.setNote(undefined);
  }

  stop(): void {
    this.blur.dispose();
    stopStream(this.stream);
    this.stream = undefined;
    this.preview.setStream(undefined);
  }

  private setAlert(text: string | undefined): void {
    $('camera-alert').textContent = text ?? '';
    $('camera-alert').hidden = !text;
  }
}
