import type { BlurredCamera } from './blurLink';
import { FrameBudget } from './frameBudget';
import { loadBlur } from './loadBlur';

/* Background blur for one page's own camera. Turned on, it loads the blur chunk (the first time), starts blurring the
 * camera's track and puts the blurred track in the camera's place: in the MediaStream the peer connections were given
 * (for connections made later) and, through the host, on every connection's video sender and in the preview. Turned
 * off, the camera's own track goes back. When the device can't keep up (frames take longer than frameBudgetMs()),
 * blur turns itself off and stays unavailable on this page, so the call keeps its frame rate. */

/** Share of a frame's interval that blur may take on the main thread: past it, the next camera frame arrives before
 * this one is done and frames are dropped (at 24 fps, 31 ms of the 42 ms between frames). */
export const FRAME_BUDGET_SHARE = 0.75;

/** The time blur may take per frame for a camera at `frameRate`. */
export function frameBudgetMs(frameRate: number | undefined): number {
  return (FRAME_BUDGET_SHARE * 1000) / (frameRate && frameRate > 0 ? frameRate : 24);
}

export type BlurState = 'off' | 'loading' | 'on' | 'unavailable';

export const BLUR_TEXT = {
  off: 'Blurs what is behind you. Your video is processed on this device; only the blurred picture is sent.',
  loading: 'Turning on background blur\u2026',
  on: 'Your background is blurred for everyone in the call.',
  slow: 'Background blur is off: this device could not blur your background and keep your video smooth.',
  failed: 'Background blur could not be loaded, so it is off. Reload the page to try again.',
  unsupported: 'Background blur is not available in this browser.',
} as const;

export interface BlurHost {
  readonly serviceOrigin: string;
  /** The stream the peer connections were given, holding the camera's video track. */
  stream(): MediaStream | undefined;
  /** The video going out changed from `previous` to `next` (already swapped in the stream): the connections' senders
   * and the preview follow. */
  swapped(previous: MediaStreamTrack, next: MediaStreamTrack): Promise<void>;
  /** The state changed; `message` says why (BLUR_TEXT). */
  changed(state: BlurState, message: string): void;
}

interface Active {
  stream: MediaStream;
  camera: MediaStreamTrack;
  blurred: BlurredCamera;
}

export function blurSupported(): boolean {
  return (
    typeof WebAssembly === 'object' &&
    typeof HTMLCanvasElement !== 'undefined' &&
    typeof HTMLCanvasElement.prototype.captureStream === 'function'
  );
}

export class BackgroundBlur {
  private current: BlurState = blurSupported() ? 'off' : 'unavailable';
  private active: Active | undefined;
  /** Counts turn-ons and turn-offs: a load that finishes after a later one is dropped. */
  private attempt = 0;

  constructor(private readonly host: BlurHost) {}

  get state(): BlurState {
    return this.current;
  }

  /** The text for the current state. */
  get message(): string {
    return this.current === 'unavailable' ? this.reason : BLUR_TEXT[this.current];
  }

  private reason: string = BLUR_TEXT.unsupported;

  async setOn(on: boolean): Promise<void> {
    if (this.current === 'unavailable') return;
    if (on) await this.turnOn();
    else await this.turnOff();
  }

  /** Runs a camera change with blur off (the camera's own track in the stream), then blurs the new camera. */
  async aroundCameraChange<T>(change: () => Promise<T>): Promise<T> {
    const wasOn = this.current === 'on' || this.current === 'loading';
    if (wasOn) await this.turnOff('off', true);
    try {
      return await change();
    } finally {
      if (wasOn) await this.turnOn();
    }
  }

  /** The page's camera is going away: blur stops, and with it the camera track it was reading. */
  dispose(): void {
    this.attempt++;
    const active = this.active;
    this.active = undefined;
    if (active) {
      active.blurred.stop();
      active.camera.stop();
    }
    if (this.current !== 'unavailable') this.set('off');
  }

  private async turnOn(): Promise<void> {
    if (this.current === 'on' || this.current === 'loading') return;
    const stream = this.host.stream();
    const camera = stream?.getVideoTracks()[0];
    if (!stream || !camera) return this.set('off'); // no camera (yet): nothing to blur
    const attempt = ++this.attempt;
    this.set('loading');
    const budget = new FrameBudget({ budgetMs: frameBudgetMs(camera.getSettings().frameRate) });
    let blurred: BlurredCamera;
    try {
      const entry = await loadBlur(this.host.serviceOrigin);
      blurred = await entry.blur(camera, {
        serviceOrigin: this.host.serviceOrigin,
        onFrame: (frame) => {
          if (budget.add(frame.ms) && this.active?.blurred === blurred) void this.giveUp(BLUR_TEXT.slow);
        },
      });
    } catch {
      if (attempt === this.attempt) await this.giveUp(BLUR_TEXT.failed);
      return;
    }
    // Turned off, or the camera changed, while it loaded.
    if (attempt !== this.attempt || stream.getVideoTracks()[0] !== camera || camera.readyState === 'ended') {
      blurred.stop();
      return;
    }
    stream.removeTrack(camera);
    stream.addTrack(blurred.track);
    this.active = { stream, camera, blurred };
    await this.host.swapped(camera, blurred.track);
    if (attempt === this.attempt) this.set('on');
  }

  /** Puts the camera's own track back. `quiet`: no state change told (a camera change in between). */
  private async turnOff(state: BlurState = 'off', quiet = false): Promise<void> {
    this.attempt++;
    const active = this.active;
    this.active = undefined;
    if (active) {
      const { stream, camera, blurred } = active;
      if (stream.getVideoTracks().includes(blurred.track)) {
        stream.removeTrack(blurred.track);
        stream.addTrack(camera);
        await this.host.swapped(blurred.track, camera);
      }
      blurred.stop();
    }
    if (quiet) this.current = state;
    else this.set(state);
  }

  private async giveUp(reason: string): Promise<void> {
    this.reason = reason;
    await this.turnOff('unavailable');
  }

  private set(state: BlurState): void {
    this.current = state;
    this.host.changed(state, this.message);
  }
}
