import type { MediaState, Role } from '../../src/protocol/messages';
import { el } from './dom';
import { videoShows } from './sessionState';
import { Voice } from './voice';
import { canCall } from './webrtc';

/* A participant tile, used by the agent console and the guest page: the video (shown by the one rule, videoShows
 * in sessionState.ts), initials when it is not, the name and a short state line. The video is muted: another
 * participant's voice plays from an element of its own (voice.ts), whether or not their picture ever came. Names come
 * from people: they are only ever set as text. */

export type TileRole = Role | 'self';

const ON: MediaState = { video: true, paused: false };

export function displayName(role: TileRole, name: string | undefined): string {
  const trimmed = name?.trim();
  if (trimmed) return trimmed;
  switch (role) {
    case 'agent':
      return 'Agent';
    case 'visitor':
      return 'Customer';
    case 'guest':
      return 'Guest';
    default:
      return 'You';
  }
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const picked = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return (
    picked
      .map((w) => Array.from(w ?? '')[0] ?? '')
      .join('')
      .toUpperCase() || '?'
  );
}

export interface TileTexts {
  /** State line while the participant's own video switch is off. */
  cameraOff: string;
  /** State line while the agent has paused this participant's video. */
  paused: string;
}

const DEFAULT_TEXTS: TileTexts = { cameraOff: 'Camera off', paused: 'Video paused by the agent' };

export class ParticipantTile {
  readonly element: HTMLElement;
  readonly video: HTMLVideoElement;
  /** Buttons for this participant (e.g. the agent's Pause and Eject for a guest). */
  readonly controls: HTMLElement;
  readonly nameText: HTMLElement;
  private readonly stateText: HTMLElement;
  private readonly avatar: HTMLElement;
  private name: string;
  private media: MediaState = ON;
  private stream: MediaStream | undefined;
  /** Another participant's voice; none for our own tile (we don't play ourselves back). */
  private readonly voice: Voice | undefined;
  private away = false;
  /** The connection to them is taking longer than it should (PeerMesh's onSlowConnection). */
  private slow = false;
  /** A fixed state line that overrides the computed one (e.g. "Only you see this preview"). */
  private note: string | undefined;
  private readonly texts: TileTexts;

  constructor(
    readonly id: string,
    readonly role: TileRole,
    name: string | undefined,
    options: { tag?: 'li' | 'div'; texts?: Partial<TileTexts> } = {},
  ) {
    this.texts = { ...DEFAULT_TEXTS, ...options.texts };
    this.name = displayName(role, name);
    this.video = el('video', { autoplay: true, playsinline: true });
    this.video.muted = true;
    this.voice = role === 'self' ? undefined : new Voice(() => this.render());
    this.video.dataset.role = role;
    this.avatar = el('span', { class: 'avatar', 'aria-hidden': 'true' });
    this.nameText = el('span', { class: 'tile-name', id: `name-${role}-${id}` });
    this.stateText = el('span', { class: 'tile-state' });
    this.controls = el('div', { class: 'tile-controls' });
    this.element = el(
      options.tag ?? 'div',
      { class: `tile tile-${role}`, 'data-peer': id, 'data-role': role },
      this.video,
      this.avatar,
      el('div', { class: 'tile-caption' }, this.nameText, this.stateText),
      this.controls,
      ...(this.voice ? [this.voice.element] : []),
    );
    this.render();
  }

  get displayName(): string {
    return this.name;
  }

  get currentMedia(): MediaState {
    return this.media;
  }

  get showingVideo(): boolean {
    return !this.video.hidden;
  }

  setName(name: string | undefined): void {
    this.name = displayName(this.role, name);
    this.render();
  }

  setMedia(media: MediaState): void {
    this.media = media;
    this.render();
  }

  setStream(stream: MediaStream | undefined): void {
    this.stream = stream;
    this.voice?.play(stream);
    if (this.video.srcObject !== (stream ?? null)) {
      this.video.srcObject = stream ?? null;
      if (stream) {
        void this.video.play().catch(() => {
          /* autoplay may wait for a gesture; the element starts by itself once allowed */
        });
      }
    }
    this.render();
  }

  setAway(away: boolean): void {
    this.away = away;
    this.render();
  }

  setSlow(slow: boolean): void {
    this.slow = slow;
    this.render();
  }

  setNote(note: string | undefined): void {
    this.note = note;
    this.render();
  }

  destroy(): void {
    this.video.srcObject = null;
    this.voice?.play(undefined);
    this.element.remove();
  }

  private render(): void {
    const on = videoShows(this.media, !!this.stream);
    this.video.hidden = !on;
    this.video.setAttribute('aria-label', this.role === 'self' ? 'Your camera preview' : `Video of ${this.name}`);
    this.element.classList.toggle('video-off', !on);
    this.element.classList.toggle('paused', this.media.paused);
    this.avatar.textContent = initials(this.name);
    this.nameText.textContent = this.name;
    this.stateText.textContent = this.stateLine();
  }

  private stateLine(): string {
    if (this.note !== undefined) return this.note;
    if (this.away) return 'Connection dropped, waiting for them to come back';
    if (this.slow) return 'Still connecting. The network may be blocking video; trying again\u2026';
    if (this.media.webrtc === false) return 'Video calls are off in their browser';
    if (this.media.paused) return this.texts.paused;
    if (!this.media.video)
      return this.voice?.silent ? `${this.texts.cameraOff} \u00b7 No microphone` : this.texts.cameraOff;
    // Without calls in this browser nothing is connecting: the page says so once, not on every tile.
    if (!this.stream) return this.role === 'self' ? 'No camera' : canCall() ? 'Connecting…' : '';
    return this.voice?.silent ? 'No microphone' : '';
  }
}
