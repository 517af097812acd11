import { EndReason, ErrorCode } from '../../src/protocol/codes';
import type { ErrorMessage, MediaState, PeerInfo, SessionJoined } from '../../src/protocol/messages';
import { isBackgroundError } from '../shared/backgroundErrors';
import { CAMERA_HELP, CameraError, cameraOf, listCameras, openCamera, stopStream } from '../shared/camera';
import { el } from '../shared/dom';
import { PeerMesh } from '../shared/peerMesh';
import { SignalingClient, socketUrl } from '../shared/signalingClient';
import { icon } from '../shared/icons';
import { ParticipantTile } from '../shared/tiles';
import { VideoSlider } from './slider';

/* The guest page, opened from the link an agent shares: the guest types a name, picks a camera, joins and gets a
 * code to read to the agent; once admitted they are in the call with everyone, until they hang up, the agent
 * removes them or the session ends. */

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const NAME_PATTERN = /^[^\u0000-\u001f\u007f]{1,80}$/;

const ENDED_TEXT: Record<string, string> = {
  [EndReason.AgentEnded]: 'The agent ended the session.',
  [EndReason.AgentHangup]: 'The agent hung up.',
  [EndReason.VisitorHangup]: 'The customer hung up, so the session is over.',
  [EndReason.VisitorLost]: 'The customer\u2019s connection was lost, so the session is over.',
  [EndReason.AgentLost]: 'The agent\u2019s connection was lost, so the session is over.',
  [EndReason.ServiceRestart]: 'The video service restarted, so the session is over.',
};

function spaced(code: string): string {
  return code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

function clock(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

type Screen = 'join' | 'code' | 'call' | 'done';

class GuestPage {
  private readonly invite = new URLSearchParams(window.location.hash.slice(1)).get('invite') ?? '';
  private stream: MediaStream | undefined;
  private cameraProblem: string | undefined;
  /** The guest's own video switch. */
  private videoOn = true;
  /** Set by the agent; only the agent can clear it. */
  private paused = false;
  private client: SignalingClient | undefined;
  private mesh: PeerMesh | undefined;
  private screen: Screen = 'join';
  private selfId: string | undefined;
  private readonly tiles = new Map<string, { info: PeerInfo; tile: ParticipantTile }>();
  private readonly selfTile = new ParticipantTile('self', 'self', 'You', {
    tag: 'li',
    muted: true,
    texts: { cameraOff: 'Your video is off', paused: 'Paused by the agent' },
  });
  private readonly preview = new ParticipantTile('preview', 'self', 'You', { muted: true, texts: { cameraOff: 'Your video is off' } });
  private slider: VideoSlider | undefined;
  private codeExpiresAt = 0;
  private countdown: ReturnType<typeof setInterval> | undefined;

  async start(): Promise<void> {
    if (!this.invite) {
      this.finish('This link is incomplete', 'Ask the agent to send you the guest link again, and open it exactly as it is.');
      return;
    }
    $('preview').append(this.preview.element);
    $<HTMLFormElement>('join-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.join();
    });
    $('video-toggle').addEventListener('click', () => this.toggleVideo());
    $('camera-retry').addEventListener('click', () => void this.openCamera());
    $<HTMLSelectElement>('camera-select').addEventListener('change', () => void this.openCamera($<HTMLSelectElement>('camera-select').value));
    $('more-time').addEventListener('click', () => this.moreTime());
    $('cancel-join').addEventListener('click', () => this.cancel());
    $('hang-up').addEventListener('click', () => this.hangUp());
    $('size-toggle').addEventListener('click', () => this.toggleSize());
    $('call-video-toggle').addEventListener('click', () => this.toggleVideo());
    this.slider = new VideoSlider($('tiles'));
    $('slider-slot').append(this.slider.controls);
    this.renderVideoControls();
    this.show('join');
    $('guest-name').focus();
    await this.openCamera();
  }

  // --- before joining ----------------------------------------------------------------------------------------

  private async openCamera(deviceId?: string): Promise<void> {
    const select = $<HTMLSelectElement>('camera-select');
    select.disabled = true;
    $('camera-retry').hidden = true;
    try {
      const next = await openCamera(deviceId);
      stopStream(this.stream);
      this.stream = next;
      this.cameraProblem = undefined;
      this.setCameraAlert(undefined);
    } catch (err) {
      const problem = err instanceof CameraError ? err.problem : 'unknown';
      this.cameraProblem = CAMERA_HELP[problem];
      if (!deviceId) {
        stopStream(this.stream);
        this.stream = undefined;
      }
      this.setCameraAlert(
        this.stream
          ? `${CAMERA_HELP[problem]} Your previous camera is still in use.`
          : `${CAMERA_HELP[problem]} You can also join without a camera: the others will not see or hear you.`,
      );
      $('camera-retry').hidden = false;
    }
    this.preview.setStream(this.stream);
    this.renderVideoControls();
    const cameras = this.stream ? await listCameras().catch(() => []) : [];
    const current = cameraOf(this.stream);
    select.replaceChildren(...cameras.map((c) => el('option', { value: c.deviceId, selected: c.deviceId === current }, c.label)));
    if (cameras.length === 0) select.append(el('option', { value: '' }, 'No camera available'));
    select.disabled = cameras.length === 0;
  }

  private setCameraAlert(text: string | undefined): void {
    $('camera-alert').textContent = text ?? '';
    $('camera-alert').hidden = !text;
  }

  private join(): void {
    const input = $<HTMLInputElement>('guest-name');
    const name = input.value.trim();
    if (!name || !NAME_PATTERN.test(name)) {
      input.setAttribute('aria-invalid', 'true');
      this.setJoinError(name ? 'Use at most 80 characters for your name.' : 'Type your name so the others know who you are.');
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    this.setJoinError(undefined);
    const button = $<HTMLButtonElement>('join-button');
    button.disabled = true;
    button.textContent = 'Joining…';

    const client = new SignalingClient(socketUrl(window.location.origin));
    this.client = client;
    this.mesh = new PeerMesh(client, this.stream, {
      onRemoteStream: (peerId, stream) => this.tiles.get(peerId)?.tile.setStream(stream),
      onPeerClosed: (peerId) => this.tiles.get(peerId)?.tile.setStream(undefined),
    });
    void this.mesh.setSendingVideo(this.sending);
    client.on('guest.code', (m) => this.showCode(m.code, m.expiresAt, m.extensionsLeft));
    client.on('session.joined', (m) => this.joined(m));
    client.on('peer.joined', (m) => this.upsert(m.link.peer));
    client.on('pair.reset', (m) => this.upsert(m.link.peer));
    client.on('peer.left', (m) => this.removeTile(m.peerId));
    client.on('peer.away', (m) => this.tiles.get(m.peerId)?.tile.setAway(true));
    client.on('peer.back', (m) => this.tiles.get(m.peerId)?.tile.setAway(false));
    client.on('peer.media', (m) => this.peerMedia(m.peerId, m.media));
    client.on('guest.removed', () => {
      this.teardown();
      this.finish('You were removed from the session', 'The agent removed you from this session. You can close this page.');
    });
    client.on('session.ended', (m) => {
      this.teardown();
      this.finish('The session has ended', ENDED_TEXT[m.reason] ?? 'The session is over. You can close this page.');
    });
    client.on('error', (m) => this.error(m));
    client.onStateChange = (state, detail) => {
      if (this.client !== client) return;
      if (state === 'reconnecting' && this.screen === 'call') this.setCallStatus('Connection lost. Reconnecting…');
      if (state !== 'closed') return;
      this.teardown();
      if (detail === 'session ended') this.finish('The session has ended', 'The session is over. You can close this page.');
      else if (this.screen === 'code') this.backToJoin('The connection was lost before you were let in. Click Join to get a new code.');
      else if (this.screen === 'call') this.finish('Disconnected', 'The connection to the session was lost. Open the link again to ask to rejoin.');
    };
    client.connect({ type: 'guest.request', invite: this.invite, name });
  }

  private setJoinError(text: string | undefined): void {
    $('join-error').textContent = text ?? '';
    $('join-error').hidden = !text;
  }

  private backToJoin(error: string): void {
    const button = $<HTMLButtonElement>('join-button');
    button.disabled = false;
    button.textContent = 'Join';
    this.show('join');
    this.setJoinError(error);
  }

  // --- the code ----------------------------------------------------------------------------------------------

  private showCode(code: string, expiresAt: number, extensionsLeft: number): void {
    // Trust the server's period, not the two clocks agreeing.
    const first = this.screen !== 'code';
    this.codeExpiresAt = Date.now() + Math.max(0, expiresAt - Date.now());
    $('guest-code').textContent = spaced(code);
    $('guest-code').setAttribute('aria-label', `Your code: ${code.split('').join(' ')}`);
    const more = $<HTMLButtonElement>('more-time');
    more.disabled = extensionsLeft <= 0;
    $('extensions-left').textContent =
      extensionsLeft > 0
        ? `You can ask for more time ${extensionsLeft} more ${extensionsLeft === 1 ? 'time' : 'times'}.`
        : 'No more extensions are available. If the code runs out, ask the agent for a new link.';
    this.setCodeAlert(undefined);
    this.show('code');
    this.tick();
    clearInterval(this.countdown);
    this.countdown = setInterval(() => this.tick(), 1000);
    $('code-status').textContent = first ? 'Waiting for the agent to let you in…' : 'You have more time. Waiting for the agent to let you in…';
    if (first) $('guest-code-heading').focus();
  }

  private tick(): void {
    const left = this.codeExpiresAt - Date.now();
    const expired = left <= 0;
    $('code-box').classList.toggle('expired', expired);
    $('countdown').textContent = expired ? 'This code has run out. Click More time to keep it.' : `Expires in ${clock(left)}`;
    if (expired) clearInterval(this.countdown);
  }

  private moreTime(): void {
    $<HTMLButtonElement>('more-time').disabled = true;
    this.client?.send({ type: 'guest.extend' });
  }

  private setCodeAlert(text: string | undefined): void {
    $('code-alert').textContent = text ?? '';
    $('code-alert').hidden = !text;
  }

  private cancel(): void {
    // Closing the socket withdraws the code.
    this.teardown();
    this.backToJoin('');
    this.setJoinError(undefined);
  }

  // --- in the call -------------------------------------------------------------------------------------------

  private joined(m: SessionJoined): void {
    clearInterval(this.countdown);
    this.selfId = m.self.id;
    this.paused = m.self.media.paused;
    this.mesh?.setIceServers(m.iceServers);
    void this.mesh?.setSendingVideo(this.sending);
    if (m.resumed) {
      // Whoever left while we were disconnected is gone.
      const present = new Set(m.peers.map((link) => link.peer.id));
      for (const id of [...this.tiles.keys()]) if (!present.has(id)) this.removeTile(id);
    }
    for (const link of m.peers) this.upsert(link.peer);
    this.mesh?.sync(m.peers, m.resumed);
    if (!m.resumed) {
      // The server starts everyone with video on; tell it if ours is off (or there is no camera).
      if (!this.sending && !this.paused) this.client?.send({ type: 'media.set', video: false });
      this.selfTile.setStream(this.stream);
      $('tiles').append(this.selfTile.element);
      this.show('call');
      $('call-heading').focus();
    }
    this.renderVideoControls();
    this.renderSelf();
    const agent = [...this.tiles.values()].find((t) => t.info.role === 'agent');
    this.setCallStatus(m.resumed ? 'Reconnected.' : `You are in the session${agent ? ` with ${agent.tile.displayName}` : ''}.`);
    this.slider?.update();
  }

  private upsert(info: PeerInfo): void {
    let entry = this.tiles.get(info.id);
    if (!entry) {
      entry = { info, tile: new ParticipantTile(info.id, info.role, info.name, { tag: 'li' }) };
      this.tiles.set(info.id, entry);
      // Others before our own preview, which stays last.
      $('tiles').insertBefore(entry.tile.element, this.selfTile.element.parentElement ? this.selfTile.element : null);
      if (this.screen === 'call' && info.role === 'guest') this.setCallStatus(`${entry.tile.displayName} joined.`);
    }
    entry.info = info;
    entry.tile.setName(info.name);
    entry.tile.setMedia(info.media);
    this.slider?.update();
  }

  private removeTile(peerId: string): void {
    const entry = this.tiles.get(peerId);
    if (!entry) return;
    this.tiles.delete(peerId);
    entry.tile.destroy();
    this.setCallStatus(`${entry.tile.displayName} left the session.`);
    this.slider?.update();
  }

  private peerMedia(peerId: string, media: MediaState): void {
    if (peerId === this.selfId) {
      const wasPaused = this.paused;
      this.paused = media.paused;
      void this.mesh?.setSendingVideo(this.sending);
      this.renderVideoControls();
      this.renderSelf();
      if (wasPaused !== this.paused) {
        $('paused-note').hidden = !this.paused;
        if (!this.paused) this.setCallStatus('The agent turned your video back on.');
      }
      return;
    }
    const entry = this.tiles.get(peerId);
    if (!entry) return;
    entry.info = { ...entry.info, media };
    entry.tile.setMedia(media);
  }

  /** Whether our camera goes out: our own switch, the agent's pause, and a camera to send. */
  private get sending(): boolean {
    return this.videoOn && !this.paused && !!this.stream;
  }

  private toggleVideo(): void {
    if (this.paused || !this.stream) return;
    this.videoOn = !this.videoOn;
    void this.mesh?.setSendingVideo(this.sending);
    if (this.screen === 'call') this.client?.send({ type: 'media.set', video: this.videoOn });
    this.renderVideoControls();
    this.renderSelf();
  }

  private renderVideoControls(): void {
    for (const id of ['video-toggle', 'call-video-toggle']) {
      const button = $<HTMLButtonElement>(id);
      button.replaceChildren(icon('camera'), el('span', {}, this.videoOn ? 'Turn video off' : 'Turn video on'));
      button.disabled = this.paused || !this.stream;
    }
    this.preview.setMedia({ video: this.videoOn && !!this.stream, paused: false });
    if (!this.stream) this.preview.setNote(this.cameraProblem ? 'Camera not available' : 'Starting your camera…');
    else this.preview.setNote(undefined);
  }

  private renderSelf(): void {
    this.selfTile.setMedia({ video: this.videoOn && !!this.stream, paused: this.paused });
    this.selfTile.setNote(this.stream ? undefined : 'No camera');
  }

  private toggleSize(): void {
    const button = $('size-toggle');
    const small = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(small));
    $('participants').dataset.size = small ? 'small' : 'large';
    this.slider?.setSmall(small);
  }

  private hangUp(): void {
    this.client?.send({ type: 'session.leave' });
    this.teardown();
    this.finish('You left the session', 'You hung up. The others can carry on without you. You can close this page.');
  }

  private setCallStatus(text: string): void {
    $('call-status').textContent = text;
  }

  // --- errors and endings ------------------------------------------------------------------------------------

  private error(m: ErrorMessage): void {
    if (isBackgroundError(m)) return;
    if (this.screen === 'join' || m.inReplyTo === 'guest.request') {
      this.teardown();
      const text =
        m.code === ErrorCode.InvalidInvite
          ? 'This guest link no longer works. Ask the agent for a new link.'
          : m.code === ErrorCode.SessionFull
            ? 'The session is full, so no one else can join right now. Try again later or ask the agent.'
            : m.code === ErrorCode.SessionEnded
              ? 'This session has already ended.'
              : m.message;
      this.backToJoin(text);
      return;
    }
    if (this.screen === 'code') {
      if (m.inReplyTo === 'guest.extend') $<HTMLButtonElement>('more-time').disabled = m.code === ErrorCode.NoExtensionsLeft;
      this.setCodeAlert(m.code === ErrorCode.NoExtensionsLeft ? 'No more time can be added. If the code runs out, ask the agent for a new link.' : m.message);
      return;
    }
    if (m.code === ErrorCode.VideoPaused) {
      this.paused = true;
      this.renderVideoControls();
      $('paused-note').hidden = false;
      return;
    }
    this.setCallStatus(m.message);
  }

  /** Stops the call on this page: socket, connections, camera, countdown. */
  private teardown(): void {
    clearInterval(this.countdown);
    const client = this.client;
    this.client = undefined;
    client?.close();
    this.mesh?.destroy();
    this.mesh = undefined;
    for (const { tile } of this.tiles.values()) tile.destroy();
    this.tiles.clear();
    this.selfTile.element.remove();
    if (this.screen === 'call') {
      stopStream(this.stream);
      this.stream = undefined;
    }
  }

  private finish(title: string, text: string): void {
    stopStream(this.stream);
    this.stream = undefined;
    this.preview.setStream(undefined);
    this.selfTile.setStream(undefined);
    $('done-title').textContent = title;
    $('done-text').textContent = text;
    this.show('done');
    $('done-title').focus();
  }

  private show(screen: Screen): void {
    this.screen = screen;
    for (const s of ['join', 'code', 'call', 'done'] as const) $(`screen-${s}`).hidden = s !== screen;
  }
}

void new GuestPage().start();
