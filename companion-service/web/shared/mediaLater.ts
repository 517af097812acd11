/* A connection made before our camera and microphone are open (a real webcam takes from a few hundred milliseconds to
 * over a second): it is set up to send audio and video with no track yet, so that the call connects and we see and
 * hear the others meanwhile, and the tracks go on its senders when they are open (RTCRtpSender.replaceTrack), with no
 * renegotiation. The senders name our stream before they have a track (RTCRtpSender.setStreams), so that the others
 * see our tracks as one stream, as when they were there from the start. */

/** Whether this browser can name a sender's stream before it has a track. Without it, a page opens its camera
 * before it connects. */
export function canSendMediaLater(): boolean {
  return typeof RTCRtpSender !== 'undefined' && 'setStreams' in RTCRtpSender.prototype;
}

const KINDS = ['audio', 'video'] as const;

/** Makes `pc` (just created, nothing negotiated) send `stream`'s audio and video once they come. As the offerer it
 * adds a sending transceiver of each kind now. As the answerer it turns the first transceiver of each kind that the
 * peer's offer made into a sending one just before the first answer, the only moment that needs no renegotiation;
 * `answered` runs once that answer is made. */
export function reserveSenders(
  pc: RTCPeerConnection,
  stream: MediaStream,
  initiator: boolean,
  answered: () => void,
): void {
  if (initiator) {
    for (const kind of KINDS) pc.addTransceiver(kind, { direction: 'sendrecv', streams: [stream] });
    return;
  }
  const createAnswer = pc.createAnswer.bind(pc);
  pc.createAnswer = ((options?: RTCAnswerOptions) => {
    // Once: later answers (a shared screen) are made as they come.
    pc.createAnswer = createAnswer;
    for (const kind of KINDS) {
      const transceiver = pc
        .getTransceivers()
        .find((t) => t.direction !== 'stopped' && t.receiver.track.kind === kind && !t.sender.track);
      if (!transceiver || transceiver.direction !== 'recvonly') continue;
      transceiver.direction = 'sendrecv';
      transceiver.sender.setStreams(stream);
    }
    return createAnswer(options).finally(answered);
  }) as RTCPeerConnection['createAnswer'];
}

/** Puts `stream`'s tracks on the senders reserveSenders made (the video track only when `sendVideo`; off, the sender
 * is kept for later, with no track). A reserved audio sender left without a track (no microphone) stops sending:
 * the others take a stream without sound for a participant they can't hear, so `renegotiate` runs to tell them.
 * Returns the video sender, if there is one. */
export async function attachTracks(
  pc: RTCPeerConnection,
  stream: MediaStream,
  sendVideo: boolean,
  renegotiate: () => void,
): Promise<RTCRtpSender | undefined> {
  let videoSender: RTCRtpSender | undefined;
  const attached: Array<Promise<void>> = [];
  for (const kind of KINDS) {
    const transceiver = pc
      .getTransceivers()
      .find(
        (t) =>
          t.direction !== 'stopped' &&
          t.receiver.track.kind === kind &&
          (t.direction === 'sendrecv' || t.direction === 'sendonly'),
      );
    const track = kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
    if (transceiver && !track && kind === 'audio') {
      transceiver.direction = transceiver.direction === 'sendrecv' ? 'recvonly' : 'inactive';
      renegotiate();
    }
    if (!transceiver || !track || transceiver.sender.track) continue;
    if (kind === 'video') videoSender = transceiver.sender;
    if (kind === 'audio' || sendVideo) attached.push(transceiver.sender.replaceTrack(track));
  }
  await Promise.all(attached);
  return videoSender;
}
