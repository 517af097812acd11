import type { ControlState, ErrorMessage, MediaState, PeerInfo, SessionCreated, SessionJoined } from '../../src/protocol/messages';
import { PeerMesh } from '../shared/peerMesh';
import type { SignalingClient } from '../shared/signalingClient';

/* One visitor session on the wire, without any UI: follows who is in the session and what the server says about
 * everyone's media, runs the peer mesh, and turns our own video on and off. Used by both flows: the code flow
 * (this object opens the socket with visitor.start) and 1-click connect (the presence socket is handed over and
 * the server answers the terms acceptance with session.joined); after a page load, either one is resumed with the
 * stored resume token. */

export interface SessionEvents {
  /** Code flow: the session exists and has a code to read out. */
  created(m: SessionCreated): void;
  /** 1-click join, or a resume after a dropped connection. */
  joined(m: SessionJoined): void;
  peerUpdated(peer: PeerInfo, isNew: boolean): void;
  peerLeft(peerId: string, reason: string): void;
  peerStream(peerId: string, stream: MediaStream | undefined): void;
  /** The peer connection to this participant is up. */
  peerConnected?(peerId: string): void;
  peerMedia(peerId: string, media: MediaState): void;
  peerAway(peerId: string, away: boolean): void;
  /** Our own video switch as the server rules it (or as we just set it). */
  selfMedia(videoOn: boolean): void;
  /** Remote control: the agent asks, it is on, or it is off again. `agentName` comes with a request. */
  controlState(state: ControlState, agentName?: string): void;
  connection(state: 'reconnecting' | 'restored'): void;
  ended(reason: string): void;
  error(m: ErrorMessage): void;
}

export class VisitorSession {
  readonly mesh: PeerMesh;
  private selfId: string | undefined;
  /** What the cobrowse recorder must mask on this site, besides password fields and [data-tandem-mask]. */
  maskSelectors: string[] = [];
  /** Where remote control stands, as the server last said. */
  control: ControlState = 'off';
  private readonly peers = new Map<string, PeerInfo>();
  private videoOn = true;
  private over = false;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    readonly client: SignalingClient,
    stream: MediaStream | undefined,
    private readonly events: SessionEvents,
  ) {
    this.mesh = new PeerMesh(client, stream, {
      onRemoteStream: (peerId, remote) => events.peerStream(peerId, remote),
      onPeerClosed: (peerId) => events.peerStream(peerId, undefined),
      onPeerConnected: (peerId) => events.peerConnected?.(peerId),
    });
    const on: SignalingClient['on'] = (type, handler) => {
      const off = client.on(type, handler);
      this.unsubscribe.push(off);
      return off;
    };
    on('session.created', (m) => {
      this.selfId = m.self.id;
      this.maskSelectors = m.maskSelectors ?? [];
      this.mesh.setIceServers(m.iceServers);
      this.adoptSelfMedia(m.self.media);
      events.created(m);
    });
    on('session.joined', (m) => {
      this.selfId = m.self.id;
      this.maskSelectors = m.maskSelectors ?? [];
      this.mesh.setIceServers(m.iceServers);
      for (const link of m.peers) this.track(link.peer);
      this.adoptSelfMedia(m.self.media);
      // On a resume, our mesh may have lost pairs: the mesh asks the server to re-create them.
      this.mesh.sync(m.peers, m.resumed);
      events.joined(m);
      if (m.control) {
        this.control = m.control;
        events.controlState(m.control);
      }
      if (m.resumed) events.connection('restored');
    });
    on('peer.joined', (m) => this.track(m.link.peer));
    on('pair.reset', (m) => this.track(m.link.peer));
    on('peer.left', (m) => {
      this.peers.delete(m.peerId);
      events.peerLeft(m.peerId, m.reason);
    });
    on('peer.away', (m) => events.peerAway(m.peerId, true));
    on('peer.back', (m) => events.peerAway(m.peerId, false));
    on('peer.media', (m) => {
      if (m.peerId === this.selfId) return this.adoptSelfMedia(m.media);
      const peer = this.peers.get(m.peerId);
      if (peer) peer.media = m.media;
      events.peerMedia(m.peerId, m.media);
    });
    on('control.state', (m) => {
      this.control = m.state;
      events.controlState(m.state, m.agentName);
    });
    on('session.ended', (m) => this.finish(m.reason));
    on('error', (m) => events.error(m));
    client.onStateChange = (state) => {
      if (this.over) return;
      if (state === 'reconnecting') events.connection('reconnecting');
      if (state === 'closed') this.finish('connection_lost');
    };
  }

  /** Code flow: opens the socket and asks for a new session. */
  startWithCode(): void {
    this.client.connect({ type: 'visitor.start' });
  }

  /** A page load in this tab: takes our seat back with the stored resume token; the server answers with
   * session.joined (resumed) or an error in reply to session.resume. */
  resume(resumeToken: string): void {
    this.client.connect({ type: 'session.resume', resumeToken });
  }

  get isVideoOn(): boolean {
    return this.videoOn;
  }

  /** Someone other than us is (or was) in the session. */
  get othersPresent(): boolean {
    return this.peers.size > 0;
  }

  agents(): PeerInfo[] {
    return [...this.peers.values()].filter((p) => p.role === 'agent');
  }

  /** Turns our camera on or off for everyone: no frames at all are sent while off. The server is told so the others
   * can show our name instead of a frozen picture. */
  setVideo(on: boolean): void {
    this.applyVideo(on);
    this.client.send({ type: 'media.set', video: on });
  }

  /** The visitor's answer to the agent's remote-control request. */
  answerControl(granted: boolean): void {
    this.client.send({ type: 'control.answer', granted });
  }

  /** The visitor takes control back. */
  releaseControl(): void {
    this.client.send({ type: 'control.release' });
  }

  hangUp(): void {
    this.client.send({ type: 'session.leave' });
    this.finish('visitor_hangup');
  }

  /** Stops everything without telling the server (it was told, or can't be). */
  close(): void {
    this.over = true;
    for (const off of this.unsubscribe.splice(0)) off();
    this.client.onStateChange = () => {};
    this.client.close();
    this.mesh.destroy();
  }

  private track(peer: PeerInfo): void {
    const isNew = !this.peers.has(peer.id);
    this.peers.set(peer.id, peer);
    this.events.peerUpdated(peer, isNew);
  }

  private adoptSelfMedia(media: MediaState | undefined): void {
    if (!media || media.video === this.videoOn) return;
    this.applyVideo(media.video);
  }

  private applyVideo(on: boolean): void {
    this.videoOn = on;
    void this.mesh.setSendingVideo(on);
    this.events.selfMedia(on);
  }

  private finish(reason: string): void {
    if (this.over) return;
    this.over = true;
    this.events.ended(reason);
  }
}
