import { frameBudgetMs } from '../../web/shared/blur/backgroundBlur';
import { FrameBudget } from '../../web/shared/blur/frameBudget';

/* Whether background blur keeps up: the median frame time over a window against the budget, after a warm-up. */

const feed = (budget: FrameBudget, times: number[]) => times.map((ms) => budget.add(ms));

describe('FrameBudget', () => {
  it('says nothing during the warm-up, however slow, nor before the window is full', () => {
    const budget = new FrameBudget({ budgetMs: 30, window: 4, warmup: 3 });
    expect(feed(budget, [500, 500, 500])).toEqual([false, false, false]);
    expect(feed(budget, [40, 40, 40])).toEqual([false, false, false]);
    expect(budget.add(40)).toBe(true);
  });

  it('is over once the typical frame is past the budget, not for a few slow frames', () => {
    const budget = new FrameBudget({ budgetMs: 30, window: 5, warmup: 0 });
    // Two slow frames out of five: the median is still in budget.
    expect(feed(budget, [10, 90, 10, 90, 10])).toEqual([false, false, false, false, false]);
    expect(budget.add(90)).toBe(true); // 90 10 90 10 90: the median is 90
    expect(budget.add(10)).toBe(false); // 10 90 10 90 10
  });

  it('gives a share of the camera\u2019s frame interval, 24 fps when the camera does not say', () => {
    expect(frameBudgetMs(20)).toBeCloseTo(37.5);
    expect(frameBudgetMs(30)).toBeCloseTo(25);
    expect(frameBudgetMs(undefined)).toBeCloseTo(31.25);
    expect(frameBudgetMs(0)).toBeCloseTo(31.25);
  });
});
