import type { BusPayload } from '../bus/bus';

/* A feature's own bus channel per participant (co-browse's page stream), which the participant's socket follows from
 * attach until detach or close. The socket only subscribes and hands payloads over; what reaches the client, and
 * when, is the feature's. */

/** What a feed may do with the socket that follows it. */
export interface FeedSocket {
  /** Sends an already serialised server message as a text frame. */
  sendRaw(payload: BusPayload): void;
  /** Bytes queued on the socket and not yet sent. */
  readonly bufferedAmount: number;
  readonly isOpen: boolean;
}

export interface FeedReceiver {
  receive(payload: BusPayload): void;
  /** The socket stopped following the feed (detach, or it closed). */
  close(): void;
}

export interface ParticipantFeed {
  channel(participantId: string): string;
  open(socket: FeedSocket, participantId: string): FeedReceiver;
}
