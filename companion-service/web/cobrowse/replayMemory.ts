/* rrweb's replayer, in live mode, keeps every event it is given for as long as it lives (it could replay them all
 * from the start), and nothing of the live view needs more than the page it shows. Measured in the console: each
 * full snapshot of a 3,000-element page left ~0.5 MB behind, and each change to a page ~250 bytes (an animation
 * makes dozens a second). In live mode the replayer reads its list only to place a new event in time order and for
 * its metadata; an event still to be shown is in its timer, which does not need the list. */

const FULL_SNAPSHOT = 2;
const META = 4;

/** How many shown changes may wait in the list before they are dropped together. Each drop moves what is left of the
 * list, so it happens once per this many: when the console catches up on a backlog (a window that was hidden, where
 * nothing is shown), tens of thousands of events are shown in a row, and a drop for each would cost their square. */
export const FORGET_SHOWN_AFTER = 500;

/** Called as the replayer shows each event (`shown`): at each new page, or once enough changes have been shown, drops
 * what the page on screen already holds. In place: the replayer's own list. */
export function forgetShownEvents(events: Array<{ type: number }>, shown: { type: number }): void {
  // Shown in time order, as the list is sorted: the event just shown is near the front, after those shown before it.
  const shownAt = events.indexOf(shown);
  if (shownAt < 0) return;
  if (shown.type === FULL_SNAPSHOT || shownAt > FORGET_SHOWN_AFTER) dropShown(events, shownAt);
}

/** Drops the events before the full snapshot the page on screen was built from (but the Meta that comes with it) and
 * the changes since then up to the one at `shownAt`. */
function dropShown(events: Array<{ type: number }>, shownAt: number): void {
  let snapshot = shownAt;
  while (snapshot >= 0 && events[snapshot]!.type !== FULL_SNAPSHOT) snapshot--;
  if (snapshot < 0) return;
  const start = snapshot > 0 && events[snapshot - 1]!.type === META ? snapshot - 1 : snapshot;
  events.splice(snapshot + 1, shownAt - snapshot);
  events.splice(0, start);
}
