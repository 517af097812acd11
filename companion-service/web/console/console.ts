import { EndReason, LeaveReason, Privilege } from '../../src/protocol/codes';
import type { ErrorMessage, MediaState, PeerInfo, SessionJoined } from '../../src/protocol/messages';
import { isBackgroundError } from '../shared/backgroundErrors';
import { CAMERA_HELP, CameraError, cameraOf } from '../shared/camera';
import { el } from '../shared/dom';
import { PeerMesh } from '../shared/peerMesh';
import { SignalingClient, socketUrl } from '../shared/signalingClient';
import { AgentMedia } from './agentMedia';
import { CobrowsePanel } from './cobrowsePanel';
import { DiagnosticsSampler, type PeerDiagnostics } from './diagnostics';
import { GuestPanel } from './guestPanel';
import { InfoPanel, type DiagnosticsRow } from './infoPanel';
import { RemoteControlTool } from './remoteControlTool';
import { SettingsPanel } from './settingsPanel';
import { receiveTicket } from './ticket';
import { ParticipantTile } from '../shared/tiles';
import { Toolbar, type ToolSwitch } from './toolbar';

/* The agent console, opened by the join page (or Salesforce) with a single-use ticket in the URL fragment. It runs
 * the agent's side of the session: the participants' video, the live view of the customer's page, Add Guest,
 * Remote Control, Video, Customer Info, Settings, END. */

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const ENDED_TEXT: Record<string, string> = {
  [EndReason.AgentEnded]: 'You ended the session.',
  [EndReason.AgentHangup]: 'You hung up.',
  [EndReason.VisitorHangup]: 'The customer hung up.',
  [EndReason.VisitorLost]: 'The customer\u2019s connection was lost.',
  [EndReason.AgentLost]: 'Your connection to the session was lost.',
  [EndReason.CodeExpired]: 'The session expired before it started.',
  [EndReason.VisitorDeclined]: 'The customer declined the invitation. The session did not start.',
  [EndReason.TermsTimeout]: 'The customer did not answer the invitation in time. The session did not start.',
  [EndReason.ServiceRestart]: 'The Tandem service restarted, which ended the session. Join the customer again if needed.',
};

const CAMERA_LOCKED = 'The session has started, so the camera can no longer be changed. Choose a camera before your next session.';
const NO_VIDEO_PRIVILEGE = 'Your account does not include agent video, so your camera is not used.';

interface Participant {
  info: PeerInfo;
  tile: ParticipantTile;
  stream?: MediaStream;
}

class AgentConsole {
  private readonly client = new SignalingClient(socketUrl(window.location.origin));
  private readonly media = new AgentMedia();
  private mesh: PeerMesh | undefined;
  private readonly toolbar = new Toolbar();
  private readonly guestPanel = new GuestPanel(this.client);
  private readonly infoPanel = new InfoPanel(this.client, () => this.diagnosticsSnapshot());
  private readonly cobrowse = new CobrowsePanel(this.client);
  private readonly settingsPanel = new SettingsPanel(
    (deviceId) => this.chooseCamera(deviceId),
    (on) => this.cobrowse.setReadAloud(on),
  );
  private remoteControl: RemoteControlTool | undefined;
  private videoSwitch: ToolSwitch | undefined;
  private readonly participants = new Map<string, Participant>();
  private readonly selfTile = new ParticipantTile('self', 'self', 'You', { muted: true });
  private readonly sampler = new DiagnosticsSampler();
  private latest: DiagnosticsRow[] = [];
  private diagnosticsTimer: ReturnType<typeof setInterval> | undefined;
  private selfId: string | undefined;
  private sessionId: string | undefined;
  private code: string | undefined;
  private privileges: string[] = [];
  /** Our own video as the server rules it. */
  private videoOn = false;
  private cameraProblem: string | undefined;
  /** A customer has been in the session: from now on, the end of the session closes the window. */
  private started = false;
  private remoteVideoSeen = false;
  private over = false;

  async start(): Promise<void> {
    // With a session in view (a ticket in the URL, or the join page that opened us fetching one), the camera starts
    // while the ticket is on its way.
    const expectingTicket = window.location.hash.includes('ticket=') || !!window.opener;
    if (expectingTicket) this.setStatus('Starting your camera and microphone…');
    const cameraOpened = expectingTicket ? this.media.open().then(() => undefined, (err: unknown) => err ?? new Error('camera')) : undefined;
    const ticket = await receiveTicket();
    if (!ticket) {
      await cameraOpened;
      this.media.stop();
      this.showProblem(
        'No session to join',
        'This console was opened without a session. Join from Salesforce or from the agent join page.',
      );
      return;
    }
    const mesh = new PeerMesh(this.client, this.media.stream, {
      onRemoteStream: (peerId, stream) => this.remoteStream(peerId, stream),
      onPeerClosed: (peerId) => this.participants.get(peerId)?.tile.setStream(undefined),
    });
    this.mesh = mesh;
    // Agent video starts off: no frames leave this page until the agent turns Video on.
    void mesh.setSendingVideo(false);
    this.wire();
    // Join now, while the camera may still be starting (a real webcam takes up to a second): what the session says
    // meanwhile is held until the camera is settled, because the connections are created with the camera's tracks.
    this.client.holdMessages();
    this.client.connect({ type: 'agent.join', ticket });
    const cameraError = await cameraOpened;
    if (this.over) return this.media.stop(); // refused or disconnected while the camera was starting

    if (cameraError !== undefined) {
      const problem = cameraError instanceof CameraError ? cameraError.problem : 'unknown';
      this.cameraProblem = CAMERA_HELP[problem];
      this.setAlert(
        `${CAMERA_HELP[problem]} ${this.media.hasAudio ? 'The customer can still hear you.' : 'You can still see and hear the others.'}`,
      );
    }
    this.selfTile.setStream(this.media.videoTrack ? this.media.stream : undefined);
    $('self').append(this.selfTile.element);
    $('cobrowse').replaceWith(this.cobrowse.element);
    this.renderSelf();
    // Until the camera settled (a permission prompt may be open), the status kept saying so.
    this.setStatus('Joining the session…');
    this.client.releaseMessages();
  }

  // --- wiring ------------------------------------------------------------------------------------------------

  private wire(): void {
    const c = this.client;
    c.on('session.joined', (m) => this.joined(m));
    c.on('session.info', (m) => {
      this.infoPanel.setCode(m.code);
      this.infoPanel.setVisitor(m.visitor);
    });
    c.on('peer.joined', (m) => {
      this.upsert(m.link.peer);
      if (m.link.peer.role === 'guest') this.guestPanel.guestJoined(this.participants.get(m.link.peer.id)?.tile.displayName ?? 'The guest');
    });
    c.on('pair.reset', (m) => this.upsert(m.link.peer));
    c.on('peer.left', (m) => this.left(m.peerId, m.reason));
    c.on('peer.away', (m) => this.away(m.peerId, true));
    c.on('peer.back', (m) => this.away(m.peerId, false));
    c.on('peer.media', (m) => this.peerMedia(m.peerId, m.media));
    c.on('guest.invite', (m) => this.guestPanel.onInvite(m.url, m.expiresAt));
    c.on('problem.reported', (m) => this.infoPanel.onReported(m.referenceId));
    c.on('session.ended', (m) => this.ended(m.reason));
    c.on('error', (m) => this.error(m));
    c.onStateChange = (state) => {
      if (this.over) return;
      if (state === 'reconnecting') this.setStatus('Connection to the service lost. Reconnecting…');
      if (state === 'closed') {
        this.over = true;
        this.stopEverything();
        this.showProblem('Disconnected', 'The connection to the session was lost and could not be restored.');
      }
    };
  }

  private joined(m: SessionJoined): void {
    this.selfId = m.self.id;
    this.sessionId = m.sessionId;
    this.code = m.code;
    this.mesh?.setIceServers(m.iceServers);
    $('session-label').textContent = `Session ${m.code}`;
    this.infoPanel.setCode(m.code);
    $<HTMLButtonElement>('end-button').disabled = false;
    if (!m.resumed) this.setupTools(m.self.privileges);
    this.remoteControl?.init(m.control);
    this.cobrowse.joined(m.maskSelectors, m.control);
    this.videoOn = m.self.media.video && !m.self.media.paused;
    this.applyVideo();
    if (m.resumed) {
      // Whoever left while we were disconnected is gone.
      const present = new Set(m.peers.map((link) => link.peer.id));
      for (const id of [...this.participants.keys()]) if (!present.has(id)) this.left(id, 'left');
    }
    for (const link of m.peers) this.upsert(link.peer);
    this.mesh?.sync(m.peers, m.resumed);
    this.setStatus(m.resumed ? 'Reconnected.' : this.waitingText());
    this.diagnosticsTimer ??= setInterval(() => void this.sampleDiagnostics(), 2000);
  }

  private setupTools(privileges: string[]): void {
    this.privileges = privileges;
    const toolbar = this.toolbar;
    toolbar.addPanel('guests', 'Add Guest', 'addPerson', this.guestPanel.element, () => this.guestPanel.opened());
    if (privileges.includes(Privilege.RemoteControl)) this.remoteControl = new RemoteControlTool(toolbar, this.client);
    if (privileges.includes(Privilege.AgentVideo)) {
      this.videoSwitch = toolbar.addSwitch('video', 'Video', 'camera', () => this.toggleVideo());
      if (!this.media.videoTrack) {
        this.videoSwitch.button.disabled = true;
        this.videoSwitch.button.title = this.cameraProblem ?? 'No camera is available.';
      }
    } else {
      // Never sends video: let the camera go (its light goes off), keep the microphone.
      this.media.dropVideo();
      this.selfTile.setStream(undefined);
      this.settingsPanel.lock(NO_VIDEO_PRIVILEGE);
    }
    toolbar.addPanel('info', 'Customer Info', 'info', this.infoPanel.element);
    toolbar.addPanel('settings', 'Settings', 'settings', this.settingsPanel.element, () => {
      if (!this.remoteVideoSeen && this.privileges.includes(Privilege.AgentVideo)) void this.settingsPanel.refresh(cameraOf(this.media.stream));
    });
    void this.settingsPanel.refresh(cameraOf(this.media.stream));
    if (!this.media.videoTrack && privileges.includes(Privilege.AgentVideo)) this.settingsPanel.lock(this.cameraProblem ?? 'No camera is available.');
    $('toolbar').replaceChildren(toolbar.element, ...(this.remoteControl ? [this.remoteControl.status] : []), toolbar.panels);
    $('toolbar').hidden = false;
    this.renderSelf();
  }

  // --- participants ------------------------------------------------------------------------------------------

  private upsert(info: PeerInfo): void {
    let p = this.participants.get(info.id);
    if (!p) {
      const tile = new ParticipantTile(info.id, info.role, info.name, {
        tag: info.role === 'guest' ? 'li' : 'div',
        texts: { paused: 'Video paused' },
      });
      p = { info, tile };
      this.participants.set(info.id, p);
      if (info.role === 'visitor') {
        $('remote').replaceChildren(tile.element);
        this.started = true;
      } else if (info.role === 'guest') {
        this.addGuestControls(p);
        $('guests').append(tile.element);
        $('guests-empty').hidden = true;
      } else {
        $('others').append(tile.element);
      }
    }
    p.info = info;
    p.tile.setName(info.name);
    p.tile.setMedia(info.media);
    this.renderGuestControls(p);
    if (!this.over) this.setStatus(this.waitingText());
  }

  private addGuestControls(p: Participant): void {
    const nameId = p.tile.nameText.id;
    const pause = el('button', { type: 'button', class: 'small', 'data-action': 'pause', 'aria-describedby': nameId });
    const eject = el('button', { type: 'button', class: 'small danger', 'data-action': 'eject', 'aria-describedby': nameId }, 'Eject');
    const confirmBox = el('div', { class: 'confirm', hidden: true });
    pause.addEventListener('click', () => {
      pause.disabled = true;
      this.client.send({ type: 'guest.pause', peerId: p.info.id, paused: !p.info.media.paused });
    });
    eject.addEventListener('click', () => {
      const yes = el('button', { type: 'button', class: 'small danger', 'aria-describedby': nameId }, 'Yes, eject');
      const no = el('button', { type: 'button', class: 'small', 'aria-describedby': nameId }, 'Cancel');
      confirmBox.replaceChildren(
        el('p', {}, `Remove ${p.tile.displayName} from the session? They won\u2019t be able to come back with the same link.`),
        el('div', { class: 'row' }, yes, no),
      );
      confirmBox.hidden = false;
      eject.hidden = true;
      yes.addEventListener('click', () => {
        yes.disabled = true;
        no.disabled = true;
        this.client.send({ type: 'guest.eject', peerId: p.info.id });
      });
      no.addEventListener('click', () => {
        confirmBox.hidden = true;
        eject.hidden = false;
        eject.focus();
      });
      no.focus();
    });
    p.tile.controls.append(pause, eject, confirmBox);
  }

  private renderGuestControls(p: Participant): void {
    const pause = p.tile.controls.querySelector<HTMLButtonElement>('[data-action="pause"]');
    if (!pause) return;
    pause.disabled = false;
    pause.textContent = p.info.media.paused ? 'Resume video' : 'Pause video';
  }

  private remoteStream(peerId: string, stream: MediaStream): void {
    const p = this.participants.get(peerId);
    if (!p) return;
    p.stream = stream;
    p.tile.setStream(stream);
    if (!this.remoteVideoSeen) {
      this.remoteVideoSeen = true;
      // The session has started: the camera choice is now fixed.
      this.settingsPanel.lock(this.privileges.includes(Privilege.AgentVideo) ? CAMERA_LOCKED : NO_VIDEO_PRIVILEGE);
    }
    if (!this.over) this.setStatus(this.waitingText());
  }

  private left(peerId: string, reason: string): void {
    const p = this.participants.get(peerId);
    if (!p) return;
    this.participants.delete(peerId);
    p.tile.destroy();
    if (p.info.role === 'visitor') {
      $('remote').replaceChildren(el('p', { class: 'placeholder' }, 'The customer has left.'));
      this.cobrowse.reset('The customer has left: their page is no longer shared.');
    }
    if (p.info.role === 'guest') {
      $('guests-empty').hidden = [...this.participants.values()].some((q) => q.info.role === 'guest');
      const name = p.tile.displayName;
      this.setStatus(reason === LeaveReason.Ejected ? `You removed ${name} from the session.` : `${name} left the session.`);
      if (reason === LeaveReason.Ejected) this.guestPanel.linkRevoked();
    }
  }

  private away(peerId: string, away: boolean): void {
    const p = this.participants.get(peerId);
    if (!p) return;
    p.tile.setAway(away);
    if (p.info.role === 'visitor') {
      this.setStatus(away ? 'The customer\u2019s connection dropped. Waiting for them to come back…' : 'The customer is back.');
    }
  }

  private peerMedia(peerId: string, media: MediaState): void {
    if (peerId === this.selfId) {
      this.videoOn = media.video && !media.paused;
      this.videoSwitch?.setBusy(false);
      this.applyVideo();
      return;
    }
    const p = this.participants.get(peerId);
    if (!p) return;
    p.info = { ...p.info, media };
    p.tile.setMedia(media);
    this.renderGuestControls(p);
  }

  private waitingText(): string {
    const visitor = [...this.participants.values()].find((p) => p.info.role === 'visitor');
    if (!visitor) return 'Waiting for the customer to accept the invitation…';
    if (!visitor.stream) return 'The customer is here. Connecting video…';
    return 'Connected.';
  }

  // --- our own video -----------------------------------------------------------------------------------------

  private toggleVideo(): void {
    if (!this.videoSwitch) return;
    if (this.videoOn) {
      // Stop the frames at once, then tell the others.
      this.videoOn = false;
      this.applyVideo();
      this.client.send({ type: 'media.set', video: false });
    } else {
      this.videoSwitch.setBusy(true);
      this.client.send({ type: 'media.set', video: true });
    }
  }

  private applyVideo(): void {
    void this.mesh?.setSendingVideo(this.videoOn);
    this.videoSwitch?.setOn(this.videoOn);
    this.renderSelf();
  }

  private renderSelf(): void {
    if (!this.media.videoTrack) {
      this.selfTile.setMedia({ video: false, paused: false });
      this.selfTile.setNote(this.privileges.includes(Privilege.AgentVideo) || !this.selfId ? 'Camera not available' : 'Video not included in your account');
      return;
    }
    this.selfTile.setMedia({ video: true, paused: false });
    this.selfTile.setNote(this.videoOn ? 'Shared with everyone' : 'Preview: only you see this');
  }

  private async chooseCamera(deviceId: string): Promise<void> {
    try {
      await this.media.switchCamera(deviceId, this.mesh, this.videoOn);
    } catch (err) {
      throw new Error(CAMERA_HELP[err instanceof CameraError ? err.problem : 'unknown']);
    }
    this.selfTile.setStream(undefined);
    this.selfTile.setStream(this.media.stream);
    this.renderSelf();
  }

  // --- diagnostics -------------------------------------------------------------------------------------------

  private async sampleDiagnostics(): Promise<void> {
    const mesh = this.mesh;
    if (!mesh || this.over) return;
    const stats = await this.sampler.sample(mesh.peerIds().map((peerId) => ({ peerId, pc: mesh.connectionTo(peerId) })));
    const rows: DiagnosticsRow[] = [];
    for (const s of stats) {
      const p = this.participants.get(s.peerId);
      if (p) rows.push({ name: p.tile.displayName, role: roleLabel(p.info.role), stats: s });
    }
    this.latest = rows;
    this.infoPanel.setDiagnostics(rows);
  }

  private diagnosticsSnapshot(): Record<string, number | string | null> {
    const out: Record<string, number | string | null> = {
      sessionCode: this.code ?? null,
      participants: this.participants.size + 1,
      agentVideo: this.videoOn ? 'on' : 'off',
      agentBrowser: navigator.userAgent.slice(0, 200),
    };
    const round = (v: number | null, digits = 0) => (v === null ? null : Number(v.toFixed(digits)));
    this.latest.slice(0, 6).forEach((row, i) => {
      const s: PeerDiagnostics = row.stats;
      const key = `peer${i + 1}`;
      out[`${key}.role`] = row.role;
      out[`${key}.rttMs`] = round(s.rttMs);
      out[`${key}.videoInKbps`] = round(s.inboundKbps);
      out[`${key}.videoOutKbps`] = round(s.outboundKbps);
      out[`${key}.packetLossPercent`] = round(s.packetLossPercent, 2);
      out[`${key}.resolutionIn`] = s.width && s.height ? `${s.width}x${s.height}` : null;
    });
    return out;
  }

  // --- errors and the end ------------------------------------------------------------------------------------

  private error(m: ErrorMessage): void {
    if (isBackgroundError(m)) return;
    switch (m.inReplyTo) {
      case 'guest.invite.create':
      case 'guest.admit':
        return this.guestPanel.onError(m);
      case 'problem.report':
        return this.infoPanel.onError(m);
      case 'control.request':
      case 'control.release':
      case 'control.navigate':
        return this.remoteControl?.onError(m);
      case 'control.input':
      case 'a11y.read':
        return this.cobrowse.onError(m);
      case 'cobrowse.snapshot.request':
        return; // the customer is not in yet: their page arrives when they join
      case 'media.set':
        this.videoSwitch?.setBusy(false);
        return this.setAlert(`Your video could not be turned on. ${m.message}`);
      case 'guest.pause':
      case 'guest.eject':
        for (const p of this.participants.values()) this.renderGuestControls(p);
        return this.setAlert(m.message);
      case 'agent.join':
      case 'session.resume':
        this.over = true;
        this.client.close();
        this.stopEverything();
        return this.showProblem('Could not join the session', m.message);
      default:
        return this.setAlert(m.message);
    }
  }

  private ended(reason: string): void {
    if (this.over) return;
    this.over = true;
    const text = ENDED_TEXT[reason] ?? 'The session has ended.';
    this.stopEverything();
    this.tellOpener(reason);
    if (this.started) {
      // Started sessions close their console window; if the browser keeps it open (it was not opened by a script),
      // say what happened.
      window.close();
    }
    const title =
      reason === EndReason.VisitorDeclined ? 'The customer declined' : reason === EndReason.TermsTimeout ? 'No answer from the customer' : 'Session ended';
    this.showProblem(title, text, true);
  }

  /** The join page that opened this window shows why a 1-click session did not start. */
  private tellOpener(reason: string): void {
    try {
      const opener = window.opener as Window | null;
      opener?.postMessage({ source: 'tandem-console', sessionId: this.sessionId, reason, started: this.started }, window.location.origin);
    } catch {
      /* the opener went elsewhere: nothing to tell */
    }
  }

  private stopEverything(): void {
    clearInterval(this.diagnosticsTimer);
    this.mesh?.destroy();
    this.media.stop();
    for (const p of this.participants.values()) p.tile.setStream(undefined);
    this.selfTile.setStream(undefined);
    this.toolbar.disableAll();
    this.remoteControl?.disable();
    this.cobrowse.stop();
    this.guestPanel.disable();
    this.infoPanel.disable();
    $<HTMLButtonElement>('end-button').disabled = true;
  }

  private showProblem(title: string, text: string, calm = false): void {
    $('stage').hidden = true;
    $('toolbar').hidden = true;
    $('status').hidden = true;
    $('alert').hidden = true;
    const box = $('outcome');
    box.replaceChildren(el('h2', {}, title), el('p', { role: calm ? 'status' : 'alert' }, text));
    box.hidden = false;
    $('session-label').textContent = this.code ? `Session ${this.code}` : '';
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

function roleLabel(role: PeerInfo['role']): string {
  return role === 'visitor' ? 'customer' : role;
}

const agentConsole = new AgentConsole();
$('end-button').addEventListener('click', () => agentConsole.endSession());
void agentConsole.start();
