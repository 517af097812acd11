/* Maps the visitor's event timestamps onto the agent's clock for rrweb's live replay. The replayer plays an event
 * `timestamp - baseline` after it started; with the visitor's own timestamps, every event would wait for as long as
 * the first batch spanned on the visitor's page (hundreds of ms, for good). Instead each batch is re-timed so that
 * its last event is due the moment the batch arrives: the live view shows changes on arrival, and clock
 * differences between the two machines cancel out. Times never go backwards and never before the baseline: rrweb
 * fast-forwards earlier events in a mode that holds back DOM changes and pointer moves. */

export interface TimedEvent {
  timestamp: number;
}

export class LiveClock {
  private floor = -Infinity;
  private baseline: number | undefined;

  /** Re-times one batch (in place) as it arrives at `now` (agent's clock); returns the replay baseline: the arrival
   * of the first batch, all of whose events are due at once. */
  retime(events: TimedEvent[], now: number): number {
    if (this.baseline === undefined) {
      this.baseline = now;
      this.floor = now;
    }
    const last = events.at(-1);
    if (last) {
      const shift = now - last.timestamp;
      for (const event of events) {
        const timestamp = Math.max(this.floor, event.timestamp + shift);
        event.timestamp = timestamp;
        this.floor = timestamp;
      }
    }
    return this.baseline;
  }
}
