import type { MediaState, PeerInfo, Role } from '../../src/protocol/messages';
import { el } from '../shared/dom';
import { videoShows } from '../shared/sessionState';
import { initials } from '../shared/tiles';
import { Voice } from '../shared/voice';
import { canCall } from '../shared/webrtc';

/* The video area: a tile per participant. A remote participant's video shows by the one rule (videoShows in
 * shared/sessionState.ts); otherwise their tile shows their initials and name. The media element stays attached
 * either way; it is muted, and a remote participant's voice plays from an element of its own (shared/voice.ts), whether
 * or not their picture ever came. Names come from people and are only ever set as text. */

interface Tile {
  figure: HTMLElement;
  video: HTMLVideoElement;
  nameText: HTMLElement;
  state: HTMLElement;
  avatarText: HTMLElement;
  role: Role | 'self';
  name: string;
  media: MediaState;
  hasStream: boolean;
  /** A remote participant's voice (none for our own preview). */
  voice?: Voice;
}

const ON: MediaState = { video: true, paused: false };

export function displayName(peer: Pick<PeerInfo, 'role' | 'name'>): string {
  const name = peer.name?.trim();
  if (name) return name;
  return peer.role === 'agent' ? 'Your agent' : peer.role === 'guest' ? 'Guest' : 'Visitor';
}

export class Stage {
  readonly element = el('div', { class: 'stage', id: 'tandem-stage' });
  private readonly tiles = new Map<string, Tile>();
  private self: Tile | undefined;

  /** Our own preview (muted). `videoOn` false shows the "camera off" tile instead of the preview. */
  setSelf(stream: MediaStream, videoOn: boolean): void {
    if (!this.self) {
      this.self = this.tile('self', 'You', 'Your camera preview');
      this.self.video.dataset.self = '';
      this.element.append(this.self.figure);
    }
    if (this.self.video.srcObject !== stream) attach(this.self.video, stream);
    this.self.hasStream = true;
    this.self.media = { video: videoOn, paused: false };
    this.render(this.self);
    this.layout();
  }

  upsertPeer(peer: PeerInfo): void {
    let tile = this.tiles.get(peer.id);
    const name = displayName(peer);
    if (!tile) {
      tile = this.tile(peer.role, name, `Video of ${name}`);
      tile.video.dataset.remote = peer.role;
      tile.figure.dataset.peer = peer.id;
      this.tiles.set(peer.id, tile);
      this.element.prepend(tile.figure);
    }
    tile.name = name;
    tile.nameText.textContent = name;
    tile.video.setAttribute('aria-label', `Video of ${name}`);
    tile.media = peer.media ?? ON;
    this.render(tile);
    this.layout();
  }

  setPeerMedia(peerId: string, media: MediaState): void {
    const tile = this.tiles.get(peerId);
    if (!tile) return;
    tile.media = media;
    this.render(tile);
  }

  setPeerStream(peerId: string, stream: MediaStream | undefined): void {
    const tile = this.tiles.get(peerId);
    if (!tile) return;
    if (stream) attach(tile.video, stream);
    else tile.video.srcObject = null;
    tile.voice?.play(stream);
    tile.hasStream = !!stream;
    this.render(tile);
  }

  /** The element playing a participant's video, if they have a tile. */
  videoOf(peerId: string): HTMLVideoElement | undefined {
    return this.tiles.get(peerId)?.video;
  }

  removePeer(peerId: string): void {
    const tile = this.tiles.get(peerId);
    if (!tile) return;
    tile.video.srcObject = null;
    tile.voice?.play(undefined);
    tile.figure.remove();
    this.tiles.delete(peerId);
    this.layout();
  }

  destroy(): void {
    for (const tile of [...this.tiles.values(), ...(this.self ? [this.self] : [])]) {
      tile.video.srcObject = null;
      tile.voice?.play(undefined);
    }
    this.tiles.clear();
    this.self = undefined;
    this.element.replaceChildren();
  }

  private tile(role: Tile['role'], name: string, videoLabel: string): Tile {
    const video = el('video', { autoplay: true, playsinline: true, 'aria-label': videoLabel });
    video.muted = true;
    const voice = role === 'self' ? undefined : new Voice(() => this.render(tile));
    const nameText = el('span', { class: 'tile-name' }, name);
    const state = el('span', { class: 'tile-state' });
    const avatarText = el('span', {}, initials(name));
    const avatar = el('div', { class: 'avatar', 'aria-hidden': 'true' }, avatarText);
    const figure = el(
      'figure',
      { class: `tile tile-${role}` },
      video,
      avatar,
      el('figcaption', {}, nameText, state),
      ...(voice ? [voice.element] : []),
    );
    const tile: Tile = { figure, video, nameText, state, avatarText, role, name, media: ON, hasStream: false, voice };
    return tile;
  }

  private render(tile: Tile): void {
    const on = videoShows(tile.media, tile.hasStream);
    tile.video.hidden = !on;
    tile.figure.classList.toggle('video-off', !on);
    tile.avatarText.textContent = initials(tile.name);
    const switchedOn = videoShows(tile.media, true); // as far as the server's media state goes
    tile.state.textContent = !switchedOn
      ? tile.media.webrtc === false
        ? ' · no video calls in their browser'
        : tile.media.paused
          ? ' · video paused'
          : ' · camera off'
      : tile.hasStream || !canCall()
        ? ''
        : ' · connecting';
    if (tile.voice?.silent) tile.state.textContent += ' · no microphone';
  }

  /** The agent's tile is the big one; before an agent is here, our own preview is. */
  private layout(): void {
    const agent = [...this.tiles.values()].find((t) => t.role === 'agent');
    const main = agent ?? (this.tiles.size === 0 ? this.self : undefined);
    for (const t of [...this.tiles.values(), ...(this.self ? [this.self] : [])])
      t.figure.classList.toggle('main', t === main);
    this.element.dataset.count = String(this.tiles.size + (this.self ? 1 : 0));
  }
}

function attach(video: HTMLVideoElement, stream: MediaStream): void {
  video.srcObject = stream;
  void video.play().catch(() => {
    /* autoplay may wait for a user gesture; the element retries on its own when allowed */
  });
}
