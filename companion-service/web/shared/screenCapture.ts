/* Picking a tab, window or screen to share (getDisplayMedia). The browser's own "Stop sharing" ends the track: the
 * page is told, so it can tell the server and the others. */

/** What the person picked, or undefined if they closed the picker (or the browser refused). */
export async function captureScreen(ended: () => void): Promise<MediaStream | undefined> {
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
  } catch {
    return undefined;
  }
  const track = stream.getVideoTracks()[0];
  if (!track) return undefined;
  track.addEventListener('ended', ended, { once: true });
  return stream;
}

/** Ends the capture: the browser's sharing indicator goes away. */
export function endCapture(stream: MediaStream | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
