import { el } from './dom';

/* A remote participant's voice, played by an <audio> element of its own; their tile's <video> is muted and shows only
 * the picture. In Chromium a <video> whose stream has a video track that has not delivered a frame yet (a camera
 * that is off from the start, as an agent's is by default) stays at HAVE_NOTHING and plays none of the stream's sound
 * either: the customer would not hear the agent until the agent turned their camera on. An <audio> without controls
 * takes no room on the page. */
export class Voice {
  readonly element: HTMLAudioElement = el('audio', { autoplay: true });
  private stream: MediaStream | undefined;
  private readonly tracksChanged = () => {
    this.attach();
    this.changed();
  };

  /** `changed`: called when the stream gains or loses sound (the tile says whether they can be heard). */
  constructor(private readonly changed: () => void = () => {}) {}

  /** Their stream came without sound: their microphone is not in the call (blocked, missing or busy on their side). */
  get silent(): boolean {
    return !!this.stream && this.stream.getAudioTracks().length === 0;
  }

  /** Plays the stream's audio tracks (and those it gains later); undefined stops. */
  play(stream: MediaStream | undefined): void {
    if (stream === this.stream) return;
    this.stream?.removeEventListener('addtrack', this.tracksChanged);
    this.stream?.removeEventListener('removetrack', this.tracksChanged);
    this.stream = stream;
    stream?.addEventListener('addtrack', this.tracksChanged);
    stream?.addEventListener('removetrack', this.tracksChanged);
    this.attach();
  }

  private attach(): void {
    const tracks = this.stream?.getAudioTracks() ?? [];
    if (tracks.length === 0) {
      this.element.srcObject = null;
      return;
    }
    this.element.srcObject = new MediaStream(tracks);
    void this.element.play().catch(() => {
      /* autoplay may wait for a gesture; the element starts by itself once allowed */
    });
  }
}
