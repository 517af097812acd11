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
    this.playNow();
  }

  /** Browsers keep sound for a page the person has clicked or typed in (a page capturing their camera or microphone is
   * spared). Someone with neither, who has not touched the page yet, hears the others from their first click or key:
   * a refused play() is not tried again by the browser itself. */
  private playNow(): void {
    void this.element.play().catch((err: unknown) => {
      if ((err as DOMException | undefined)?.name !== 'NotAllowedError') return;
      whenPersonActs(this.element.ownerDocument, () => {
        if (this.element.srcObject && this.element.paused) this.playNow();
      });
    });
  }
}

/** Runs `then` once, at the person's next press or key anywhere on the page. */
function whenPersonActs(doc: Document, then: () => void): void {
  const once = (e: Event) => {
    if (!e.isTrusted) return;
    doc.removeEventListener('pointerdown', once, true);
    doc.removeEventListener('keydown', once, true);
    then();
  };
  doc.addEventListener('pointerdown', once, true);
  doc.addEventListener('keydown', once, true);
}
