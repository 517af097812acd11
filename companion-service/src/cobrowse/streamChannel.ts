import type { BusPayload } from '../bus/bus';
import type { FeedReceiver, FeedSocket } from '../signaling/participantFeeds';

/* The visitor's page stream on its way to one agent's socket. Each payload on the agent's co-browse channel starts
 * with a mark: S for a full snapshot (a replay can start there), D for an increment. */

const SNAPSHOT = 'S';
const INCREMENT = 'D';
const SNAPSHOT_MARK = SNAPSHOT.charCodeAt(0);
const DRAIN_POLL_MS = 100;

/** The payload for the agents' channel: the mark, then the message as the agent receives it. */
export function streamPayload(snapshot: boolean, wire: string): string {
  return (snapshot ? SNAPSHOT : INCREMENT) + wire;
}

/** A slow agent socket does not buffer without bound: it drops the stream, waits for its socket to drain, then asks
 * the visitor for a fresh snapshot and picks up again from that snapshot. */
export class StreamChannel implements FeedReceiver {
  /** Set once this socket fell behind: events are dropped until the next full snapshot. */
  private blocked = false;
  private drainTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: FeedSocket,
    /** How much may wait on the socket before the stream is dropped (cobrowse.agentBufferBytes). */
    private readonly limitBytes: number,
    private readonly askForSnapshot: () => void,
  ) {}

  receive(bytesOrText: BusPayload): void {
    const payload = bytesOrText.toString();
    const startsSnapshot = payload.charCodeAt(0) === SNAPSHOT_MARK;
    if (this.blocked && !(startsSnapshot && this.socket.bufferedAmount <= this.limitBytes)) return;
    if (this.socket.bufferedAmount > this.limitBytes) {
      this.blocked = true;
      this.waitForDrain(this.limitBytes / 2);
      return;
    }
    this.blocked = false;
    this.socket.sendRaw(payload.slice(1));
  }

  close(): void {
    clearInterval(this.drainTimer);
    this.drainTimer = undefined;
  }

  private waitForDrain(threshold: number): void {
    if (this.drainTimer) return;
    this.drainTimer = setInterval(() => {
      if (!this.socket.isOpen) return this.close();
      if (this.socket.bufferedAmount > threshold) return;
      this.close();
      this.askForSnapshot();
    }, DRAIN_POLL_MS);
    this.drainTimer.unref();
  }
}
