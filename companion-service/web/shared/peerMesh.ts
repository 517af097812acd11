import SimplePeer from 'simple-peer';
import type { IceServer, PeerLink, Role, ShareState, SignalData } from '../../src/protocol/messages';
import { attachTracks, reserveSenders } from './mediaLater';
import { ScreenSender } from './screenSender';
import type { SignalingClient } from './signalingClient';
import { canCall } from './webrtc';

interface PeerEntry {
  peer: SimplePeer.Instance;
  gen: number;
  /** Whether we make the offer; the initiating side is also the one that asks for a restart. */
  initiator: boolean;
  /** Set when we destroyed it on purpose, so its close does not trigger a restart. */
  retired: boolean;
  /** The sender carrying our camera, remembered because it has no track while video is off. */
  videoSender?: RTCRtpSender;
  role: Role;
  /** Our shared screen on this connection. */
  screen: ScreenSender;
  /** The peer's camera stream: its first stream that is not the screen being shared. */
  cameraStreamId?: string;
  /** Streams besides the camera not yet named by a share (a screen whose share.state is still on its way). */
  otherStreams: Map<string, MediaStream>;
  /** From the peer's first signal until connected (see CONNECT_DEADLINE_MS). */
  connectDeadline?: ReturnType<typeof setTimeout>;
  /** Made while our camera and microphone were opening: their tracks go on its reserved senders (mediaLater.ts). */
  mediaLater?: boolean;
  /** Runs what waits for our offer or answer to leave (see afterSignalled); undefined once it has. */
  pendingSignal?: Array<() => void>;
}

/** How long a connection may stay unconnected once both ends exist (the peer has signalled) before both sides say
 * so and the initiating side asks the server to start the pair over. A connection with no candidate pair at all
 * (every TURN allocation refused, a signal lost) never fails in Chrome: it stays 'new' for ever. Starting over also
 * brings fresh TURN credentials (pair.reset). ICE over the slowest TURN (TLS) connects in a few seconds. */
const CONNECT_DEADLINE_MS = 15_000;

/** The longest a page holds back drawing a participant for our offer or answer to them (afterSignalled): either takes
 * a few tens of milliseconds once possible, and a connection that cannot make one must not keep them off the screen. */
const SIGNAL_WAIT_MS = 300;

export interface PeerMeshEvents {
  onRemoteStream(peerId: string, stream: MediaStream): void;
  onPeerClosed(peerId: string): void;
  /** The connection is up (ICE and DTLS done): media flows. Once per connection. */
  onPeerConnected?(peerId: string): void;
  /** The screen the peer is sharing with us arrived (the one the last share.state names). */
  onRemoteScreen?(peerId: string, stream: MediaStream): void;
  /** The connection is taking longer than it should (`slow`, CONNECT_DEADLINE_MS after the peer's first signal; the
   * pair is being started over), or it connected after that (not `slow`). */
  onSlowConnection?(peerId: string, slow: boolean): void;
}

/** A full mesh of simple-peer connections, one per other participant. The server decides who initiates each pair
 * and its generation; a pair whose connection fails is re-created through the server (simple-peer has no ICE
 * restart). */
export class PeerMesh {
  private readonly peers = new Map<string, PeerEntry>();
  /** Peers whose connection was said to be slow and has not connected since (across the pair's restarts). */
  private readonly slow = new Set<string>();
  private iceServers: IceServer[] = [];
  /** Our participant id: every signal names its sender, and the server relays only signals that name their own. */
  private selfId = '';
  /** Whether our camera track goes out. Off means the video sender carries no track at all: no frames, not black
   * frames, and no renegotiation (RTCRtpSender.replaceTrack). */
  private sendingVideo = true;
  /** Our camera and microphone are still opening: connections made meanwhile get them later (sendMediaLater). */
  private mediaPending = false;
  /** Our shared screen and the roles of the peers it goes to. */
  private screenOut: { stream: MediaStream; roles: readonly Role[] } | undefined;
  /** The stream id of the screen shared with us, while one is. */
  private screenIn: string | undefined;

  constructor(
    private readonly client: SignalingClient,
    private readonly localStream: MediaStream | undefined,
    private readonly events: PeerMeshEvents,
  ) {
    const joined = (self: { id: string; media: { webrtc?: false } }) => {
      this.selfId = self.id;
      // A browser that can't make calls tells the session once, as soon as it is in it: the others then know why
      // there is no video from it, and nobody tries to connect to it.
      if (!canCall() && self.media.webrtc !== false) client.send({ type: 'media.set', video: false, webrtc: false });
    };
    client.on('session.created', (m) => joined(m.self));
    client.on('session.joined', (m) => joined(m.self));
    client.on('signal', (m) => {
      const entry = this.peers.get(m.from);
      if (!entry || entry.gen !== m.gen) return;
      entry.peer.signal(m.data as SimplePeer.SignalData);
      this.armConnectDeadline(m.from, entry);
    });
    client.on('peer.joined', (m) => this.connect(m.link, m.iceServers));
    client.on('pair.reset', (m) => this.connect(m.link, m.iceServers));
    client.on('peer.left', (m) => this.remove(m.peerId));
    // A peer whose browser can't make calls said so after a connection to them was started (1-click: the agent's
    // console offers as the customer joins): it can never connect.
    client.on('peer.media', (m) => {
      if (m.media.webrtc === false && this.peers.has(m.peerId)) this.remove(m.peerId);
    });
    client.on('session.ended', () => this.destroy());
    client.on('share.state', (m) => this.screenShared(m.share));
    client.on('session.joined', (m) => this.screenShared(m.share ?? { state: 'off' }));
  }

  /** Connections made from now on, until localMediaReady, carry our camera and microphone once they are open
   * (shared/mediaLater.ts): call it before joining when they are still opening, where canSendMediaLater(). */
  sendMediaLater(): void {
    this.mediaPending = true;
  }

  /** Our camera and microphone are open (or failed: what there is goes out): their tracks go on every connection
   * made meanwhile. */
  async localMediaReady(): Promise<void> {
    this.mediaPending = false;
    await Promise.all([...this.peers.values()].map((entry) => this.attachLocalMedia(entry)));
  }

  setIceServers(servers: IceServer[]): void {
    this.iceServers = servers;
  }

  /** After joining or resuming: connect to every link; on a resume, keep pairs that are still connected and ask
   * the server to re-create the others. A pair still negotiating may have lost signals while the socket was away
   * (or was moving to another instance), and simple-peer would wait for them for ever. */
  sync(links: PeerLink[], resumed: boolean): void {
    for (const link of links) {
      const existing = this.peers.get(link.peer.id);
      if (!resumed) this.connect(link);
      else if (!canCall() || link.peer.media.webrtc === false) continue;
      else if (!existing?.peer.connected) this.client.send({ type: 'pair.restart', peerId: link.peer.id });
    }
  }

  /** Creates (or re-creates) the connection to one peer; `freshIceServers` (TURN credentials minted for this
   * connection) replace the ones we have, which may have expired. */
  connect(link: PeerLink, freshIceServers?: IceServer[]): void {
    if (freshIceServers) this.iceServers = freshIceServers;
    // What waited for the old connection's first signal (drawing the peer) waits for the new one's instead.
    const waiting = this.retire(link.peer.id);
    // No connection where either side can't make calls; the peer is still in the session (and drawn at once).
    if (!canCall() || link.peer.media.webrtc === false) {
      this.peers.delete(link.peer.id);
      return runSoon(waiting);
    }
    const peer = new SimplePeer({
      initiator: link.initiator,
      stream: this.localStream,
      trickle: true,
      config: { iceServers: this.iceServers as RTCIceServer[] },
      // Receive video even when we send none (e.g. no camera).
      offerOptions: { offerToReceiveAudio: true, offerToReceiveVideo: true },
    });
    const entry: PeerEntry = {
      peer,
      gen: link.gen,
      initiator: link.initiator,
      retired: false,
      role: link.peer.role,
      screen: new ScreenSender(peer, link.initiator),
      otherStreams: new Map(),
      pendingSignal: waiting,
    };
    this.peers.set(link.peer.id, entry);
    const pc = pcOf(peer);
    if (this.mediaPending && pc && this.localStream) {
      entry.mediaLater = true;
      reserveSenders(pc, this.localStream, link.initiator, () => {
        if (!this.mediaPending) void this.attachLocalMedia(entry);
      });
    }
    if (!this.sendingVideo) void this.applyVideo(entry);
    if (this.screenOut) this.applyScreen(entry);
    peer.on('signal', (data) => {
      this.client.send({
        type: 'signal',
        from: this.selfId,
        to: link.peer.id,
        gen: link.gen,
        data: data as SignalData,
      });
    });
    settleOnFirstSignal(peer, entry);
    // A stream comes as the peer's offer is applied, before our answer: it is handed on once the answer has left,
    // after the page has drawn the peer's tile (afterSignalled). Its frames need the connection, which needs the
    // answer.
    peer.on('stream', (stream: MediaStream) => {
      const handOn = () => {
        if (!entry.retired) this.streamArrived(link.peer.id, entry, stream);
      };
      if (entry.pendingSignal) entry.pendingSignal.push(handOn);
      else handOn();
    });
    this.whenTransportUp(peer, entry, () => this.events.onPeerConnected?.(link.peer.id));
    peer.on('connect', () => {
      clearTimeout(entry.connectDeadline);
      if (this.slow.delete(link.peer.id)) this.events.onSlowConnection?.(link.peer.id, false);
    });
    peer.on('error', () => {
      /* handled by close */
    });
    peer.on('close', () => {
      if (entry.retired) return;
      entry.retired = true;
      this.events.onPeerClosed(link.peer.id);
      // An unexpected close (ICE failure, remote page gone): ask the server to re-create the pair. The
      // initiator side asks; both would work, but one request is enough.
      if (link.initiator) this.client.send({ type: 'pair.restart', peerId: link.peer.id });
    });
  }

  /** Runs `up` once, when the connection's ICE and DTLS are done and media flows. simple-peer's own 'connect' comes
   * later, when its data channel has opened too: two more round trips between the peers (~300 ms on a slow mobile
   * network), which nothing waiting for the call needs. Browsers without connectionState get 'connect'. */
  private whenTransportUp(peer: SimplePeer.Instance, entry: PeerEntry, up: () => void): void {
    let done = false;
    const once = () => {
      if (done || entry.retired) return;
      done = true;
      up();
    };
    const pc = pcOf(peer);
    pc?.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'connected') once();
    });
    peer.once('connect', once);
  }

  /** Runs `then` once our side of the negotiation with this peer has left (our offer, or our answer to theirs), or
   * at once when it has or we have no connection to them. Pages draw a participant this way, and the peer's video
   * comes this way: each step of a negotiation waits for the page's main thread, and drawing a tile first put its
   * layout and paint (tens of milliseconds on a busy page) before our offer or answer. */
  afterSignalled(peerId: string, then: () => void): void {
    const waiting = this.peers.get(peerId)?.pendingSignal;
    if (waiting) waiting.push(then);
    else then();
  }

  /** Starts or stops sending our camera to every peer, now and for peers connected later. */
  async setSendingVideo(on: boolean): Promise<void> {
    this.sendingVideo = on;
    await Promise.all([...this.peers.values()].map((entry) => this.applyVideo(entry)));
  }

  /** Our camera's track went from `previous` to `next` in the local stream (background blur): every connection's
   * video sender carries `next` from now on, without renegotiation. */
  async replaceVideoTrack(previous: MediaStreamTrack, next: MediaStreamTrack): Promise<void> {
    await Promise.all(
      [...this.peers.values()].map(async (entry) => {
        const pc = pcOf(entry.peer);
        if (!pc || pc.connectionState === 'closed') return;
        entry.videoSender ??= pc.getSenders().find((s) => s.track === previous);
        if (this.sendingVideo) await entry.videoSender?.replaceTrack(next);
      }),
    );
  }

  private async attachLocalMedia(entry: PeerEntry): Promise<void> {
    const pc = pcOf(entry.peer);
    if (!entry.mediaLater || !pc || !this.localStream || pc.connectionState === 'closed') return;
    const videoSender = await attachTracks(pc, this.localStream, this.sendingVideo, () =>
      (entry.peer as SimplePeer.Instance & { negotiate(): void }).negotiate(),
    );
    entry.videoSender ??= videoSender;
  }

  private async applyVideo(entry: PeerEntry): Promise<void> {
    const pc = pcOf(entry.peer);
    const track = this.localStream?.getVideoTracks()[0];
    if (!pc || !track || pc.connectionState === 'closed') return;
    entry.videoSender ??= pc.getSenders().find((s) => s.track === track);
    await entry.videoSender?.replaceTrack(this.sendingVideo ? track : null);
  }

  /** Sends our shared screen to the peers with these roles, now and on connections made later; undefined stops it.
   * Call it once the server has accepted the share (share.start, share.answer). */
  shareScreen(stream: MediaStream | undefined, roles: readonly Role[] = []): void {
    this.screenOut = stream && { stream, roles };
    for (const entry of this.peers.values()) this.applyScreen(entry);
  }

  private applyScreen(entry: PeerEntry): void {
    const out = this.screenOut;
    if (!out || !out.roles.includes(entry.role)) return void entry.screen.stop().catch(ignore);
    // A new connection first finishes its own negotiation.
    if (entry.peer.connected) void entry.screen.send(out.stream).catch(ignore);
    else entry.peer.once('connect', () => this.applyScreen(entry));
  }

  private streamArrived(peerId: string, entry: PeerEntry, stream: MediaStream): void {
    if (stream.id === this.screenIn) return this.events.onRemoteScreen?.(peerId, stream);
    if (entry.cameraStreamId === undefined || entry.cameraStreamId === stream.id) {
      entry.cameraStreamId = stream.id;
      return this.events.onRemoteStream(peerId, stream);
    }
    entry.otherStreams.set(stream.id, stream);
  }

  private screenShared(share: ShareState): void {
    this.screenIn = share.state === 'on' ? share.streamId : undefined;
    const entry = share.sharerId !== undefined ? this.peers.get(share.sharerId) : undefined;
    const stream = this.screenIn !== undefined ? entry?.otherStreams.get(this.screenIn) : undefined;
    if (stream) this.events.onRemoteScreen?.(share.sharerId!, stream);
  }

  /** The RTCPeerConnection for a peer, for diagnostics. */
  connectionTo(peerId: string): RTCPeerConnection | undefined {
    const entry = this.peers.get(peerId);
    return entry && pcOf(entry.peer);
  }

  peerIds(): string[] {
    return [...this.peers.keys()];
  }

  /** The peer left, or can't make calls: what waited for our first signal to them runs now (a peer that is still in
   * the session is drawn, and the page shared with them, without a connection). */
  remove(peerId: string): void {
    runSoon(this.drop(peerId));
  }

  /** The session is over: nothing that waited runs. */
  destroy(): void {
    for (const id of [...this.peers.keys()]) this.drop(id);
  }

  /** Closes the connection to a peer and forgets it; returns what waited for its first signal. */
  private drop(peerId: string): Array<() => void> {
    const waiting = this.retire(peerId);
    this.peers.delete(peerId);
    this.slow.delete(peerId);
    this.events.onPeerClosed(peerId);
    return waiting;
  }

  /** Closes the connection to a peer, and hands back what waited for its first signal: that signal will not come, and
   * those waiting (the page drawing the peer, sharing the page with them) must not be dropped with it. */
  private retire(peerId: string): Array<() => void> {
    const entry = this.peers.get(peerId);
    if (!entry) return [];
    entry.retired = true;
    const waiting = entry.pendingSignal ?? [];
    entry.pendingSignal = undefined;
    clearTimeout(entry.connectDeadline);
    entry.peer.destroy();
    return waiting;
  }

  private armConnectDeadline(peerId: string, entry: PeerEntry): void {
    if (entry.connectDeadline !== undefined || entry.peer.connected) return;
    entry.connectDeadline = setTimeout(() => {
      if (entry.retired || entry.peer.connected) return;
      this.slow.add(peerId);
      this.events.onSlowConnection?.(peerId, true);
      if (entry.initiator) this.client.send({ type: 'pair.restart', peerId });
    }, CONNECT_DEADLINE_MS);
  }
}

/** Runs what waited for our first signal to this peer (afterSignalled) once it has left or SIGNAL_WAIT_MS passed.
 * A connection closed first drops it: the peer left, the session ended, or the pair is being made again (and the
 * page asked the new connection). */
function settleOnFirstSignal(peer: SimplePeer.Instance, entry: PeerEntry): void {
  const timer = setTimeout(settle, SIGNAL_WAIT_MS);
  function settle(): void {
    clearTimeout(timer);
    peer.removeListener('signal', settle);
    peer.removeListener('close', settle);
    // A retired connection has handed its waiters on (PeerMesh.retire).
    const waiting = entry.pendingSignal ?? [];
    entry.pendingSignal = undefined;
    // Out of simple-peer's event: the page's drawing must not run (or throw) inside the connection's own steps.
    runSoon(waiting);
  }
  peer.once('signal', settle);
  peer.once('close', settle);
}

/** Runs what waited, out of the current step (a connection's event, or the message that retired it). */
function runSoon(waiting: ReadonlyArray<() => void>): void {
  if (waiting.length === 0) return;
  queueMicrotask(() => {
    for (const then of waiting) then();
  });
}

const ignore = () => {
  /* the connection closed meanwhile: nothing more to send on it */
};

/** simple-peer's RTCPeerConnection (not in its types). */
function pcOf(peer: SimplePeer.Instance): RTCPeerConnection | undefined {
  return (peer as unknown as { _pc?: RTCPeerConnection })._pc;
}
