/* The live view replays a stream that comes from the customer's browser, so an event rrweb cannot apply must cost
 * that one event, never the view. Left alone, one would: the replayer applies live events from a timer that re-arms
 * its animation frame only after running every action due, so an action that throws stops the timer, and the view,
 * for good. */

/** rrweb's event types: DomContentLoaded, Load, FullSnapshot, IncrementalSnapshot, Meta, Custom, Plugin. */
const EVENT_TYPES: ReadonlySet<unknown> = new Set([0, 1, 2, 3, 4, 5, 6]);

export interface ReplayEvent {
  type: number;
  timestamp: number;
  data: { width?: number; height?: number; source?: number };
}

/** The envelope every rrweb event has: a known type, a time, and its data as an object. */
export function isReplayEvent(value: unknown): value is ReplayEvent {
  const event = value as Partial<ReplayEvent> | null;
  return (
    typeof event === 'object' &&
    event !== null &&
    EVENT_TYPES.has(event.type) &&
    typeof event.timestamp === 'number' &&
    Number.isFinite(event.timestamp) &&
    typeof event.data === 'object' &&
    event.data !== null
  );
}

interface TimedAction {
  doAction(): void;
  delay: number;
}

/** Runs each of the timer's actions (one event applied) so that one that throws is reported and the rest go on. */
export function guardTimer(timer: { addAction(action: TimedAction): void }, failed: (err: unknown) => void): void {
  const addAction = timer.addAction.bind(timer);
  timer.addAction = (action) =>
    addAction({
      ...action,
      doAction: () => {
        try {
          action.doAction();
        } catch (err) {
          failed(err);
        }
      },
    });
}
