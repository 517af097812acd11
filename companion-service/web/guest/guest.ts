import { EndReason, ErrorCode } from '../../src/protocol/codes';
import type { ErrorMessage, SessionJoined } from '../../src/protocol/messages';
import { isBackgroundError } from '../shared/backgroundErrors';
import { el } from '../shared/dom';
import { icon } from '../shared/icons';
import { PeerMesh } from '../shared/peerMesh';
import { displayName } from '../shared/tiles';
import { participant, participantsWithRole, type SessionState } from '../shared/sessionState';
import { SessionStore } from '../shared/sessionStore';
import { SignalingClient, socketUrl } from '../shared/signalingClient';
import { canCall } from '../shared/webrtc';
import { CallView } from './callView';
import { CodeScreen } from './codeScreen';
import { GuestCamera } from './guestCamera';

/* The guest page, opened from the link an agent shares: the guest types a name, picks a camera, joins and gets a
 * code to read to the agent; once admitted they are in the call with everyone, until they hang up, the agent
 * removes them or the session ends. What the page knows about the session is the session state
 * (shared/sessionState.ts), one per attempt to join. */

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

type Screen = 'join' | 'code' | 'call' | 'done';

/** One attempt to join: its socket, connections and state. */
interface Attempt {
  client: SignalingClient;
  mesh: PeerMesh;
  store: SessionStore;
}

class GuestPage {
  private readonly invite = new URLSearchParams(window.location.hash.slice(1)).get('invite') ?? '';
  private readonly camera = new GuestCamera(() => this.renderVideoControls());
  /** The guest's own video switch. */
  private videoOn = true;
  private attempt: Attempt | undefined;
  private screen: Screen = 'join';
  private readonly code = new CodeScreen(() => this.attempt?.client.send({ type: 'guest.extend' }));
  private readonly call = new CallView();

  async start(): Promise<void> {
    if (!this.invite) {
      this.finish(
        'This link is incomplete',
        'Ask the agent to send you the guest link again, and open it exactly as it is.',
      );
      return;
    }
    // A guest sees and hears the others and is seen and heard, nothing else: without calls there is nothing to join.
    if (!canCall()) {
      this.finish(
        'Video calls are off in this browser',
        'This browser has video calls (WebRTC) turned off or does not have them. Open the guest link in a browser with video calls on.',
      );
      return;
    }
    $<HTMLFormElement>('join-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.join();
    });
    $('video-toggle').addEventListener('click', () => this.toggleVideo());
    $('cancel-join').addEventListener('click', () => this.cancel());
    $('hang-up').addEventListener('click', () => this.hangUp());
    $('call-video-toggle').addEventListener('click', () => this.toggleVideo());
    // Background blur turned on or off: the connections and our tile in the call follow.
    this.camera.onSwap = async (previous, next) => {
      await this.attempt?.mesh.replaceVideoTrack(previous, next);
      if (this.screen !== 'call') return;
      this.call.selfTile.setStream(undefined);
      this.call.selfTile.setStream(this.camera.stream);
    };
    this.renderVideoControls();
    this.show('join');
    $('guest-name').focus();
    await this.camera.open();
  }

  /** Set by the agent; only the agent can clear it. */
  private get paused(): boolean {
    return !!this.attempt?.store.state.self?.media.paused;
  }

  /** Whether our camera goes out: our own switch, the agent's pause, and a camera to send. */
  private get sending(): boolean {
    return this.videoOn && !this.paused && this.camera.hasCamera;
  }

  // --- before joining ----------------------------------------------------------------------------------------

  private async join(): Promise<void> {
    const input = $<HTMLInputElement>('guest-name');
    const name = input.value.trim();
    if (!name || !NAME_PATTERN.test(name)) {
      input.setAttribute('aria-invalid', 'true');
      this.setJoinError(
        name ? 'Use at most 80 characters for your name.' : 'Type your name so the others know who you are.',
      );
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    this.setJoinError(undefined);
    const button = $<HTMLButtonElement>('join-button');
    button.disabled = true;
    // The connections carry the stream the guest has as they join: a camera that opened later would never be sent,
    // though the page said it was on. A browser asking about the camera is answered (or dismissed) first.
    if (this.camera.isOpening) {
      button.textContent = 'Waiting for your camera…';
      $('join-status').textContent = 'Your camera is starting. If your browser asks about it, answer to go on.';
      await this.camera.settled();
      $('join-status').textContent = '';
    }
    button.textContent = 'Joining…';

    const client = new SignalingClient(socketUrl(window.location.origin));
    const mesh = new PeerMesh(client, this.camera.stream, {
      onRemoteStream: (peerId, stream) => this.streamChanged(peerId, stream),
      onPeerClosed: (peerId) => this.streamChanged(peerId, undefined),
      onRemoteScreen: (_peerId, stream) => this.call.sharedScreen.addStream(stream),
      onSlowConnection: (peerId, slow) => this.call.setSlow(peerId, slow),
    });
    this.call.sharedScreen.follow(client);
    const store = new SessionStore(client);
    this.attempt = { client, mesh, store };
    void mesh.setSendingVideo(this.sending);
    this.wire(store);
    client.connect({ type: 'guest.request', invite: this.invite, name });
  }

  private wire(store: SessionStore): void {
    store.on('guest.code', (_m, state) => {
      const first = this.screen !== 'code';
      if (state.admission) this.code.render(state.admission, first);
      this.show('code');
      if (first) $('guest-code-heading').focus();
    });
    store.on('session.joined', (m, state, prev) => this.joined(m, state, prev));
    store.on('peer.joined', (m) => this.showOnceSignalled(m.link.peer.id));
    store.on('pair.reset', (m) => this.showOnceSignalled(m.link.peer.id));
    store.on('peer.left', (m) => this.call.remove(m.peerId));
    store.on('peer.away', (m, state) => this.showParticipant(m.peerId, state));
    store.on('peer.back', (m, state) => this.showParticipant(m.peerId, state));
    store.on('peer.media', (m, state, prev) => {
      if (m.peerId === state.self?.id) return this.pauseChanged(state, prev);
      this.showParticipant(m.peerId, state);
    });
    store.on('guest.removed', () => {
      this.teardown();
      this.finish(
        'You were removed from the session',
        'The agent removed you from this session. You can close this page.',
      );
    });
    store.on('session.ended', (m) => {
      this.teardown();
      this.finish('The session has ended', ENDED_TEXT[m.reason] ?? 'The session is over. You can close this page.');
    });
    store.on('error', (m, state) => this.error(m, state));
    store.on('client.connection', (m) => {
      if (m.state === 'reconnecting' && this.screen === 'call') this.call.setStatus('Connection lost. Reconnecting…');
      if (m.state !== 'closed') return;
      this.teardown();
      if (m.detail === 'session ended')
        this.finish('The session has ended', 'The session is over. You can close this page.');
      else if (this.screen === 'code')
        this.backToJoin('The connection was lost before you were let in. Click Join to get a new code.');
      else if (this.screen === 'call')
        this.finish('Disconnected', 'The connection to the session was lost. Open the link again to ask to rejoin.');
    });
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

  private cancel(): void {
    // Closing the socket withdraws the code.
    this.teardown();
    this.backToJoin('');
    this.setJoinError(undefined);
  }

  // --- in the call -------------------------------------------------------------------------------------------

  private joined(m: SessionJoined, state: SessionState, prev: SessionState): void {
    this.code.stop();
    const mesh = this.attempt?.mesh;
    mesh?.setIceServers(m.iceServers);
    void mesh?.setSendingVideo(this.sending);
    // The connections first, so that offers are taken as they come; each participant is drawn once our answer to
    // them has left (PeerMesh.afterSignalled).
    mesh?.sync(m.peers, m.resumed);
    // Whoever left while we were disconnected is gone.
    for (const p of prev.participants) if (!participant(state, p.id)) this.call.remove(p.id);
    for (const p of state.participants) this.showOnceSignalled(p.id);
    if (!m.resumed) {
      // The server starts everyone with video on; tell it if ours is off (or there is no camera).
      if (!this.sending && !this.paused) this.attempt?.client.send({ type: 'media.set', video: false });
      this.call.enter(this.camera.stream);
      this.show('call');
      $('call-heading').focus();
    }
    this.renderVideoControls();
    this.renderSelf();
    const agent = participantsWithRole(state, 'agent')[0];
    const agentName = agent && displayName('agent', agent.name);
    this.call.setStatus(m.resumed ? 'Reconnected.' : `You are in the session${agentName ? ` with ${agentName}` : ''}.`);
  }

  /** Draws a participant once our offer or answer to them has left (PeerMesh.afterSignalled), from the state as it is
   * then. */
  private showOnceSignalled(peerId: string): void {
    const attempt = this.attempt;
    attempt?.mesh.afterSignalled(peerId, () => this.showParticipant(peerId, attempt.store.state));
  }

  private showParticipant(peerId: string, state: SessionState): void {
    const p = participant(state, peerId);
    if (p) this.call.show(p, this.screen === 'call');
  }

  private streamChanged(peerId: string, stream: MediaStream | undefined): void {
    if (this.call.setStream(peerId, stream))
      this.attempt?.store.dispatch({ type: 'client.stream', peerId, present: !!stream });
  }

  private pauseChanged(state: SessionState, prev: SessionState): void {
    void this.attempt?.mesh.setSendingVideo(this.sending);
    this.renderVideoControls();
    this.renderSelf();
    const paused = !!state.self?.media.paused;
    if (paused === !!prev.self?.media.paused) return;
    $('paused-note').hidden = !paused;
    if (!paused) this.call.setStatus('The agent turned your video back on.');
  }

  private toggleVideo(): void {
    if (this.paused || !this.camera.hasCamera) return;
    this.videoOn = !this.videoOn;
    void this.attempt?.mesh.setSendingVideo(this.sending);
    if (this.screen === 'call') {
      this.attempt?.store.dispatch({ type: 'client.video', video: this.videoOn });
      this.attempt?.client.send({ type: 'media.set', video: this.videoOn });
    }
    this.renderVideoControls();
    this.renderSelf();
  }

  private renderVideoControls(): void {
    for (const id of ['video-toggle', 'call-video-toggle']) {
      const button = $<HTMLButtonElement>(id);
      button.replaceChildren(icon('camera'), el('span', {}, this.videoOn ? 'Turn video off' : 'Turn video on'));
      button.disabled = this.paused || !this.camera.hasCamera;
    }
    this.camera.renderPreview(this.videoOn);
  }

  private renderSelf(): void {
    this.call.renderSelf(this.videoOn, this.camera.hasCamera, this.paused);
  }

  private hangUp(): void {
    this.attempt?.client.send({ type: 'session.leave' });
    this.teardown();
    this.finish('You left the session', 'You hung up. The others can carry on without you. You can close this page.');
  }

  // --- errors and endings ------------------------------------------------------------------------------------

  private error(m: ErrorMessage, state: SessionState): void {
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
    if (this.screen === 'code') return this.code.onError(m);
    if (m.code === ErrorCode.VideoPaused) {
      // The state now has us paused.
      this.renderVideoControls();
      $('paused-note').hidden = !state.self?.media.paused;
      return;
    }
    this.call.setStatus(m.message);
  }

  /** Stops the call on this page: socket, connections, countdown, and the camera once in the call. */
  private teardown(): void {
    this.code.stop();
    const attempt = this.attempt;
    this.attempt = undefined;
    attempt?.store.detach();
    attempt?.client.close();
    attempt?.mesh.destroy();
    this.call.clear();
    if (this.screen === 'call') this.camera.stop();
  }

  private finish(title: string, text: string): void {
    this.camera.stop();
    this.call.clear();
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
