/* Whether the device keeps up with background blur: each processed frame's time on the main thread against a budget,
 * over a sliding window, after a few frames of warm-up (the first inferences compile and fill caches). The call's
 * frame rate comes first: when the typical frame (the window's median) takes more than the budget, blur has to go. */

export interface FrameBudgetOptions {
  /** Milliseconds a frame may take. */
  budgetMs: number;
  /** Frames looked at together (at 24 fps, 48 is two seconds). */
  window?: number;
  /** Frames not counted at the start. */
  warmup?: number;
}

export class FrameBudget {
  readonly budgetMs: number;
  private readonly window: number;
  private warmup: number;
  private readonly times: number[] = [];

  constructor(options: FrameBudgetOptions) {
    this.budgetMs = options.budgetMs;
    this.window = options.window ?? 48;
    this.warmup = options.warmup ?? 12;
  }

  /** Counts one frame's time; true when the last `window` frames' median is over the budget. */
  add(ms: number): boolean {
    if (this.warmup > 0) {
      this.warmup--;
      return false;
    }
    this.times.push(ms);
    if (this.times.length > this.window) this.times.shift();
    return this.times.length === this.window && median(this.times) > this.budgetMs;
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
