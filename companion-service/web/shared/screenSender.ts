import type SimplePeer from 'simple-peer';

/* A shared screen on one simple-peer connection, sent as a second video beside the camera under the screen's own
 * stream id (receivers tell it from the camera by that id). The side that makes the offers adds the stream and
 * simple-peer renegotiates. The other side can't add a video line of its own in an answer: it asks the initiator for
 * one (simple-peer's transceiverRequest), then puts the screen on that transceiver and asks for another negotiation,
 * whose answer carries it. The transceiver is kept for the next share on the same connection. */

type Negotiable = SimplePeer.Instance & { negotiate(): void; _pc?: RTCPeerConnection };

export class ScreenSender {
  private transceiver: Promise<RTCRtpTransceiver | undefined> | undefined;
  private sent: MediaStream | undefined;

  constructor(
    private readonly peer: SimplePeer.Instance,
    private readonly initiator: boolean,
  ) {}

  async send(stream: MediaStream): Promise<void> {
    if (this.sent === stream) return;
    await this.stop();
    this.sent = stream;
    if (this.initiator) return this.peer.addStream(stream);
    const transceiver = await (this.transceiver ??= this.askForTransceiver());
    if (!transceiver || this.sent !== stream || this.peer.destroyed) return;
    await transceiver.sender.replaceTrack(stream.getVideoTracks()[0] ?? null);
    transceiver.sender.setStreams(stream);
    transceiver.direction = 'sendrecv';
    (this.peer as Negotiable).negotiate();
  }

  async stop(): Promise<void> {
    const stream = this.sent;
    this.sent = undefined;
    if (!stream || this.peer.destroyed) return;
    if (this.initiator) return this.peer.removeStream(stream);
    const transceiver = await this.transceiver;
    if (!transceiver || this.peer.destroyed) return;
    await transceiver.sender.replaceTrack(null);
    transceiver.direction = 'recvonly';
    (this.peer as Negotiable).negotiate();
  }

  /** The video transceiver the initiator's next offer adds for us (none if the connection closes first). */
  private askForTransceiver(): Promise<RTCRtpTransceiver | undefined> {
    const peer = this.peer as Negotiable;
    const pc = peer._pc;
    if (!pc) return Promise.resolve(undefined);
    const known = new Set(pc.getTransceivers());
    return new Promise((resolve) => {
      const done = (transceiver: RTCRtpTransceiver | undefined) => {
        peer.off('negotiated', look);
        peer.off('close', closed);
        resolve(transceiver);
      };
      const look = () => {
        const fresh = pc
          .getTransceivers()
          .find((t) => !known.has(t) && t.receiver.track.kind === 'video' && !t.sender.track);
        if (fresh) done(fresh);
      };
      const closed = () => done(undefined);
      peer.on('negotiated', look);
      peer.on('close', closed);
      peer.addTransceiver('video', { direction: 'sendrecv' });
    });
  }
}
