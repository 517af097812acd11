import { livenessAction } from '../../src/signaling/liveness';

const INTERVAL = 15_000;

describe('the liveness sweep', () => {
  it('leaves a socket alone while it was heard from within the last half interval', () => {
    expect(livenessAction(0, INTERVAL)).toBe('none');
    expect(livenessAction(7_499, INTERVAL)).toBe('none');
  });

  it('pings a socket that has been quiet for half an interval or more', () => {
    expect(livenessAction(7_500, INTERVAL)).toBe('ping');
    expect(livenessAction(22_500, INTERVAL)).toBe('ping');
  });

  it("drops a socket quiet for more than an interval and a half: it left the previous round's ping unanswered", () => {
    expect(livenessAction(22_501, INTERVAL)).toBe('terminate');
    expect(livenessAction(60_000, INTERVAL)).toBe('terminate');
  });

  it('drops a socket that died just after it was heard from within about two rounds, never in the first', () => {
    // Visited once per interval; the socket was last heard from `offset` ms after a visit.
    for (const offset of [1, 7_499, 7_500, 14_999]) {
      const rounds = [1, 2, 3].map((k) => livenessAction(k * INTERVAL - offset, INTERVAL));
      const dropped = rounds.indexOf('terminate') + 1;
      expect(dropped).toBeGreaterThanOrEqual(2);
      expect(dropped * INTERVAL - offset).toBeLessThanOrEqual(2 * INTERVAL + INTERVAL / 2);
      // It was pinged on the round before it was dropped.
      expect(rounds[dropped - 2]).toBe('ping');
    }
  });
});
