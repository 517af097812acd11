/* Cross-instance fan-out behind one interface. Payloads are serialised (text, or text already encoded as UTF-8
 * bytes) so nothing but bytes crosses the boundary: the in-process bus and a Redis pub/sub bus carry exactly the
 * same bytes. A payload is read-only once published. */

/** Bytes are for the relay's hot path: a relayed signal is assembled from the sender's frame without decoding and
 * re-encoding it. */
export type BusPayload = string | Buffer;

export type BusHandler = (payload: BusPayload) => void;

/** One channel, named once and published to many times (the relay's hot path): an implementation may resolve the
 * name once instead of per message. */
export interface BusChannel {
  readonly name: string;
  publish(payload: BusPayload): Promise<void>;
}

export interface Bus {
  publish(channel: string, payload: BusPayload): Promise<void>;
  channel(name: string): BusChannel;
  /** Resolves once the subscription is active; the returned function removes it. */
  subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>>;
  /** The caller knows that, while `local`, no other instance follows the channel (a participant's socket is held
   * here): publishing then delivers to this process's subscribers only, when it has any, and skips the other
   * instances. Nothing changes for a bus that has no other instances. */
  keepLocal(channel: string, local: boolean): void;
  close(): Promise<void>;
}

/** Channel names, defined once. */
export const Channels = {
  /** Wire messages for one participant's socket, already serialised. */
  participant: (participantId: string) => `p:${participantId}`,
  /** Control instructions for one participant's socket (close, replace). */
  control: (participantId: string) => `c:${participantId}`,
  /** Presence changes of one logged-in visitor, for the agents who follow them. */
  presence: (visitorId: string) => `presence:${visitorId}`,
  /** The visitor's page stream for one agent: each payload is "S" (starts a full snapshot) or "D", then the wire
   * message. Kept apart from the participant channel so a slow agent can drop it without losing anything else. */
  cobrowse: (participantId: string) => `cb:${participantId}`,
  /** A live session's state after each commit, for the instances that have a socket in it (with Redis,
   * sessions/followedSessions.ts). */
  session: (sessionId: string) => `s:${sessionId}`,
  /** Messages for one portal tab (socket), e.g. the terms prompt. */
  tab: (connectionId: string) => `tab:${connectionId}`,
} as const;

/** What travels on a control channel. */
export interface ControlMessage {
  action: 'close';
  code: number;
  reason: string;
  /** Only this connection obeys; without it, every socket of the participant does. */
  connectionId?: string;
  /** Every socket of the participant but this connection obeys (their new one, after a resume on another instance). */
  except?: string;
}
