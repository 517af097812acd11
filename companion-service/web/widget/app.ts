import type { ErrorMessage } from '../../src/protocol/messages';
import { isBackgroundError } from '../shared/backgroundErrors';
import type { BackgroundBlur } from '../shared/blur/backgroundBlur';
import { CAMERA_HELP, cameraOf, cameraProblemOf, type CameraProblem } from '../shared/camera';
import { SignalingClient, socketUrl } from '../shared/signalingClient';
import type { CallWidget, LoaderLink, PresenceLink } from './callLink';
import { CameraPicker } from './cameraPicker';
import { LocalMedia } from './localMedia';
import { OneClick } from './oneClick';
import { PageSharing } from './pageSharing';
import type { TermsClosed, TermsPrompt } from './presence';
import { canCall } from '../shared/webrtc';
import { cameraScreen, endedScreen, noCallsScreen, noticeScreen } from './screens';
import { VisitorSession } from './session';
import { clearSession, parkSession, saveSession, takeResumableSession } from './sessionMemory';
import { SessionView } from './sessionView';
import type { Shell } from './shell';
import { displayName } from './stage';
import type { StoredSession } from './storedSession';
import { visitorBlur } from './visitorBlur';
import { VisitorScreenShare } from './visitorScreenShare';

/* The visitor widget's flows, tying the screens to the wire:
 * - code flow (anyone): launcher -> step 1 of 2 "camera not enabled" -> step 2 of 2 "preview with code" -> call;
 * - 1-click connect (identified visitors): terms prompt -> accept -> waiting for the agent -> call.
 * One call at a time; hanging up or the end of the call leads to the "call ended" screen. While an agent is in the
 * call, the cobrowse recorder (loaded on demand from the service) shares the page, and remote control needs the
 * visitor's Allow. The call survives page loads in the same tab: its resume token is kept in sessionStorage
 * (sessionMemory.ts), a page that goes away leaves the seat to the server's grace period (no session.leave), and the
 * next page resumes it. This is the call chunk's widget: the loader (loader.ts) created the frame and keeps the
 * presence socket, and calls in here (callLink.ts) when the launcher is pressed, a stored call is to come back, or an
 * invitation arrives. */

export class VisitorWidget implements CallWidget {
  private readonly serviceOrigin: string;
  private readonly presence: PresenceLink;
  private readonly local = new LocalMedia();
  private session: VisitorSession | undefined;
  private screenShare: VisitorScreenShare | undefined;
  private view: SessionView | undefined;
  private blur: BackgroundBlur | undefined;
  private readonly oneClick: OneClick;
  private readonly sharing: PageSharing;
  /** The camera the visitor picked last, reused on the next screen. */
  private chosenCamera: string | undefined;
  /** What is kept in sessionStorage about the current call, once the server has given it a resume token. */
  private memo: StoredSession | undefined;
  /** Set while a stored call is being resumed after a page load (camera, then the server's answer). */
  private restoring: StoredSession | undefined;

  constructor(
    /** The panel, built into the loader's frame (call.ts). */
    private readonly shell: Shell,
    link: LoaderLink,
  ) {
    const { serviceOrigin } = link;
    this.serviceOrigin = serviceOrigin;
    this.presence = link.presence;
    // The change guard was registered when the loader ran, for remote control's commits (earlyChangeGuard.ts).
    this.sharing = new PageSharing(serviceOrigin, link.changeGuard, () => this.session);
    this.oneClick = new OneClick(
      {
        shell,
        busy: () => this.busy(),
        inCall: () => !!this.session,
        chosenCamera: () => this.chosenCamera,
        openCamera: (deviceId) => this.openCamera(deviceId),
        openWithoutCamera: async () => void (await this.local.openWithoutCamera()),
        stopCamera: () => this.local.stop(),
        cameraProblem: cameraProblemOf,
        newPicker: () => this.newPicker(),
        beginInvited: (client, agentName) => this.beginSession(client, 'invited', { agentName }),
        reset: () => this.reset(),
      },
      link.presence,
      serviceOrigin,
    );
    // Shown again from the back/forward cache, the loader looks for a stored call (and calls resumeStored()).
    window.addEventListener('pagehide', (e) => this.pageHidden(e.persisted));
  }

  /** In a call, or getting back into one: presence prompts wait. */
  busy(): boolean {
    return !!this.session || !!this.restoring;
  }

  // --- what the loader asks for (callLink.ts) ------------------------------------------------------------------

  start(): void {
    if (canCall()) return this.showCameraScreen();
    this.shell.show(
      noCallsScreen({
        onGetCode: (button) => {
          if (button.getAttribute('aria-disabled') === 'true') return;
          button.setAttribute('aria-disabled', 'true');
          this.startCodeSession();
        },
        onCancel: () => this.reset(),
      }),
    );
  }

  prompt(m: TermsPrompt): void {
    this.oneClick.showPrompt(m);
    this.sharing.agentExpected();
  }

  promptClosed(m: TermsClosed): void {
    this.oneClick.promptClosed(m);
  }

  presenceError(m: ErrorMessage): void {
    this.oneClick.error(m);
  }

  forgotten(): void {
    this.oneClick.forgotten();
  }

  // --- across page loads ---------------------------------------------------------------------------------------

  /** A call this tab was in before the page loaded (or before it went into the back/forward cache) comes back. The
   * loader asks (it saw one stored: sessionMemory.ts, mayResumeSession); this claims it with every check. */
  resumeStored(): boolean {
    if (this.busy()) return true;
    const stored = takeResumableSession(Date.now());
    if (stored) void this.restore(stored);
    return !!stored;
  }

  private async restore(stored: StoredSession): Promise<void> {
    this.restoring = stored;
    this.memo = stored;
    this.chosenCamera ??= stored.camera;
    this.presence.markInCall();
    let problem: CameraProblem | undefined;
    try {
      // Without calls in this browser, no camera: nothing could carry it.
      if (canCall()) await this.openCamera(stored.camera);
    } catch (err) {
      // The call goes on without our video rather than not at all; the status line says why.
      problem = cameraProblemOf(err);
      await this.local.openWithoutCamera();
    }
    if (this.restoring !== stored) return this.local.stop(); // the page went away meanwhile
    const client = new SignalingClient(socketUrl(this.serviceOrigin));
    this.beginSession(client, stored.flow, { agentName: stored.agentName, restored: stored });
    this.view?.setStatus(problem ? CAMERA_HELP[problem] : 'Reconnecting to your call\u2026');
    this.session?.resume(stored.resumeToken);
  }

  /** The page is unloading or going into the back/forward cache. Not a hang-up: no session.leave, the server's
   * grace period holds the seat for the next page of this tab. The camera and connections stop now (a cached page
   * must not keep the camera), and the stored call is marked as free to resume. */
  private pageHidden(persisted: boolean): void {
    if (!this.memo) return;
    parkSession(Date.now());
    this.memo = undefined;
    this.restoring = undefined;
    this.teardownSession();
    // Shown again from the cache: resumeStored() puts the call back from what is stored.
    if (persisted) this.shell.showLauncher();
  }

  /** Keeps the stored call in step with what the visitor changed. */
  private remember(change: Partial<StoredSession>): void {
    if (!this.memo) return;
    this.memo = { ...this.memo, ...change };
    saveSession(this.memo);
  }

  // --- code flow ------------------------------------------------------------------------------------------------

  /** Step 1 of 2: the camera is not on yet (with the blocked-camera alert after a refusal). */
  private showCameraScreen(problem?: CameraProblem): void {
    const picker = this.newPicker();
    this.shell.show(
      cameraScreen({
        picker,
        problem,
        onEnable: (button) => void this.enableCamera(button, picker),
        onWithoutCamera: (button) => void this.continueWithoutCamera(button),
        onCancel: () => this.reset(),
      }),
    );
  }

  private async enableCamera(button: HTMLButtonElement, picker: CameraPicker): Promise<void> {
    // Busy, but still focusable: disabling the focused button would drop keyboard focus to the page.
    if (button.getAttribute('aria-disabled') === 'true') return;
    button.setAttribute('aria-disabled', 'true');
    button.textContent = 'Starting camera\u2026';
    const screen = this.shell.current;
    try {
      await this.openCamera(picker.value ?? this.chosenCamera);
    } catch (err) {
      if (this.shell.current === screen) this.showCameraScreen(cameraProblemOf(err));
      return;
    }
    if (this.shell.current !== screen) return this.local.stop(); // cancelled, or a prompt came, meanwhile
    this.startCodeSession();
  }

  /** The visitor goes on without their camera (there is none, or it is blocked or busy): with the microphone alone,
   * or with nothing, still seeing and hearing the agent, who still sees their page. */
  private async continueWithoutCamera(button: HTMLButtonElement): Promise<void> {
    if (button.getAttribute('aria-disabled') === 'true') return;
    button.setAttribute('aria-disabled', 'true');
    const screen = this.shell.current;
    await this.local.openWithoutCamera();
    if (this.shell.current !== screen) return this.local.stop();
    this.startCodeSession();
  }

  private startCodeSession(): void {
    const client = new SignalingClient(socketUrl(this.serviceOrigin));
    this.beginSession(client, 'code');
    this.session?.startWithCode();
  }

  // --- the call -------------------------------------------------------------------------------------------------

  private beginSession(
    client: SignalingClient,
    flow: 'code' | 'invited',
    o: { agentName?: string; restored?: StoredSession } = {},
  ): void {
    const { restored } = o;
    const stream = this.local.stream;
    const picker = this.newPicker(cameraOf(stream));
    const view = new SessionView({
      flow,
      agentName: o.agentName,
      picker,
      setVideo: (on) => this.session?.setVideo(on),
      setLarge: (large) => {
        this.shell.setLarge(large);
        this.remember({ large });
      },
      setVideoAreaShown: (shown) => {
        this.shell.announcer.say(shown ? 'Video shown.' : 'Video hidden. You are still in the call.');
        this.remember({ videoAreaShown: shown });
      },
      hangUp: () => {
        // Hanging up while the stored call is still coming back is the visitor's own end, shown as such (below).
        this.restoring = undefined;
        this.session?.hangUp();
      },
      remoteControl: {
        answer: (granted) => this.session?.answerControl(granted),
        revoke: () => this.session?.releaseControl(),
      },
      guides: {
        setGuidesShown: (shown) => {
          this.sharing.setGuidesShown(shown);
          this.shell.announcer.say(
            shown
              ? 'The agent\u2019s pointer and drawings are shown.'
              : 'The agent\u2019s pointer and drawings are hidden.',
          );
        },
        clearDrawings: () => {
          this.sharing.clearDrawings();
          this.shell.announcer.say('Drawings cleared.');
        },
      },
      codeShown: (codeBlock) => {
        if (this.shell.hasFocus) codeBlock.focus();
      },
    });
    if (stream) view.stage.setSelf(stream, this.local.hasCamera);
    if (!canCall()) view.setWithoutCalls();
    else if (stream && !this.local.hasCamera) view.setWithoutCamera(this.local.hasMicrophone);
    const microphone = this.local.microphoneProblem;
    if (microphone) view.setMicrophoneProblem(microphone);
    // The service starts everyone with video on: without a camera, it is told ours is off, so the others are not
    // left waiting for a picture.
    const videoOffWithoutCamera = () => {
      if (!this.local.hasCamera && this.session?.isVideoOn) this.session.setVideo(false);
    };
    const screenShare = new VisitorScreenShare(client, {
      focus: (target) => {
        if (this.shell.hasFocus) target.focus();
      },
      say: (text) => this.shell.announcer.say(text),
    });
    view.screenShareSlot.append(screenShare.element);
    // Page sharing starts once the call with this session's agent is up (pageSharing.ts).
    this.sharing.newSession();
    const session: VisitorSession = new VisitorSession(client, stream, {
      created: (m) => {
        videoOffWithoutCamera();
        view.setCode(m.code, m.codeExpiresAt);
        this.memo = {
          v: 1,
          resumeToken: m.resumeToken,
          sessionId: m.sessionId,
          role: 'visitor',
          flow,
          codeExpiresAt: m.codeExpiresAt,
          large: false,
          videoAreaShown: true,
        };
        this.remember({ camera: this.chosenCamera });
      },
      joined: (m) => {
        // The prompt stayed (out of sight) until now, for a refusal of the acceptance to close.
        if (flow === 'invited' && this.oneClick.prompt) this.oneClick.dropPrompt();
        if (restored && this.restoring === restored) this.restoring = undefined;
        videoOffWithoutCamera();
        this.memo ??= {
          v: 1,
          resumeToken: m.resumeToken,
          sessionId: m.sessionId,
          role: 'visitor',
          flow,
          large: false,
          videoAreaShown: true,
        };
        this.remember({
          resumeToken: m.resumeToken,
          sessionId: m.sessionId,
          camera: this.chosenCamera,
          ...(o.agentName ? { agentName: o.agentName } : {}),
        });
        const agentHere = session.agents().length > 0;
        // Code flow, back after a page load before any agent came: the code to read out again.
        if (restored?.codeExpiresAt && !agentHere) view.setCode(m.code, restored.codeExpiresAt);
        view.setAgentPresent(agentHere);
        this.sharing.update(session);
        if (m.resumed) view.setStatus('Reconnected.');
        else if (!agentHere) view.setStatus('');
      },
      peerUpdated: (peer, isNew) => {
        view.stage.upsertPeer(peer);
        picker.lock();
        if (peer.role === 'agent') {
          view.setAgentPresent(true);
          this.sharing.update(session);
          if (isNew) view.setStatus(`Connected to ${displayName(peer)}.`);
        } else if (isNew) {
          this.shell.announcer.say(`${displayName(peer)} joined the call.`);
        }
      },
      peerLeft: (peer) => {
        view.stage.removePeer(peer.id);
        view.setAgentPresent(session.agents().length > 0);
        this.sharing.update(session);
        view.setStatus(`${displayName(peer)} left the call.`);
      },
      peerStream: (peerId, remote) => {
        view.stage.setPeerStream(peerId, remote);
        const video = view.stage.videoOf(peerId);
        if (remote && video && session.agents().some((a) => a.id === peerId)) this.sharing.agentVideoIn(video);
      },
      remoteScreen: (remote) => screenShare.screen.addStream(remote),
      peerConnected: (peerId) => {
        const agent = session.agents().find((a) => a.id === peerId);
        if (agent) this.sharing.agentConnected(agent.media.video && !agent.media.paused);
      },
      slowConnection: (peerId, slow) => {
        const peer = session.member(peerId);
        if (!peer) return;
        const who = displayName(peer);
        view.setStatus(
          slow
            ? `The video connection to ${who} is taking longer than usual. The network may be blocking it; trying again\u2026`
            : `Connected to ${who}.`,
        );
      },
      peerMedia: (peerId, media) => {
        view.stage.setPeerMedia(peerId, media);
        if (media.webrtc === false && session.agents().some((a) => a.id === peerId)) this.sharing.agentCantCall();
      },
      peerAway: (peer) => {
        const who = displayName(peer);
        view.setStatus(
          peer.away ? `${who}\u2019s connection dropped. Waiting for them to come back\u2026` : `${who} is back.`,
        );
      },
      selfMedia: (on, paused) => {
        view.setVideo(on, paused);
        if (stream) view.stage.setSelf(stream, on);
      },
      controlState: (state, agentName) => {
        // After a page load the server says where control stands, without a name: it is the agent's.
        const shown = view.remoteControl.setState(state, agentName ?? session.agents()[0]?.name);
        if (!shown.changed) return;
        if (shown.focus && this.shell.hasFocus) shown.focus.focus();
        if (shown.announce) this.shell.announcer.say(shown.announce);
      },
      connection: (state) =>
        view.setStatus(state === 'reconnecting' ? 'Connection lost. Reconnecting\u2026' : 'Reconnected.'),
      ended: (reason) => this.endSession(reason),
      error: (m) => {
        if (isBackgroundError(m)) return;
        if (m.inReplyTo === 'terms.accept' && this.oneClick.prompt) return this.acceptRefused(m.message);
        // Our seat is gone (the session ended, or the grace period ran out while we were away).
        if (m.inReplyTo === 'session.resume') return this.endSession('connection_lost');
        view.setStatus(m.message);
      },
    });
    picker.onChange = (deviceId) => void this.switchCamera(deviceId, session, view);
    this.session = session;
    this.view = view;
    screenShare.attach(session.mesh);
    this.screenShare = screenShare;
    // Nothing to blur without a camera.
    this.blur = this.local.hasCamera ? visitorBlur(this.serviceOrigin, this.local, session, view) : undefined;
    if (restored) {
      this.memo = restored;
      view.restoreLayout(restored.large, restored.videoAreaShown);
      this.shell.setLarge(restored.large);
    }
    // An invited visitor sees the call screen ("Joining the call…") as soon as they accept: built while the service
    // records the acceptance, not after, when the agent's offer is already on its way.
    this.shell.show(view.screen);
  }

  private async switchCamera(deviceId: string, session: VisitorSession, view: SessionView): Promise<void> {
    if (session.othersPresent || !this.local.stream) return;
    try {
      await (this.blur
        ? this.blur.aroundCameraChange(() => this.local.switchCamera(deviceId))
        : this.local.switchCamera(deviceId));
      this.chosenCamera = deviceId;
      this.remember({ camera: deviceId });
      view.stage.setSelf(this.local.stream, session.isVideoOn);
      view.setStatus('Camera changed.');
    } catch (err) {
      view.setStatus(CAMERA_HELP[cameraProblemOf(err)]);
      await view.picker.refresh(cameraOf(this.local.stream));
    }
  }

  /** The server refused our acceptance (too late, or the terms changed): back to the prompt's outcome. */
  private acceptRefused(message: string): void {
    this.teardownSession();
    this.oneClick.closePrompt();
    this.shell.show(noticeScreen('accept-refused', 'Call not started', message, () => this.reset()));
    this.presence.resume();
  }

  private endSession(reason: string): void {
    clearSession();
    this.memo = undefined;
    const restoring = this.restoring;
    this.restoring = undefined;
    if (restoring) {
      // The stored call could not be resumed (it ended, also by an earlier hang-up, or expired, or is unknown): just
      // the idle widget, no error.
      this.teardownSession();
      this.shell.showLauncher();
      this.presence.resume();
      return;
    }
    if (this.oneClick.prompt && this.session) {
      // The socket went away before the server answered the acceptance.
      return this.acceptRefused('The connection to the video service was lost before the call could start.');
    }
    this.teardownSession();
    this.shell.show(endedScreen(reason, () => this.reset()));
    this.presence.resume();
  }

  private teardownSession(): void {
    this.screenShare?.stop();
    this.screenShare = undefined;
    this.sharing.stop();
    this.session?.close();
    this.session = undefined;
    this.view?.destroy();
    this.view = undefined;
    this.blur?.dispose();
    this.blur = undefined;
    this.local.stop();
    this.shell.setLarge(false);
  }

  private reset(): void {
    this.teardownSession();
    this.oneClick.closePrompt();
    this.shell.showLauncher();
  }

  // --- helpers --------------------------------------------------------------------------------------------------

  private async openCamera(deviceId: string | undefined): Promise<void> {
    try {
      await this.local.open(deviceId);
    } catch (err) {
      // The remembered camera is gone: fall back to the browser's default one.
      if (deviceId && cameraProblemOf(err) === 'missing') await this.local.open();
      else throw err;
    }
    this.chosenCamera = cameraOf(this.local.stream);
  }

  private newPicker(selected = this.chosenCamera): CameraPicker {
    const picker = new CameraPicker();
    picker.onChange = (deviceId) => (this.chosenCamera = deviceId);
    void picker.refresh(selected);
    return picker;
  }
}
