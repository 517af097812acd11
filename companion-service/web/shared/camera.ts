export type CameraProblem = 'blocked' | 'missing' | 'busy' | 'insecure' | 'unknown';

export class CameraError extends Error {
  constructor(readonly problem: CameraProblem) {
    super(problem);
  }
}

/** Asks for camera and microphone; explains a refusal by cause so the UI can say what to do. */
export async function openCamera(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new CameraError('insecure');
  try {
    return await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  } catch (err) {
    const name = (err as DOMException).name;
    if (name === 'NotAllowedError' || name === 'SecurityError') throw new CameraError('blocked');
    if (name === 'NotFoundError' || name === 'OverconstrainedError') throw new CameraError('missing');
    if (name === 'NotReadableError' || name === 'AbortError') throw new CameraError('busy');
    throw new CameraError('unknown');
  }
}

export const CAMERA_HELP: Record<CameraProblem, string> = {
  blocked:
    'Your browser is blocking the camera. Click the camera icon in the address bar, choose Allow, then try again.',
  missing: 'No camera was found. Connect a camera and try again.',
  busy: 'Your camera is being used by another application. Close it and try again.',
  insecure: 'Video needs a secure (https) page.',
  unknown: 'The camera could not be started. Try again.',
};

export function stopStream(stream: MediaStream | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
