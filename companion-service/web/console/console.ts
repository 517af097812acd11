import { LeaveReason, Privilege } from '../../src/protocol/codes';
import type { ErrorMessage, SessionJoined } from '../../src/protocol/messages';
import { isBackgroundError } from '../shared/backgroundErrors';
import { CAMERA_HELP, cameraProblemOf, MICROPHONE_PROBLEM } from '../shared/camera';
import { canCall } from '../shared/webrtc';
import { canSendMediaLater } from '../shared/mediaLater';
import { PeerMesh } from '../shared/peerMesh';
import {
  isOver,
  participant,
  participantsWithRole,
  type ParticipantState,
  type SessionState,
} from '../shared/sessionState';
import { SessionStore } from '../shared/sessionStore';
import { displayName } from '../shared/tiles';
import { SignalingClient, socketUrl } from '../shared/signalingClient';
import { submit, type UnansweredMessage } from '../shared/submit';
import { AgentMedia } from './agentMedia';
import { AgentVideo } from './agentVideo';
import { answerOf } from './answers';
import { CobrowsePanel } from './cobrowsePanel';
import { DiagnosticsFeed } from './diagnosticsFeed';
import { GuestPanel } from './guestPanel';
import { InfoPanel } from './infoPanel';
import { endedText, endedTitle, showOutcome, tellOpener } from './outcome';
import { ParticipantsView } from './participantsView';
import { RemoteControlTool } from './remoteControlTool';
import { ScreenShareTool } from './screenShareTool';
import { SharedScreenView } from '../shared/sharedScreen';
import { SettingsPanel } from './settingsPanel';
import { takeBoot } from './bootHandoff';
import { startsWithVideo } from './startWithVideo';
import { followNextTickets, showConsoleState } from './nextTicket';
import { receiveTicket, ticketExpected } from './ticket';
import { Toolbar } from './toolbar';

/* The agent console, opened by the join page (or Salesforce) with a single-use ticket in the URL fragment. It runs
 * the agent's side of the session: the participants' video, the live view of the customer's page, Add Guest,
 * Remote Control, Video, Customer Info, Settings, END. What it knows about the session is the session state
 * (shared/sessionState.ts); this file wires the socket and the state to the panels. */

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const ANOTHER_JOIN_REFUSED =
  'You joined another customer while this session is on. End this session first, then join them again.';

/** The agent's own browser can't make calls. */
const NO_CALLS_HERE =
  'Video calls are off in this browser (WebRTC is turned off or missing), so you and the customer can\u2019t see or hear each other here. You still see their page. For video, use a browser with video calls on.';

/** The customer's browser can't make calls: what the agent still has. */
const NO_CALLS_FOR_AGENT =
  'Video calls are off in the customer\u2019s browser (WebRTC is turned off or missing), so you can\u2019t see or hear each other. You still see their page: talk to them on the phone.';

class AgentConsole {
  private readonly client = new SignalingClient(socketUrl(window.location.origin));
  private readonly media = new AgentMedia();
  // The mesh follows the socket before the state does, as it always has: it connects to a peer first.
  private readonly mesh = new PeerMesh(this.client, this.media.stream, {
    onRemoteStream: (peerId, stream) => this.streamChanged(peerId, stream),
    onPeerClosed: (peerId) => this.streamChanged(peerId, undefined),
    onRemoteScreen: (_peerId, stream) => this.sharedScreen.addStream(stream),
    onSlowConnection: (peerId, slow) => this.participants.setSlow(peerId, slow),
  });
  private readonly sharedScreen = new SharedScreenView(() => this.store.state.self?.id);
  private readonly store = new SessionStore(this.client);
  private readonly toolbar = new Toolbar();
  private readonly guestPanel = new GuestPanel(this.client);
  private readonly diagnostics = new DiagnosticsFeed(
    this.mesh,
    this.store,
    (rows) => this.infoPanel.setDiagnostics(rows),
    (peerId) => this.participants.nameOf(peerId),
  );
  private readonly infoPanel = new InfoPanel(this.client, () => this.diagnostics.snapshot());
  private readonly cobrowse = new CobrowsePanel(this.client, () =>
    participantsWithRole(this.store.state, 'visitor').some((visitor) => !visitor.away),
  );
  private readonly settingsPanel: SettingsPanel = new SettingsPanel(
    (deviceId) => this.video.chooseCamera(deviceId),
    (on) => this.cobrowse.setReadAloud(on),
  );
  private readonly video: AgentVideo = new AgentVideo(
    this.media,
    this.mesh,
    this.store,
    this.client,
    this.settingsPanel,
    (text) => this.setAlert(text),
  );
  private readonly participants = new ParticipantsView({
    togglePause: (peerId) => {
      const member = participant(this.store.state, peerId);
      if (member) void this.memberAction({ type: 'peer.pause', peerId, paused: !member.media.paused });
    },
    eject: (peerId) => void this.memberAction({ type: 'guest.eject', peerId }),
  });
  private remoteControl: RemoteControlTool | undefined;
  private screenShare: ScreenShareTool | undefined;

  async start(): Promise<void> {
    // The first script (boot.ts) took the ticket and sent agent.join while this one loaded; without it (a page that
    // did not run it), the same is done here.
    const boot = takeBoot();
    // With a session in view (a ticket in the URL, or the join page that opened us fetching one), the camera starts
    // while the ticket is on its way.
    const expectingTicket = boot?.expectingTicket ?? ticketExpected();
    const calls = canCall();
    if (expectingTicket && calls) this.setStatus('Starting your camera and microphone…');
    const cameraOpened =
      expectingTicket && calls
        ? this.media.open(boot?.camera).then(
            () => undefined,
            (err: unknown) => err ?? new Error('camera'),
          )
        : undefined;
    const ticket = await (boot?.ticket ?? receiveTicket());
    // From now on a Join for another customer may reach this window.
    followNextTickets(
      () => !!ticket && !isOver(this.store.state),
      () => this.setAlert(ANOTHER_JOIN_REFUSED),
    );
    showConsoleState(ticket ? 'in-session' : 'idle');
    if (!ticket) {
      await cameraOpened;
      this.media.stop();
      showOutcome(
        'No session to join',
        'This console was opened without a session. Join from Salesforce or from the agent join page.',
        undefined,
      );
      return;
    }
    // Agent video starts off: no frames leave this page until the agent turns Video on, or the session says it is on
    // (their "Start my video when I join" choice, granted by the service) when we have joined.
    void this.mesh.setSendingVideo(false);
    this.wire();
    // Join now, while the camera may still be starting (a real webcam takes up to a second or two). Where the
    // browser allows, the call connects meanwhile and our camera and microphone join it when open, so the agent sees
    // and hears the customer at once; elsewhere what the session says is held until the camera is settled, because
    // the connections are created with the camera's tracks.
    const mediaLater = cameraOpened !== undefined && canSendMediaLater();
    this.client.holdMessages();
    if (boot?.socket) this.client.adopt(boot.socket, boot.received.splice(0), boot.closed);
    else this.client.connect({ type: 'agent.join', ticket, video: startsWithVideo() });
    if (mediaLater) {
      this.mesh.sendMediaLater();
      this.video.cameraPending = true;
      this.showStage();
      this.client.releaseMessages();
    }
    const cameraError = await cameraOpened;
    if (isOver(this.store.state)) {
      // Refused or disconnected while the camera was starting.
      showConsoleState('idle');
      return this.media.stop();
    }
    if (mediaLater) await this.mesh.localMediaReady();

    if (cameraError !== undefined) {
      const problem = cameraProblemOf(cameraError);
      this.video.cameraProblem = CAMERA_HELP[problem];
      this.setAlert(
        `${CAMERA_HELP[problem]} ${this.media.hasAudio ? 'The customer can still hear you.' : 'You can still see and hear the others.'}`,
      );
    } else if (this.media.microphoneProblem) this.setAlert(MICROPHONE_PROBLEM[this.media.microphoneProblem]);
    if (!calls) this.setAlert(NO_CALLS_HERE);
    this.video.selfTile.setStream(this.media.videoTrack ? this.media.stream : undefined);
    if (mediaLater) return this.video.cameraSettled();
    this.showStage();
    this.video.render();
    this.client.releaseMessages();
  }

  /** The self tile and the customer's page take their places; the status says we are joining (until the camera
   * settled, a permission prompt may be open, it said so). */
  private showStage(): void {
    $('self').append(this.video.selfTile.element);
    $('cobrowse').replaceWith(this.cobrowse.element);
    this.cobrowse.element.before(this.sharedScreen.element);
    this.setStatus('Joining the session…');
  }

  // --- wiring ------------------------------------------------------------------------------------------------

  private wire(): void {
    const { client, store } = this;
    this.sharedScreen.follow(client);
    store.on('session.joined', (m, state, prev) => this.joined(m, state, prev));
    client.on('session.info', (m) => {
      this.infoPanel.setCode(m.code);
      this.infoPanel.setVisitor(m.visitor);
    });
    // The newcomer is drawn once our offer to them has left (PeerMesh.afterSignalled), from the state as it is then.
    store.on('peer.joined', (m) => {
      this.mesh.afterSignalled(m.link.peer.id, () => {
        const p = this.showParticipant(m.link.peer.id, this.store.state);
        if (p?.role === 'guest') this.guestPanel.guestJoined(this.participants.nameOf(p.id) ?? 'The guest');
      });
    });
    store.on('pair.reset', (m) => {
      this.mesh.afterSignalled(m.link.peer.id, () => this.showParticipant(m.link.peer.id, this.store.state));
    });
    store.on('peer.left', (m, state, prev) => {
      const p = participant(prev, m.peerId);
      if (p) this.left(p, m.reason, state);
    });
    store.on('peer.away', (m, state) => this.awayChanged(m.peerId, state));
    store.on('peer.back', (m, state) => this.awayChanged(m.peerId, state));
    store.on('peer.media', (m, state) => {
      if (m.peerId === state.self?.id) return this.video.serverRuled();
      const p = participant(state, m.peerId);
      if (p) this.participants.show(p);
      if (p?.role === 'visitor' && m.media.webrtc === false) this.setStatus(this.waitingText(state));
    });
    store.on('client.stream', (m, state, prev) => {
      // The call has started: the camera choice is now fixed.
      if (state.mediaSeen && !prev.mediaSeen) this.video.lockCamera();
      if (m.present) this.setStatus(this.waitingText(state));
    });
    store.on('session.ended', (m, state) => this.ended(m.reason, state));
    store.on('error', (m, state) => this.error(m, state));
    store.on('client.connection', (m) => {
      if (m.state === 'reconnecting') this.setStatus('Connection to the service lost. Reconnecting…');
      if (m.state === 'closed') {
        this.stopEverything();
        showOutcome(
          'Disconnected',
          'The connection to the session was lost and could not be restored.',
          this.store.state.code,
        );
      }
    });
  }

  private joined(m: SessionJoined, state: SessionState, prev: SessionState): void {
    this.mesh.setIceServers(m.iceServers);
    // The connections first, so that offers are taken as they come; each participant is drawn once our answer to
    // them has left (PeerMesh.afterSignalled).
    this.mesh.sync(m.peers, m.resumed);
    $('session-label').textContent = `Session ${m.code}`;
    this.infoPanel.setCode(m.code);
    $<HTMLButtonElement>('end-button').disabled = false;
    if (!m.resumed) this.setupTools();
    this.remoteControl?.init(m.control);
    this.screenShare?.init(m.share);
    this.cobrowse.joined(m.maskSelectors, m.control);
    this.video.apply();
    // Whoever left while we were disconnected is gone.
    for (const p of prev.participants) if (!participant(state, p.id)) this.left(p, LeaveReason.Hangup, state);
    for (const p of state.participants) {
      this.mesh.afterSignalled(p.id, () => {
        const now = participant(this.store.state, p.id);
        if (now) this.participants.show(now);
      });
    }
    this.setStatus(m.resumed ? 'Reconnected.' : this.waitingText(state));
    this.diagnostics.start();
  }

  private setupTools(): void {
    const privileges = this.store.state.self?.privileges ?? [];
    const toolbar = this.toolbar;
    toolbar.addPanel('guests', 'Add Guest', 'addPerson', this.guestPanel.element, () => this.guestPanel.opened());
    if (privileges.includes(Privilege.RemoteControl)) this.remoteControl = new RemoteControlTool(toolbar, this.client);
    if (privileges.includes(Privilege.ScreenShare))
      this.screenShare = new ScreenShareTool(toolbar, this.client, this.mesh, () => this.store.state.self?.id);
    this.video.setUpTools(toolbar);
    toolbar.addPanel('info', 'Customer Info', 'info', this.infoPanel.element);
    toolbar.addPanel('settings', 'Settings', 'settings', this.settingsPanel.element, () => this.video.refreshCameras());
    this.video.setUpSettings();
    $('toolbar').replaceChildren(
      toolbar.element,
      ...(this.remoteControl ? [this.remoteControl.status] : []),
      ...(this.screenShare ? [this.screenShare.status] : []),
      toolbar.panels,
    );
    $('toolbar').hidden = false;
    this.video.render();
  }

  // --- participants ------------------------------------------------------------------------------------------

  /** Shows a participant as the state has them (nothing if they are not, or no longer, in the session). */
  private showParticipant(peerId: string, state: SessionState): ParticipantState | undefined {
    const p = participant(state, peerId);
    if (!p) return undefined;
    this.participants.show(p);
    this.setStatus(this.waitingText(state));
    return p;
  }

  private streamChanged(peerId: string, stream: MediaStream | undefined): void {
    if (this.participants.setStream(peerId, stream))
      this.store.dispatch({ type: 'client.stream', peerId, present: !!stream });
  }

  private left(p: ParticipantState, reason: string, state: SessionState): void {
    const name = this.participants.nameOf(p.id) ?? displayName(p.role, p.name);
    this.participants.remove(p, state);
    if (p.role === 'visitor') this.cobrowse.reset('The customer has left: their page is no longer shared.');
    if (p.role === 'guest') {
      this.setStatus(
        reason === LeaveReason.Ejected ? `You removed ${name} from the session.` : `${name} left the session.`,
      );
      if (reason === LeaveReason.Ejected) this.guestPanel.linkRevoked();
    }
  }

  private awayChanged(peerId: string, state: SessionState): void {
    const p = participant(state, peerId);
    if (!p) return;
    this.participants.show(p);
    if (p.role === 'visitor') {
      this.setStatus(
        p.away ? 'The customer\u2019s connection dropped. Waiting for them to come back…' : 'The customer is back.',
      );
    }
  }

  private waitingText(state: SessionState): string {
    const visitor = participantsWithRole(state, 'visitor')[0];
    if (!visitor) return 'Waiting for the customer to accept the invitation…';
    if (visitor.media.webrtc === false) return NO_CALLS_FOR_AGENT;
    if (!canCall()) return 'The customer is here.'; // the alert says why there is no video
    if (!visitor.stream) return 'The customer is here. Connecting video…';
    return 'Connected.';
  }

  /** Pause a member or eject a guest; refused, the buttons are usable again and the alert says why. */
  private async memberAction(message: UnansweredMessage): Promise<void> {
    const refusal = await answerOf(submit(this.client, message));
    if (!refusal) return;
    this.participants.renderMemberControls(this.store.state);
    this.setAlert(refusal.message);
  }

  // --- errors and the end ------------------------------------------------------------------------------------

  /** Errors nobody awaited: refusals of what the panels asked come back to them as answers (replyTo). */
  private error(m: ErrorMessage, state: SessionState): void {
    if (isBackgroundError(m) || m.replyTo !== undefined) return;
    if (state.end?.kind === 'refused') {
      // The join (or the automatic resume) was refused. The state is over: nothing more is announced, not even this
      // socket closing.
      this.client.close();
      this.stopEverything();
      return showOutcome('Could not join the session', m.message, state.code);
    }
    this.setAlert(m.message);
  }

  private ended(reason: string, state: SessionState): void {
    this.stopEverything();
    tellOpener(state.sessionId, reason, state.visitorSeen);
    // Started sessions close their console window; if the browser keeps it open (it was not opened by a script),
    // say what happened.
    if (state.visitorSeen) window.close();
    showOutcome(endedTitle(reason), endedText(reason), state.code, true);
  }

  private stopEverything(): void {
    showConsoleState('idle');
    this.diagnostics.stop();
    this.mesh.destroy();
    this.media.stop();
    this.participants.stopMedia();
    this.video.stop();
    this.toolbar.disableAll();
    this.remoteControl?.disable();
    this.screenShare?.stop();
    this.sharedScreen.clear();
    this.cobrowse.stop();
    this.guestPanel.disable();
    this.infoPanel.disable();
    $<HTMLButtonElement>('end-button').disabled = true;
  }

  private setStatus(text: string): void {
    $('status').textContent = text;
  }

  private setAlert(text: string | undefined): void {
    $('alert').textContent = text ?? '';
    $('alert').hidden = !text;
  }

  endSession(): void {
    $<HTMLButtonElement>('end-button').disabled = true;
    this.setStatus('Ending the session…');
    this.client.send({ type: 'session.end' });
  }
}

const agentConsole = new AgentConsole();
$('end-button').addEventListener('click', () => agentConsole.endSession());
void agentConsole.start();
