export type CameraProblem = 'blocked' | 'missing' | 'busy' | 'insecure' | 'unknown';

export class CameraError extends Error {
  constructor(readonly problem: CameraProblem) {
    super(problem);
  }
}

/** The cause a CameraError carries, 'unknown' for any other error. Told by its shape, not its class: the console's
 * first script (boot.ts) is built apart from console.js, with a CameraError class of its own. */
export function cameraProblemOf(err: unknown): CameraProblem {
  const problem = (err as { problem?: unknown } | null | undefined)?.problem;
  return typeof problem === 'string' && Object.hasOwn(CAMERA_HELP, problem) ? (problem as CameraProblem) : 'unknown';
}

/** What every participant sends. A room has up to six people, and each one encodes a separate stream for every other
 * (peer-to-peer), so 360p at 24 fps keeps a full room within an ordinary laptop's means; `ideal` so that any
 * camera still opens. */
export const VIDEO_QUALITY: MediaTrackConstraints = {
  width: { ideal: 640 },
  height: { ideal: 360 },
  frameRate: { ideal: 24 },
};

/** An opened camera: the stream, with the microphone unless `microphoneProblem` says why not. */
export interface OpenedCamera {
  stream: MediaStream;
  microphoneProblem?: CameraProblem;
}

/** Asks for camera and microphone (a chosen camera when `deviceId` is given); explains a refusal by cause so the UI
 * can say what to do. A microphone that can't be used (blocked, missing, held by another application) does not keep
 * a working camera out of the call: the stream then has the camera alone. */
export async function openCamera(deviceId?: string): Promise<OpenedCamera> {
  if (!navigator.mediaDevices?.getUserMedia) throw new CameraError('insecure');
  const video: MediaTrackConstraints = deviceId ? { ...VIDEO_QUALITY, deviceId: { exact: deviceId } } : VIDEO_QUALITY;
  try {
    return { stream: await navigator.mediaDevices.getUserMedia({ video, audio: true }) };
  } catch (err) {
    if (!(await mayBeTheMicrophone(err))) throw new CameraError(problemOf(err));
    try {
      return { stream: await navigator.mediaDevices.getUserMedia({ video }), microphoneProblem: problemOf(err) };
    } catch (cameraErr) {
      throw new CameraError(problemOf(cameraErr));
    }
  }
}

/** Whether asking for the camera alone may succeed where camera and microphone failed. A refusal is the
 * microphone's only when the camera is known to be allowed: asking again otherwise would put a second prompt in
 * front of someone who just said no. */
async function mayBeTheMicrophone(err: unknown): Promise<boolean> {
  const name = (err as DOMException).name;
  if (name === 'NotFoundError' || name === 'NotReadableError' || name === 'AbortError') return true;
  if (name !== 'NotAllowedError') return false;
  try {
    return (await navigator.permissions.query({ name: 'camera' as PermissionName })).state === 'granted';
  } catch {
    return false; // no Permissions API, or it does not know the camera
  }
}

function problemOf(err: unknown): CameraProblem {
  const name = (err as DOMException).name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'blocked';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'missing';
  if (name === 'NotReadableError' || name === 'AbortError') return 'busy';
  return 'unknown';
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

/** For someone in a call with their camera but without their microphone: why they are seen but not heard. */
export const MICROPHONE_PROBLEM: Record<CameraProblem, string> = {
  blocked: 'Your browser is blocking the microphone, so you can be seen but not heard.',
  missing: 'No microphone was found, so you can be seen but not heard.',
  busy: 'Your microphone is being used by another application, so you can be seen but not heard.',
  insecure: 'Your microphone could not be started, so you can be seen but not heard.',
  unknown: 'Your microphone could not be started, so you can be seen but not heard.',
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
