import type {
  ControlState,
  ErrorMessage,
  MediaState,
  SessionCreated,
  SessionJoined,
} from '../../src/protocol/messages';
import { PeerMesh } from '../shared/peerMesh';
import {
  isSendingVideo,
  participant,
  participantsWithRole,
  type ParticipantState,
  type SessionState,
} from '../shared/sessionState';
import { SessionStore } from '../shared/sessionStore';
import type { SignalingClient } from '../shared/signalingClient';

/* One visitor session on the wire, without any UI: the session state (shared/sessionState.ts) fed by the socket,
 * the peer mesh, and our own video on and off; it tells the widget what changed. Used by both flows: the code flow
 * (this object opens the socket with visitor.start) and 1-click connect (the presence socket is handed over and the
 * server answers the terms acceptance with session.joined); after a page load, either one is resumed with the
 * stored resume token. */

export interface SessionEvents {
  /** Code flow: the session exists and has a code to read out. */
  created(m: SessionCreated): void;
  /** 1-click join, or a resume after a dropped connection. */
  joined(m: SessionJoined): void;
  peerUpdated(peer: ParticipantState, isNew: boolean): void;
  /** `peer` as it was. */
  peerLeft(peer: ParticipantState, reason: string): void;
  peerStream(peerId: string, stream: MediaStream | undefined): void;
  /** The screen someone shares with us arrived (visitorScreenShare.ts shows it). */
  remoteScreen?(stream: MediaStream): void;
  /** The peer connection to this participant is up. */
  peerConnected?(peerId: string): void;
  /** The connection to this participant is taking longer than it should (`slow`), or connected after that. */
  slowConnection?(peerId: string, slow: boolean): void;
  peerMedia(peerId: string, media: MediaState): void;
  peerAway(peer: ParticipantState): void;
  /** Our own video as the server rules it (or as we just set it): whether it goes out, and whether that is because
   * the agent paused it. */
  selfMedia(videoOn: boolean, pausedByAgent: boolean): void;
  /** Remote control: the agent asks, it is on, or it is off again. `agentName` comes with a request. */
  controlState(state: ControlState, agentName?: string): void;
  connection(state: 'reconnecting' | 'restored'): void;
  ended(reason: string): void;
  error(m: ErrorMessage): void;
}

/** Our video as the state has it; before the server has said, the camera goes out as usual. */
function videoOf(state: SessionState): boolean {
  return state.self ? isSendingVideo(state) : true;
}

export class VisitorSession {
  readonly mesh: PeerMesh;
  private readonly store: SessionStore;

  constructor(
    readonly client: SignalingClient,
    stream: MediaStream | undefined,
    private readonly events: SessionEvents,
  ) {
    this.mesh = new PeerMesh(client, stream, {
      onRemoteStream: (peerId, remote) => this.streamChanged(peerId, remote),
      onPeerClosed: (peerId) => this.streamChanged(peerId, undefined),
      onPeerConnected: (peerId) => events.peerConnected?.(peerId),
      onSlowConnection: (peerId, slow) => events.slowConnection?.(peerId, slow),
      onRemoteScreen: (_peerId, remote) => events.remoteScreen?.(remote),
    });
    const store = (this.store = new SessionStore(client));
    store.on('session.created', (m, state, prev) => {
      this.mesh.setIceServers(m.iceServers);
      this.videoChanged(state, prev);
      events.created(m);
    });
    // A participant is drawn once our offer or answer to them has left (PeerMesh.afterSignalled), from the state as
    // it is then.
    const linked = (peerId: string, prev: SessionState) => {
      const isNew = !participant(prev, peerId);
      this.mesh.afterSignalled(peerId, () => {
        const p = participant(store.state, peerId);
        if (p) events.peerUpdated(p, isNew);
      });
    };
    store.on('session.joined', (m, state, prev) => {
      this.mesh.setIceServers(m.iceServers);
      // The connections first, so that offers are taken as they come (on a resume, our mesh may have lost pairs:
      // the mesh asks the server to re-create them).
      this.mesh.sync(m.peers, m.resumed);
      for (const p of prev.participants) if (!participant(state, p.id)) events.peerLeft(p, 'left');
      for (const p of state.participants) linked(p.id, prev);
      this.videoChanged(state, prev);
      events.joined(m);
      events.controlState(m.control);
      if (m.resumed) events.connection('restored');
    });
    store.on('peer.joined', (m, _state, prev) => linked(m.link.peer.id, prev));
    store.on('pair.reset', (m, _state, prev) => linked(m.link.peer.id, prev));
    store.on('peer.left', (m, _state, prev) => {
      const p = participant(prev, m.peerId);
      if (p) events.peerLeft(p, m.reason);
    });
    const awayChanged = (peerId: string, state: SessionState) => {
      const p = participant(state, peerId);
      if (p) events.peerAway(p);
    };
    store.on('peer.away', (m, state) => awayChanged(m.peerId, state));
    store.on('peer.back', (m, state) => awayChanged(m.peerId, state));
    store.on('peer.media', (m, state, prev) => {
      if (m.peerId === state.self?.id) return this.videoChanged(state, prev);
      if (participant(state, m.peerId)) events.peerMedia(m.peerId, m.media);
    });
    store.on('control.state', (m) => events.controlState(m.state, m.agentName));
    store.on('client.video', (_m, state, prev) => this.videoChanged(state, prev));
    store.on('session.ended', (m) => events.ended(m.reason));
    store.on('client.left', (m) => events.ended(m.reason));
    store.on('error', (m) => events.error(m));
    store.on('client.connection', (m) => {
      if (m.state === 'reconnecting') events.connection('reconnecting');
      if (m.state === 'closed') events.ended('connection_lost');
    });
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

  get state(): SessionState {
    return this.store.state;
  }

  get isVideoOn(): boolean {
    return videoOf(this.store.state);
  }

  /** Someone other than us is in the session. */
  get othersPresent(): boolean {
    return this.store.state.participants.length > 0;
  }

  agents(): ParticipantState[] {
    return participantsWithRole(this.store.state, 'agent');
  }

  /** Someone else in the session, by id. */
  member(id: string): ParticipantState | undefined {
    return participant(this.store.state, id);
  }

  /** Turns our camera on or off for everyone: no frames at all are sent while off. The server is told so the others
   * can show our name instead of a frozen picture. */
  setVideo(on: boolean): void {
    this.store.dispatch({ type: 'client.video', video: on });
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
    this.store.dispatch({ type: 'client.left', reason: 'visitor_hangup' });
  }

  /** Stops everything without telling the server (it was told, or can't be). */
  close(): void {
    this.store.detach();
    this.client.close();
    this.mesh.destroy();
  }

  private streamChanged(peerId: string, stream: MediaStream | undefined): void {
    this.store.dispatch({ type: 'client.stream', peerId, present: !!stream });
    this.events.peerStream(peerId, stream);
  }

  private videoChanged(state: SessionState, prev: SessionState): void {
    const on = videoOf(state);
    const paused = !!state.self?.media.paused;
    if (on === videoOf(prev) && paused === !!prev.self?.media.paused) return;
    void this.mesh.setSendingVideo(on);
    this.events.selfMedia(on, paused);
  }
}
