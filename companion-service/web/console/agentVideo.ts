import { Privilege } from '../../src/protocol/codes';
import { BackgroundBlur } from '../shared/blur/backgroundBlur';
import { BlurSwitch } from '../shared/blur/blurSwitch';
import { CAMERA_HELP, cameraOf, cameraProblemOf } from '../shared/camera';
import type { PeerMesh } from '../shared/peerMesh';
import { isSendingVideo } from '../shared/sessionState';
import type { SessionStore } from '../shared/sessionStore';
import type { SignalingClient } from '../shared/signalingClient';
import { submit } from '../shared/submit';
import { ParticipantTile } from '../shared/tiles';
import type { AgentMedia } from './agentMedia';
import { answerOf } from './answers';
import type { SettingsPanel } from './settingsPanel';
import { startWithVideoSwitch } from './startWithVideoSwitch';
import type { Toolbar, ToolSwitch } from './toolbar';

/* The agent's own video: the self tile (a preview only the agent sees until Video is on), the Video switch (only
 * with the agent-video privilege), the camera choice in Settings until the call has started, and background blur in
 * Settings at any time (what goes out and the preview are the blurred camera while it is on). Whether our video
 * goes out is the session state's (isSendingVideo); turning it off applies at once, turning it on waits for the
 * server. */

const CAMERA_LOCKED =
  'The session has started, so the camera can no longer be changed. Choose a camera before your next session.';
const CAMERA_STARTING = 'Your camera is starting…';
const NO_VIDEO_PRIVILEGE = 'Your account does not include agent video, so your camera is not used.';

export class AgentVideo {
  readonly selfTile = new ParticipantTile('self', 'self', 'You');
  /** Why the camera could not be opened, for the switch's and the settings' explanation. */
  cameraProblem: string | undefined;
  /** The session is joined while the camera is still opening (PeerMesh.sendMediaLater): until cameraSettled, what
   * depends on the camera says it is starting. */
  cameraPending = false;
  private videoSwitch: ToolSwitch | undefined;
  private readonly blur = new BackgroundBlur({
    serviceOrigin: window.location.origin,
    stream: () => (this.media.videoTrack ? this.media.stream : undefined),
    swapped: async (previous, next) => {
      await this.mesh.replaceVideoTrack(previous, next);
      this.refreshPreview();
    },
    changed: (state, message) => this.blurSwitch.render(state, message),
  });
  private readonly blurSwitch = new BlurSwitch(this.blur);

  constructor(
    private readonly media: AgentMedia,
    private readonly mesh: PeerMesh,
    private readonly store: SessionStore,
    private readonly client: SignalingClient,
    private readonly settings: SettingsPanel,
    /** Said when the server refuses our video. */
    private readonly alert: (text: string) => void,
  ) {}

  private get mayUseVideo(): boolean {
    return !!this.store.state.self?.privileges.includes(Privilege.AgentVideo);
  }

  /** The Video switch and the camera settings, once we know the agent's privileges. */
  setUpTools(toolbar: Toolbar): void {
    if (this.mayUseVideo) {
      this.videoSwitch = toolbar.addSwitch('video', 'Video', 'camera', () => void this.toggle());
      this.explainSwitch();
    } else {
      // Never sends video: let the camera go (its light goes off), keep the microphone.
      this.media.dropVideo();
      this.selfTile.setStream(undefined);
      this.settings.lock(NO_VIDEO_PRIVILEGE);
    }
  }

  /** Settings opened: the camera list is fresh unless the choice is already fixed. */
  refreshCameras(): void {
    if (!this.store.state.mediaSeen && this.mayUseVideo) void this.settings.refresh(cameraOf(this.media.stream));
  }

  setUpSettings(): void {
    if (!this.cameraPending) this.cameraSettings();
    if (this.mayUseVideo) this.settings.addCameraSetting(startWithVideoSwitch());
  }

  /** The camera opened (or could not be) after the session was joined: what depends on it catches up. An agent
   * without the video privilege lets it go at once, as when it was open before. */
  cameraSettled(): void {
    this.cameraPending = false;
    if (this.store.state.self && !this.mayUseVideo) {
      this.media.dropVideo();
      this.selfTile.setStream(undefined);
    }
    this.explainSwitch();
    if (this.store.state.self) this.cameraSettings();
    this.apply();
  }

  /** The camera list and blur, or why there is no camera to choose. */
  private cameraSettings(): void {
    void this.settings.refresh(cameraOf(this.media.stream));
    if (!this.media.videoTrack && this.mayUseVideo) this.settings.lock(this.cameraProblem ?? 'No camera is available.');
    if (this.media.videoTrack && this.mayUseVideo) this.settings.addCameraSetting(this.blurSwitch.element);
  }

  /** The Video switch can't be used without a camera: disabled, with the reason as its title. */
  private explainSwitch(): void {
    if (!this.videoSwitch) return;
    const usable = !!this.media.videoTrack && !this.cameraPending;
    this.videoSwitch.button.disabled = !usable;
    if (usable) this.videoSwitch.button.removeAttribute('title');
    else
      this.videoSwitch.button.title = this.cameraPending
        ? CAMERA_STARTING
        : (this.cameraProblem ?? 'No camera is available.');
  }

  /** The call has started (media from someone else arrived): the camera choice is now fixed. */
  lockCamera(): void {
    this.settings.lock(this.mayUseVideo ? CAMERA_LOCKED : NO_VIDEO_PRIVILEGE);
  }

  /** The server ruled on our video (joined, or our peer.media). */
  serverRuled(): void {
    this.videoSwitch?.setBusy(false);
    this.explainSwitch();
    this.apply();
  }

  apply(): void {
    const sending = isSendingVideo(this.store.state);
    void this.mesh.setSendingVideo(sending);
    this.videoSwitch?.setOn(sending);
    this.render();
  }

  render(): void {
    if (!this.media.videoTrack) {
      this.selfTile.setMedia({ video: false, paused: false });
      this.selfTile.setNote(
        this.cameraPending
          ? CAMERA_STARTING
          : this.mayUseVideo || !this.store.state.self
            ? 'Camera not available'
            : 'Video not included in your account',
      );
      return;
    }
    this.selfTile.setMedia({ video: true, paused: false });
    this.selfTile.setNote(isSendingVideo(this.store.state) ? 'Shared with everyone' : 'Preview: only you see this');
  }

  async chooseCamera(deviceId: string): Promise<void> {
    try {
      await this.blur.aroundCameraChange(() =>
        this.media.switchCamera(deviceId, this.mesh, isSendingVideo(this.store.state)),
      );
    } catch (err) {
      throw new Error(CAMERA_HELP[cameraProblemOf(err)]);
    }
    this.refreshPreview();
    this.render();
  }

  stop(): void {
    this.blur.dispose();
    this.selfTile.setStream(undefined);
  }

  /** The stream's video track changed: the preview shows the new one. */
  private refreshPreview(): void {
    this.selfTile.setStream(undefined);
    this.selfTile.setStream(this.media.stream);
  }

  private async toggle(): Promise<void> {
    if (!this.videoSwitch) return;
    const on = !isSendingVideo(this.store.state);
    if (on) {
      this.videoSwitch.setBusy(true);
    } else {
      // Stop the frames at once, then tell the others.
      this.store.dispatch({ type: 'client.video', video: false });
      this.apply();
    }
    const refusal = await answerOf(submit(this.client, { type: 'media.set', video: on }));
    if (!refusal) return;
    this.videoSwitch.setBusy(false);
    this.alert(`Your video could not be turned on. ${refusal.message}`);
  }
}
