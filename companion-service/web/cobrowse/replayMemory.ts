/* rrweb's replayer, in live mode, keeps every event it is given for as long as it lives (it could replay them all
 * from the start), and nothing of the live view needs more than the page it shows. Measured in the console: each
 * full snapshot of a 3,000-element page left ~0.5 MB behind, and a customer's every page load is one. */

const FULL_SNAPSHOT = 2;
const META = 4;

/** Drops the events before the last full snapshot (and the Meta that comes with it): the replayed document holds all
 * of them already. In place: the replayer's own list. */
export function forgetEarlierPages(events: Array<{ type: number }>): void {
  let snapshot = events.length - 1;
  while (snapshot >= 0 && events[snapshot]!.type !== FULL_SNAPSHOT) snapshot--;
  const start = snapshot > 0 && events[snapshot - 1]!.type === META ? snapshot - 1 : snapshot;
  if (start > 0) events.splice(0, start);
}
