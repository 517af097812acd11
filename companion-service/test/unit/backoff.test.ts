import { Backoff } from '../../web/shared/backoff';

describe('Backoff', () => {
  it('doubles each wait up to the most, and starts over after a success', () => {
    const backoff = new Backoff(500, 5000);
    expect(backoff.fresh).toBe(true);
    const waits = Array.from({ length: 7 }, () => backoff.next());
    expect(waits).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
    expect(backoff.fresh).toBe(false);
    backoff.reset();
    expect(backoff.fresh).toBe(true);
    expect(backoff.next()).toBe(500);
  });

  it('stays at the most however long the outage', () => {
    const backoff = new Backoff(1000, 30_000);
    for (let i = 0; i < 5000; i++) backoff.next();
    expect(backoff.next()).toBe(30_000);
  });
});
