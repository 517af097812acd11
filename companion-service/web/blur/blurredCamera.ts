import type { BlurOptions, BlurredCamera } from '../shared/blur/blurLink';
import { MODEL_HEIGHT, MODEL_WIDTH, type Segmenter } from './segmenter';

/* The camera with its background blurred, drawn frame by frame on a canvas whose captureStream() is the track that
 * goes out. For each new camera frame (requestVideoFrameCallback, so no frame is drawn twice):
 *   1. the frame, shrunk to the model's 256x144, is segmented: the alpha of those pixels becomes the person mask;
 *   2. the background: the frame drawn small (a quarter of its size) through a blur filter, then scaled back up, which
 *      costs a fraction of blurring it at full size and looks the same once blurred;
 *   3. the person: the mask scaled up (smoothing softens its edges) with the sharp frame drawn into it (source-in),
 *      then over the background.
 * Everything is 2D canvas, no WebGL: it runs the same with or without a GPU. */

/** The background is blurred at this fraction of the frame's size. */
const BACKGROUND_SCALE = 4;
/** Blur radius at that size, in its pixels (about 16 px at full size). */
const BACKGROUND_BLUR = 'blur(4px)';
/** Softens the mask's edges at the model's size. */
const MASK_BLUR = 'blur(1px)';

function canvas(width: number, height: number): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  return c;
}

function context(c: HTMLCanvasElement, willReadFrequently = false): CanvasRenderingContext2D {
  const ctx = c.getContext('2d', { willReadFrequently });
  if (!ctx) throw new Error('2D canvas is not available');
  return ctx;
}

export function blurCamera(camera: MediaStreamTrack, segmenter: Segmenter, options: BlurOptions): BlurredCamera {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([camera]);

  const small = canvas(MODEL_WIDTH, MODEL_HEIGHT);
  const smallCtx = context(small, true);
  const mask = canvas(MODEL_WIDTH, MODEL_HEIGHT);
  const maskCtx = context(mask);
  const settings = camera.getSettings();
  const output = canvas(settings.width ?? 640, settings.height ?? 360);
  const outputCtx = context(output);
  const person = canvas(output.width, output.height);
  const personCtx = context(person);
  const background = canvas(1, 1);
  const backgroundCtx = context(background);
  const track = output.captureStream().getVideoTracks()[0];
  if (!track) throw new Error('canvas capture is not available');

  let stopped = false;
  let pending: number | undefined;

  const resize = (width: number, height: number) => {
    if (output.width === width && output.height === height && background.width > 1) return;
    output.width = person.width = width;
    output.height = person.height = height;
    background.width = Math.max(1, Math.round(width / BACKGROUND_SCALE));
    background.height = Math.max(1, Math.round(height / BACKGROUND_SCALE));
  };

  const draw = () => {
    const start = performance.now();
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (width === 0 || height === 0) return;
    resize(width, height);

    smallCtx.drawImage(video, 0, 0, MODEL_WIDTH, MODEL_HEIGHT);
    const pixels = smallCtx.getImageData(0, 0, MODEL_WIDTH, MODEL_HEIGHT);
    segmenter.segment(pixels.data);
    maskCtx.putImageData(pixels, 0, 0);

    backgroundCtx.filter = BACKGROUND_BLUR;
    backgroundCtx.drawImage(video, 0, 0, background.width, background.height);

    personCtx.globalCompositeOperation = 'copy';
    personCtx.filter = MASK_BLUR;
    personCtx.drawImage(mask, 0, 0, width, height);
    personCtx.filter = 'none';
    personCtx.globalCompositeOperation = 'source-in';
    personCtx.drawImage(video, 0, 0, width, height);

    outputCtx.globalCompositeOperation = 'copy';
    outputCtx.drawImage(background, 0, 0, width, height);
    outputCtx.globalCompositeOperation = 'source-over';
    outputCtx.drawImage(person, 0, 0);
    options.onFrame({ ms: performance.now() - start });
  };

  const next = () => {
    if (stopped) return;
    if ('requestVideoFrameCallback' in video) pending = video.requestVideoFrameCallback(frame);
    else pending = requestAnimationFrame(frame);
  };
  const frame = () => {
    pending = undefined;
    if (stopped) return;
    try {
      draw();
    } finally {
      next();
    }
  };
  void video.play().then(next, next);

  return {
    track,
    stop() {
      stopped = true;
      if (pending !== undefined) {
        if ('cancelVideoFrameCallback' in video) video.cancelVideoFrameCallback(pending);
        else cancelAnimationFrame(pending);
      }
      track.stop();
      video.srcObject = null;
    },
  };
}
