import type { ShareState } from '../../src/protocol/messages';
import { el } from './dom';
import type { SignalingClient } from './signalingClient';

/* The screen someone shares with us, in a large tile of its own labelled with whose it is. Shown while a share is on
 * and is not our own. Its stream comes over the peer connection (PeerMesh's onRemoteScreen), before or after the
 * share.state that names it. */

export class SharedScreenView {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly video: HTMLVideoElement;
  private readonly note: HTMLElement;
  private share: ShareState = { state: 'off' };
  private readonly arrived = new Map<string, MediaStream>();

  constructor(
    private readonly selfId: () => string | undefined,
    heading: 'h2' | 'h3' = 'h2',
  ) {
    this.title = el(heading, { class: 'shared-screen-title', id: 'shared-screen-title' });
    this.video = el('video', { autoplay: true, playsinline: true, 'data-testid': 'shared-screen-video' });
    this.video.muted = true;
    this.note = el('p', { class: 'shared-screen-note', role: 'status' });
    this.element = el(
      'section',
      {
        class: 'shared-screen',
        'aria-labelledby': 'shared-screen-title',
        'data-testid': 'shared-screen',
        hidden: true,
      },
      this.title,
      this.video,
      this.note,
    );
  }

  /** Follows the session's share as the server tells it; the stream comes from PeerMesh's onRemoteScreen. */
  follow(client: SignalingClient): void {
    client.on('share.state', (m) => this.setShare(m.share));
    client.on('session.joined', (m) => this.setShare(m.share ?? { state: 'off' }));
  }

  /** Whether someone else's screen is on show. */
  get showing(): boolean {
    return this.share.state === 'on' && this.share.sharerId !== this.selfId();
  }

  setShare(share: ShareState): void {
    this.share = share;
    if (share.state !== 'on') this.arrived.clear();
    this.render();
  }

  addStream(stream: MediaStream): void {
    this.arrived.set(stream.id, stream);
    this.render();
  }

  clear(): void {
    this.setShare({ state: 'off' });
  }

  private render(): void {
    const showing = this.showing;
    this.element.hidden = !showing;
    const stream = showing && this.share.streamId !== undefined ? this.arrived.get(this.share.streamId) : undefined;
    if (this.video.srcObject !== (stream ?? null)) {
      this.video.srcObject = stream ?? null;
      if (stream)
        void this.video.play().catch(() => {
          /* muted video may play without a gesture; it starts by itself once allowed */
        });
    }
    if (!showing) return;
    const name = this.share.name ?? 'Someone';
    this.title.textContent = `Screen shared by ${name}`;
    this.video.hidden = !stream;
    this.video.setAttribute('aria-label', `The screen ${name} is sharing`);
    this.note.textContent = stream ? '' : 'Connecting to the shared screen\u2026';
  }
}
