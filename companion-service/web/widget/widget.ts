import type { SessionCreated } from '../../src/protocol/messages';
import { CAMERA_HELP, CameraError, openCamera, stopStream } from '../shared/camera';
import { el, show, videoFor } from '../shared/dom';
import { PeerMesh } from '../shared/peerMesh';
import { SignalingClient, socketUrl } from '../shared/signalingClient';
import { WIDGET_CSS } from './styles';

/* The visitor widget: one <script src=".../widget.js"> on the customer's page. Code use case: start a session,
 * enable the camera, read the code to the agent, talk; hang up ends the session. */

const script = document.currentScript as HTMLScriptElement | null;
const serviceOrigin = new URL(script?.src ?? window.location.href).origin;

function formatCode(code: string): string {
  return code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

class VisitorWidget {
  private readonly root: ShadowRoot;
  private readonly launcher = el('button', { class: 'launcher', type: 'button' }, 'Start video session');
  private readonly panel = el('section', { class: 'panel', role: 'dialog', 'aria-label': 'Video session', hidden: true });
  private stream: MediaStream | undefined;
  private client: SignalingClient | undefined;
  private mesh: PeerMesh | undefined;

  constructor(host: HTMLElement) {
    this.root = host.attachShadow({ mode: 'open' });
    this.root.append(el('style', {}, WIDGET_CSS), this.launcher, this.panel);
    this.launcher.addEventListener('click', () => this.showCameraScreen());
  }

  /** Screen 1 of 2: the camera is not on yet. */
  private showCameraScreen(alert?: string): void {
    show(this.launcher, false);
    const enable = el('button', { class: 'primary', type: 'button' }, 'Enable camera');
    const cancel = el('button', { class: 'secondary', type: 'button' }, 'Cancel');
    enable.addEventListener('click', () => void this.enableCamera(enable));
    cancel.addEventListener('click', () => this.reset());
    this.render(
      el('h2', {}, 'Start a video session'),
      el('p', {}, 'Turn on your camera so the agent can see you. You will get a code to read to the agent.'),
      ...(alert ? [el('p', { class: 'alert', role: 'alert' }, alert)] : []),
      el('div', { class: 'row' }, cancel, enable),
    );
    enable.focus();
  }

  private async enableCamera(button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    button.textContent = 'Starting camera…';
    try {
      this.stream = await openCamera();
    } catch (err) {
      const problem = err instanceof CameraError ? err.problem : 'unknown';
      this.showCameraScreen(CAMERA_HELP[problem]);
      return;
    }
    this.startSession();
  }

  private startSession(): void {
    const status = el('p', { class: 'status', role: 'status' }, 'Getting your session code…');
    this.render(el('h2', {}, 'Video session'), el('div', { class: 'videos' }, videoFor(this.stream!, 'Your camera preview', true)), status);
    const client = new SignalingClient(socketUrl(serviceOrigin));
    this.client = client;
    this.mesh = new PeerMesh(client, this.stream, {
      onRemoteStream: (_peerId, remote) => this.showRemote(remote),
      onPeerClosed: () => undefined,
    });
    client.on('session.created', (m) => this.showPreviewWithCode(m));
    client.on('session.joined', (m) => {
      this.mesh!.setIceServers(m.iceServers);
      this.mesh!.sync(m.peers, m.resumed);
    });
    client.on('peer.joined', (m) => this.setStatus(m.link.peer.role === 'agent' ? `Connected to ${m.link.peer.name ?? 'your agent'}.` : 'Someone joined.'));
    client.on('session.ended', () => this.showEnded('The session has ended.'));
    client.on('error', (m) => this.setStatus(m.message));
    client.onStateChange = (state) => {
      if (state === 'reconnecting') this.setStatus('Connection lost. Reconnecting…');
      if (state === 'closed' && this.client === client) this.showEnded('The connection to the session was lost.');
    };
    client.connect({ type: 'visitor.start' });
  }

  private codeScreen: { status: HTMLElement; videos: HTMLElement } | undefined;

  /** Screen 2 of 2: the preview and the session code to read to the agent. */
  private showPreviewWithCode(m: SessionCreated): void {
    this.mesh!.setIceServers(m.iceServers);
    const status = el('p', { class: 'status', role: 'status' }, 'Waiting for the agent to join…');
    const videos = el('div', { class: 'videos' }, videoFor(this.stream!, 'Your camera preview', true));
    const hangUp = el('button', { class: 'hangup', type: 'button' }, 'Hang up');
    hangUp.addEventListener('click', () => this.hangUp());
    const minutes = Math.max(1, Math.round((m.codeExpiresAt - Date.now()) / 60000));
    this.render(
      el('h2', {}, 'Video session'),
      videos,
      el('p', {}, 'Read this code to your agent:'),
      el('p', { class: 'code', 'aria-label': `Session code ${m.code.split('').join(' ')}`, 'data-testid': 'session-code' }, formatCode(m.code)),
      el('p', { class: 'status' }, `The code is valid for ${minutes} minutes.`),
      status,
      el('div', { class: 'row' }, hangUp),
    );
    this.codeScreen = { status, videos };
  }

  private showRemote(stream: MediaStream): void {
    const videos = this.codeScreen?.videos;
    if (!videos) return;
    videos.querySelector('video[data-remote]')?.remove();
    const video = videoFor(stream, 'Agent video', false);
    video.dataset.remote = 'agent';
    videos.prepend(video);
  }

  private setStatus(text: string): void {
    if (this.codeScreen) this.codeScreen.status.textContent = text;
  }

  private hangUp(): void {
    this.client?.send({ type: 'session.leave' });
    this.showEnded('You hung up.');
  }

  private showEnded(text: string): void {
    this.teardown();
    const close = el('button', { class: 'primary', type: 'button' }, 'Close');
    close.addEventListener('click', () => this.reset());
    this.render(el('h2', {}, 'Session ended'), el('p', { role: 'status' }, text), el('div', { class: 'row' }, close));
    close.focus();
  }

  private teardown(): void {
    const client = this.client;
    this.client = undefined;
    client?.close();
    this.mesh?.destroy();
    this.mesh = undefined;
    stopStream(this.stream);
    this.stream = undefined;
    this.codeScreen = undefined;
  }

  private reset(): void {
    this.teardown();
    show(this.panel, false);
    show(this.launcher, true);
    this.launcher.focus();
  }

  private render(...children: Node[]): void {
    this.panel.replaceChildren(...children);
    show(this.panel, true);
  }
}

function mount(): void {
  if (document.getElementById('tandem-widget')) return;
  const host = el('div', { id: 'tandem-widget' });
  document.body.append(host);
  new VisitorWidget(host);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
else mount();
