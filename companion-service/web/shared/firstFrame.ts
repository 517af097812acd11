/** Resolves when a video element has put a frame of what it plays now on screen: requestVideoFrameCallback where
 * the browser has it (Chromium, Safari, Firefox 132+), else its first `playing`. Never resolves for an element that
 * shows nothing (hidden, or no frames): callers bound their wait. */
export function firstFrameShown(video: HTMLVideoElement): Promise<void> {
  return new Promise((resolve) => {
    const element: HTMLVideoElement & { requestVideoFrameCallback?: unknown } = video;
    if (typeof element.requestVideoFrameCallback === 'function') video.requestVideoFrameCallback(() => resolve());
    else video.addEventListener('playing', () => resolve(), { once: true });
  });
}
