export type CameraProblem = 'blocked' | 'missing' | 'busy' | 'insecure' | 'unknown';

export class CameraError extends Error {
  constructor(readonly problem: CameraProblem) {
    super(problem);
  }
}

/** What every participant sends. A room has up to six people, and each one encodes a separate stream for every other
 * (peer-to-peer), so 360p at 24 fps keeps a full room within an ordinary laptop's means; `ideal` so that any
 * camera still opens. */
export const VIDEO_QUALITY: MediaTrackConstraints = {
  width: { ideal: 640 },
  height: { ideal: 360 },
  frameRate: { ideal: 24 },
};

/** Asks for camera and microphone (a chosen camera when `deviceId` is given); explains a refusal by cause so the UI
 * can say what to do. */
export async function openCamera(deviceId?: string): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new CameraError('insecure');
  try {
    const video: MediaTrackConstraints = deviceId ? { ...VIDEO_QUALITY, deviceId: { exact: deviceId } } : VIDEO_QUALITY;
    return await navigator.mediaDevices.getUserMedia({ video, audio: true });
  } catch (err) {
    const name = (err as DOMException).name;
    if (name === 'NotAllowedError' || name === 'SecurityError') throw new CameraError('blocked');
    if (name === 'NotFoundError' || name === 'OverconstrainedError') throw new CameraError('missing');
    if (name === 'NotReadableError' || name === 'AbortError') throw new CameraError('busy');
    throw new CameraError('unknown');
  }
}

/** The microphone alone, for someone whose camera can't be used; undefined when it can't be used either. */
export async function openMicrophone(): Promise<MediaStream | undefined> {
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch {
    return undefined;
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

export interface CameraChoice {
  deviceId: string;
  label: string;
}

/** The cameras the browser reports. Labels are only filled in once the page has camera permission. */
export async function listCameras(): Promise<CameraChoice[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices
    .filter((d) => d.kind === 'videoinput')
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` }));
}

/** The id of the camera a stream is using, to preselect it in a camera list. */
export function cameraOf(stream: MediaStream | undefined): string | undefined {
  return stream?.getVideoTracks()[0]?.getSettings().deviceId;
}
