import type { BlurOptions, BlurredCamera } from '../shared/blur/blurLink';
import { BlurPainter } from './blurPainter';
import type { Segmenter } from './segmenter';

/* The camera with its background blurred, frame by frame (blurPainter.ts). Where the browser has insertable streams
 * (Chromium's MediaStreamTrackProcessor and MediaStreamTrackGenerator), each camera frame is read from the track and
 * the blurred one written to the track that goes out: driven by the camera, this goes on while the page is hidden (a
 * visitor in another tab, an agent's console behind Salesforce). Elsewhere, the camera plays in a video element and
 * each new frame (requestVideoFrameCallback) is drawn on a canvas whose captureStream() goes out; browsers stop
 * those callbacks in a hidden page, so the picture the others see then stands still until the page is shown. */

/** Chromium's insertable streams, exposed on window (not in TypeScript's DOM library). */
interface InsertableStreams {
  MediaStreamTrackProcessor: new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => {
    readable: ReadableStream<VideoFrame>;
  };
  MediaStreamTrackGenerator: new (init: {
    kind: 'video';
  }) => MediaStreamTrack & { writable: WritableStream<VideoFrame> };
}

function insertableStreams(): InsertableStreams | undefined {
  const scope = window as unknown as Partial<InsertableStreams>;
  const { MediaStreamTrackProcessor, MediaStreamTrackGenerator } = scope;
  return MediaStreamTrackProcessor && MediaStreamTrackGenerator && typeof VideoFrame === 'function'
    ? { MediaStreamTrackProcessor, MediaStreamTrackGenerator }
    : undefined;
}

export function blurCamera(camera: MediaStreamTrack, segmenter: Segmenter, options: BlurOptions): BlurredCamera {
  const settings = camera.getSettings();
  const painter = new BlurPainter(segmenter, settings.width ?? 640, settings.height ?? 360);
  const streams = insertableStreams();
  return streams ? blurFrameByFrame(camera, painter, options, streams) : blurWhatPlays(camera, painter, options);
}

/** Reads the camera's frames and writes blurred ones: not tied to the page being shown. */
function blurFrameByFrame(
  camera: MediaStreamTrack,
  painter: BlurPainter,
  options: BlurOptions,
  { MediaStreamTrackProcessor, MediaStreamTrackGenerator }: InsertableStreams,
): BlurredCamera {
  // A clone of our own, so that ending the reading leaves the caller's camera track as it was.
  const source = camera.clone();
  // A buffer of one: when blurring falls behind, older frames are dropped rather than queued.
  const reader = new MediaStreamTrackProcessor({ track: source, maxBufferSize: 1 }).readable.getReader();
  const track = new MediaStreamTrackGenerator({ kind: 'video' });
  const writer = track.writable.getWriter();
  let stopped = false;

  const run = async () => {
    for (;;) {
      const { value: frame, done } = await reader.read();
      if (done || stopped) {
        frame?.close();
        return;
      }
      const start = performance.now();
      let blurred: VideoFrame | undefined;
      try {
        if (painter.paint(frame, frame.displayWidth, frame.displayHeight))
          blurred = new VideoFrame(painter.output, { timestamp: frame.timestamp });
      } finally {
        frame.close();
      }
      if (!blurred) continue;
      options.onFrame({ ms: performance.now() - start });
      // The generator takes the frame over (and closes it).
      await writer.write(blurred);
    }
  };
  // Ends when stopped (the reader is cancelled, the writer errors) or when the camera ends.
  void run().catch(() => undefined);

  return {
    track,
    stop() {
      stopped = true;
      void reader.cancel().catch(() => undefined);
      void writer.close().catch(() => undefined);
      source.stop();
      track.stop();
    },
  };
}

/** Draws each frame a video element shows: where insertable streams are missing; stands still in a hidden page. */
function blurWhatPlays(camera: MediaStreamTrack, painter: BlurPainter, options: BlurOptions): BlurredCamera {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([camera]);
  const track = painter.output.captureStream().getVideoTracks()[0];
  if (!track) throw new Error('canvas capture is not available');

  let stopped = false;
  let pending: number | undefined;
  const next = () => {
    if (stopped) return;
    if ('requestVideoFrameCallback' in video) pending = video.requestVideoFrameCallback(frame);
    else pending = requestAnimationFrame(frame);
  };
  const frame = () => {
    pending = undefined;
    if (stopped) return;
    try {
      const start = performance.now();
      if (painter.paint(video, video.videoWidth, video.videoHeight)) options.onFrame({ ms: performance.now() - start });
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
