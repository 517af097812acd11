import { openCamera, openMicrophone, stopStream, type CameraProblem, type OpenedCamera } from '../shared/camera';
import type { PeerMesh } from '../shared/peerMesh';

/** The agent's camera and microphone. The MediaStream handed to the peer connections stays the same object for the
 * whole session; choosing another camera swaps the video track inside it (and on every connection's sender). */
export class AgentMedia {
  readonly stream = new MediaStream();
  /** Why the camera came without the microphone, when it did. */
  microphoneProblem: CameraProblem | undefined;

  get videoTrack(): MediaStreamTrack | undefined {
    return this.stream.getVideoTracks()[0];
  }

  get hasAudio(): boolean {
    return this.stream.getAudioTracks().length > 0;
  }

  /** Opens camera and microphone, or takes them from `opening` (the console's first script started them: boot.ts).
   * If the camera can't be used, tries the microphone alone so the agent can still talk, and rethrows the camera
   * problem. */
  async open(opening?: Promise<OpenedCamera>): Promise<void> {
    try {
      const opened = await (opening ?? openCamera());
      this.microphoneProblem = opened.microphoneProblem;
      for (const track of opened.stream.getTracks()) this.stream.addTrack(track);
    } catch (err) {
      // Without a microphone either, the agent can still see and hear the others.
      const microphone = await openMicrophone();
      for (const track of microphone?.getTracks() ?? []) this.stream.addTrack(track);
      throw err;
    }
  }

  /** Replaces the camera. Connections that already exist get the new track through their remembered video
   * sender (off, swap, back to the current sending state), so nothing is renegotiated. */
  async switchCamera(deviceId: string, mesh: PeerMesh | undefined, sending: boolean): Promise<void> {
    const next = (await openCamera(deviceId)).stream;
    const track = next.getVideoTracks()[0];
    for (const audio of next.getAudioTracks()) audio.stop();
    if (!track) {
      stopStream(next);
      return;
    }
    await mesh?.setSendingVideo(false);
    for (const old of this.stream.getVideoTracks()) {
      this.stream.removeTrack(old);
      old.stop();
    }
    this.stream.addTrack(track);
    await mesh?.setSendingVideo(sending);
  }

  /** Turns the camera off for good (an agent without the video privilege never sends video). */
  dropVideo(): void {
    for (const track of this.stream.getVideoTracks()) {
      this.stream.removeTrack(track);
      track.stop();
    }
  }

  stop(): void {
    stopStream(this.stream);
  }
}
