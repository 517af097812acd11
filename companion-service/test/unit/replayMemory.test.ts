import { FORGET_SHOWN_AFTER, forgetShownEvents } from '../../web/cobrowse/replayMemory';

const META = 4;
const FULL_SNAPSHOT = 2;
const CHANGE = 3;
const events = (...types: number[]) => types.map((type, i) => ({ type, i }));
const ids = (list: Array<{ i: number }>) => list.map((e) => e.i);

describe("the live view's replayed events", () => {
  it('start at the full snapshot just shown, with its Meta', () => {
    const list = events(META, FULL_SNAPSHOT, CHANGE, CHANGE, META, FULL_SNAPSHOT, CHANGE);
    forgetShownEvents(list, list[5]!);
    expect(ids(list)).toEqual([4, 5, 6]);
  });

  it('start at a full snapshot that came without a Meta', () => {
    const list = events(META, FULL_SNAPSHOT, CHANGE, FULL_SNAPSHOT, CHANGE, CHANGE);
    forgetShownEvents(list, list[3]!);
    expect(ids(list)).toEqual([3, 4, 5]);
  });

  it('keep a full snapshot still to be shown, and what follows it', () => {
    const list = events(META, FULL_SNAPSHOT, CHANGE, META, FULL_SNAPSHOT, CHANGE);
    forgetShownEvents(list, list[1]!);
    expect(ids(list)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('lose the changes already shown once there are many, keeping the page and what is still to be shown', () => {
    const list = events(META, FULL_SNAPSHOT, ...Array<number>(FORGET_SHOWN_AFTER + 100).fill(CHANGE));
    const shown = list[FORGET_SHOWN_AFTER + 1]!;
    forgetShownEvents(list, shown);
    expect(ids(list).slice(0, 3)).toEqual([0, 1, FORGET_SHOWN_AFTER + 2]);
    expect(list).toHaveLength(2 + 100);
  });

  it('keep a few shown changes: dropping a few at a time would cost more than they weigh', () => {
    const list = events(META, FULL_SNAPSHOT, ...Array<number>(FORGET_SHOWN_AFTER * 2).fill(CHANGE));
    forgetShownEvents(list, list[FORGET_SHOWN_AFTER]!);
    expect(list).toHaveLength(FORGET_SHOWN_AFTER * 2 + 2);
  });

  it('are dropped in batches while a backlog is shown in a row, not once per event', () => {
    const backlog = 50_000;
    const list = events(META, FULL_SNAPSHOT, ...Array<number>(backlog).fill(CHANGE));
    const inOrder = [...list];
    let drops = 0;
    for (const event of inOrder.slice(2)) {
      const before = list.length;
      forgetShownEvents(list, event);
      if (list.length < before) {
        drops++;
        expect(before - list.length).toBeGreaterThanOrEqual(FORGET_SHOWN_AFTER);
      }
    }
    expect(drops).toBe(backlog / FORGET_SHOWN_AFTER);
    expect(ids(list).slice(0, 2)).toEqual([0, 1]);
    expect(list.length).toBeLessThanOrEqual(FORGET_SHOWN_AFTER + 2);
  });

  it('are left alone without a page to keep, or when the shown event is no longer in the list', () => {
    for (const types of [[CHANGE, CHANGE], Array<number>(FORGET_SHOWN_AFTER + 1).fill(CHANGE)]) {
      const list = events(...types);
      forgetShownEvents(list, list[1]!);
      expect(list).toEqual(events(...types));
    }
    const list = events(META, FULL_SNAPSHOT, ...Array<number>(FORGET_SHOWN_AFTER).fill(CHANGE));
    forgetShownEvents(list, { type: CHANGE });
    expect(list).toHaveLength(FORGET_SHOWN_AFTER + 2);
  });
});
