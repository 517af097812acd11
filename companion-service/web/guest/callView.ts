import type { ParticipantState } from '../shared/sessionState';
import { SharedScreenView } from '../shared/sharedScreen';
import { ParticipantTile } from '../shared/tiles';
import { VideoSlider } from './slider';

/* The guest's call screen: a tile for everyone in the session (as the session state has them), the guest's own tile
 * last, the small/large video switch with its slider, and the status line. It keeps only the tiles. */

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class CallView {
  readonly selfTile = new ParticipantTile('self', 'self', 'You', {
    tag: 'li',
    texts: { cameraOff: 'Your video is off', paused: 'Paused by the agent' },
  });
  private readonly tiles = new Map<string, ParticipantTile>();
  private readonly slider = new VideoSlider($('tiles'));
  /** The agent's shared screen, large above the tiles while they share it (a guest never shares). */
  readonly sharedScreen = new SharedScreenView(() => undefined);

  constructor() {
    $('participants').before(this.sharedScreen.element);
    $('slider-slot').append(this.slider.controls);
    $('size-toggle').addEventListener('click', () => this.toggleSize());
  }

  /** Creates or updates a participant's tile; `announce` says a newly arrived guest joined. */
  show(p: ParticipantState, announce: boolean): void {
    let tile = this.tiles.get(p.id);
    if (!tile) {
      tile = new ParticipantTile(p.id, p.role, p.name, { tag: 'li' });
      this.tiles.set(p.id, tile);
      // Others before our own tile, which stays last.
      $('tiles').insertBefore(tile.element, this.selfTile.element.parentElement ? this.selfTile.element : null);
      if (announce && p.role === 'guest') this.setStatus(`${tile.displayName} joined.`);
    }
    tile.setName(p.name);
    tile.setMedia(p.media);
    tile.setAway(p.away);
    this.slider.update();
  }

  remove(peerId: string): void {
    const tile = this.tiles.get(peerId);
    if (!tile) return;
    this.tiles.delete(peerId);
    tile.destroy();
    this.setStatus(`${tile.displayName} left the session.`);
    this.slider.update();
  }

  nameOf(peerId: string): string | undefined {
    return this.tiles.get(peerId)?.displayName;
  }

  /** Whether the connection to this participant is taking longer than it should. */
  setSlow(peerId: string, slow: boolean): void {
    this.tiles.get(peerId)?.setSlow(slow);
  }

  setStream(peerId: string, stream: MediaStream | undefined): boolean {
    const tile = this.tiles.get(peerId);
    tile?.setStream(stream);
    return !!tile;
  }

  /** In the call: our own tile joins the others. */
  enter(stream: MediaStream | undefined): void {
    this.selfTile.setStream(stream);
    $('tiles').append(this.selfTile.element);
    this.slider.update();
  }

  renderSelf(videoOn: boolean, hasCamera: boolean, paused: boolean): void {
    this.selfTile.setMedia({ video: videoOn && hasCamera, paused });
    this.selfTile.setNote(hasCamera ? undefined : 'No camera');
  }

  setStatus(text: string): void {
    $('call-status').textContent = text;
  }

  /** Out of the call: every tile goes, media detached. */
  clear(): void {
    for (const tile of this.tiles.values()) tile.destroy();
    this.tiles.clear();
    this.selfTile.element.remove();
    this.selfTile.setStream(undefined);
    this.sharedScreen.clear();
  }

  private toggleSize(): void {
    const button = $('size-toggle');
    const small = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(small));
    $('participants').dataset.size = small ? 'small' : 'large';
    this.slider.setSmall(small);
  }
}
