import { openCamera, openMicrophone, stopStream, type CameraProblem } from '../shared/camera';

/** The visitor's own camera and microphone. The MediaStream object stays the same for the whole session, because
 * the peer connections were given it; switching cameras (allowed only before anyone else joined) swaps the video
 * track inside it. */
export class LocalMedia {
  stream: MediaStream | undefined;
  /** Why the camera came without the microphone, when it did. */
  microphoneProblem: CameraProblem | undefined;

  /** Opens the camera (the chosen one when given). Throws CameraError with the cause when it can't. */
  async open(deviceId?: string): Promise<MediaStream> {
    this.stop();
    const opened = await openCamera(deviceId);
    this.stream = opened.stream;
    this.microphoneProblem = opened.microphoneProblem;
    return this.stream;
  }

  /** For a visitor going on without a camera: the microphone alone, or nothing (they still see and hear the others,
   * and share their page). */
  async openWithoutCamera(): Promise<MediaStream> {
    this.stop();
    this.stream = (await openMicrophone()) ?? new MediaStream();
    return this.stream;
  }

  get hasCamera(): boolean {
    return !!this.stream?.getVideoTracks().length;
  }

  get hasMicrophone(): boolean {
    return !!this.stream?.getAudioTracks().length;
  }

  /** Replaces the camera in the existing stream. */
  async switchCamera(deviceId: string): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    const next = (await openCamera(deviceId)).stream;
    const track = next.getVideoTracks()[0];
    for (const audio of next.getAudioTracks()) audio.stop();
    if (!track || this.stream !== stream) {
      stopStream(next);
      return;
    }
    for (const old of stream.getVideoTracks()) {
      stream.removeTrack(old);
      old.stop();
    }
    stream.addTrack(track);
  }

  stop(): void {
    stopStream(this.stream);
    this.stream = undefined;
    this.microphoneProblem = undefined;
  }
}
