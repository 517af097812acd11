import type { BusPayload } from '../bus/bus';
import type { FeedReceiver, FeedSocket } from '../signaling/participantFeeds';

/* The visitor's page stream on its way to one agent's socket. A batch of events may come in several parts; each
 * payload on the agent's co-browse channel starts with a mark: S for the first part of a full snapshot (a replay can
 * start there), D for the first part of an increment, C for any later part of either. */

const SNAPSHOT = 'S';
const INCREMENT = 'D';
const CONTINUATION = 'C';
const DRAIN_POLL_MS = 100;

/** The payload for the agents' channel: the mark, then the message as the agent receives it. */
export function streamPayload(part: { snapshot: boolean; part: number }, wire: string): string {
  return (part.part > 0 ? CONTINUATION : part.snapshot ? SNAPSHOT : INCREMENT) + wire;
}

/** A slow agent socket does not buffer without bound: it drops the stream, waits for its socket to drain, then asks
 * the visitor for a fresh snapshot and picks up again from that snapshot.
 *
 * Batches are kept whole: whether a batch goes out is decided at its first part, and its later parts follow that
 * decision. A batch cut in the middle is useless to the agent, and a snapshot larger than the limit would otherwise
 * be cut every time it was sent, asked for again and cut again, without end. So the socket may hold the limit plus
 * one batch, which the session's co-browse budget (cobrowse.burstBytes) bounds. */
export class StreamChannel implements FeedReceiver {
  /** Set once this socket fell behind: events are dropped until the next full snapshot. */
  private blocked = false;
  /** Whether the later parts of the batch under way go out: the decision taken at its first part. */
  private sendingBatch = false;
  private drainTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: FeedSocket,
    /** How much may wait on the socket before the stream is dropped (cobrowse.agentBufferBytes). */
    private readonly limitBytes: number,
    private readonly askForSnapshot: () => void,
  ) {}

  receive(bytesOrText: BusPayload): void {
    const payload = bytesOrText.toString();
    const mark = payload[0];
    if (mark === CONTINUATION) {
      if (this.sendingBatch) this.socket.sendRaw(payload.slice(1));
      return;
    }
    this.sendingBatch = this.mayStartBatch(mark === SNAPSHOT);
    if (this.sendingBatch) this.socket.sendRaw(payload.slice(1));
  }

  close(): void {
    clearInterval(this.drainTimer);
    this.drainTimer = undefined;
  }

  private mayStartBatch(snapshot: boolean): boolean {
    const fits = this.socket.bufferedAmount <= this.limitBytes;
    if (this.blocked && !(snapshot && fits)) return false;
    if (!fits) {
      this.blocked = true;
      this.waitForDrain(this.limitBytes / 2);
      return false;
    }
    this.blocked = false;
    return true;
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
