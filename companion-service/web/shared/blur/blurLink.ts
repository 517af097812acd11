/* What the pages (console, guest page, the widget's call chunk) and the background-blur chunk
 * (assets/background-blur-<hash>.js) expect of each other. The chunk is loaded only when someone turns blur on; it
 * hands its entry over through a global, as the widget's call chunk does (both are classic scripts, and the widget's
 * runs on the customer's page, so no module loading). BLUR_ABI says which version of this file a chunk speaks. */

export const BLUR_ABI = 1;

/** The chunk hands its entry to the page through this global. */
export const BLUR_GLOBAL = '__tandemBlur';

/** One camera frame drawn with its background blurred. */
export interface BlurFrame {
  /** Time spent on the main thread for this frame (segmentation and drawing), in milliseconds. */
  ms: number;
}

export interface BlurOptions {
  /** The service's origin: the model and the WebAssembly runtime are served there (never a CDN). */
  serviceOrigin: string;
  /** Called after each processed frame. */
  onFrame(frame: BlurFrame): void;
}

/** The camera with its background blurred: `track` goes out instead of the camera's. */
export interface BlurredCamera {
  readonly track: MediaStreamTrack;
  /** Stops processing and the output track; the camera's own track is left running (it is the caller's). */
  stop(): void;
}

/** The chunk's one export. */
export interface BlurEntry {
  abi: number;
  /** Loads the segmentation model (once per page) and starts blurring `camera`. Rejects when the model or the
   * WebAssembly runtime can't be loaded here. */
  blur(camera: MediaStreamTrack, options: BlurOptions): Promise<BlurredCamera>;
}
