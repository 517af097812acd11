import { forgetEarlierPages } from '../../web/cobrowse/replayMemory';

const events = (...types: number[]) => types.map((type, i) => ({ type, i }));

describe("the live view's replayed events", () => {
  it('start at the last full snapshot, with its Meta', () => {
    const list = events(4, 2, 3, 3, 4, 2, 3);
    forgetEarlierPages(list);
    expect(list.map((e) => e.i)).toEqual([4, 5, 6]);
  });

  it('start at a full snapshot that came without a Meta', () => {
    const list = events(4, 2, 3, 2, 3, 3);
    forgetEarlierPages(list);
    expect(list.map((e) => e.i)).toEqual([3, 4, 5]);
  });

  it('are left alone without an earlier page to forget', () => {
    for (const types of [[], [3, 3], [4, 2, 3], [2, 3]]) {
      const list = events(...types);
      forgetEarlierPages(list);
      expect(list).toEqual(events(...types));
    }
  });
});
