import { PingWheel } from '../../src/signaling/pingWheel';

describe('the liveness ping wheel', () => {
  it('visits every item exactly once per round of ticks, a slice at a time', () => {
    const visits: string[][] = [];
    let current: string[] = [];
    const wheel = new PingWheel<string>(4, (item) => current.push(item));
    for (let i = 0; i < 10; i++) wheel.add(`s${i}`);
    for (let round = 0; round < 2; round++) {
      for (let t = 0; t < 4; t++) {
        current = [];
        wheel.tick();
        visits.push(current);
      }
    }
    const firstRound = visits.slice(0, 4).flat().sort();
    expect(firstRound).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`).sort());
    // No tick walks everything: 10 items over 4 slots is at most 3 per tick.
    expect(Math.max(...visits.map((v) => v.length))).toBe(3);
    // The second round repeats the first, slot for slot: each item comes back after exactly one interval.
    expect(visits.slice(4)).toEqual(visits.slice(0, 4));
  });

  it('stops visiting removed items, also when one is removed during a visit', () => {
    const seen: number[] = [];
    const wheel = new PingWheel<number>(1, (item) => {
      seen.push(item);
      if (item === 1) wheel.delete(2);
    });
    [1, 2, 3].forEach((n) => wheel.add(n));
    wheel.delete(3);
    wheel.tick();
    expect(seen).toEqual([1]);
    expect(wheel.size).toBe(1);
    wheel.add(1); // already there: not added twice
    wheel.tick();
    expect(seen).toEqual([1, 1]);
  });

  it('refuses a slot count that is not a positive integer', () => {
    expect(() => new PingWheel(0, () => undefined)).toThrow(/positive integer/);
  });
});
