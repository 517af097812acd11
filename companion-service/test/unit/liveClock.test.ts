import { LiveClock } from '../../web/cobrowse/liveClock';

/* The live view's clock: each batch's last event is due when the batch arrives, whatever the visitor's clock says
 * and however late the first snapshot was. */

const batch = (...timestamps: number[]) => timestamps.map((timestamp) => ({ timestamp }));

describe('LiveClock', () => {
  it('makes the last event of every batch due on arrival, keeping the order inside the batch', () => {
    const clock = new LiveClock();
    // The visitor's clock is 1 000 000 ms behind, and the snapshot took 400 ms to arrive.
    const first = batch(5_000, 5_000, 5_002);
    const baseline = clock.retime(first, 1_005_402);
    // The first batch is due at once: its arrival is the baseline.
    expect(first.map((e) => e.timestamp)).toEqual([1_005_402, 1_005_402, 1_005_402]);
    expect(baseline).toBe(1_005_402);

    // A small change made 100 ms after the snapshot arrives 5 ms later: due at its arrival, not 400 ms after it.
    const next = batch(5_390, 5_400);
    clock.retime(next, 1_005_805);
    expect(next.map((e) => e.timestamp)).toEqual([1_005_795, 1_005_805]);
    // The baseline stays the first batch's.
    expect(clock.retime(batch(5_500), 1_005_900)).toBe(1_005_402);
  });

  it('never lets time go backwards, nor before the baseline', () => {
    const clock = new LiveClock();
    const baseline = clock.retime(batch(100, 200), 10_000);
    // A batch whose events span more than the time since the last one (mouse positions buffered by rrweb).
    const moves = batch(150, 300, 700);
    clock.retime(moves, 10_100);
    for (const e of moves) expect(e.timestamp).toBeGreaterThanOrEqual(10_000);
    expect(moves.map((e) => e.timestamp)).toEqual([10_000, 10_000, 10_100]);
    expect(baseline).toBe(10_000);
  });

  it('takes an empty batch without moving anything', () => {
    const clock = new LiveClock();
    expect(clock.retime([], 42)).toBe(42);
  });
});
