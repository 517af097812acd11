/** What `eventually` waits between two probes: a number of milliseconds, or a function whose promise resolves when
 * the probed value may have changed (say, when a socket received something); either way never past the deadline. */
export type Pause = number | (() => Promise<void>);

/** Polls until the probe's value passes the check, and returns that value; fails after `timeoutMs` with the last
 * value seen, described by `what`. The one polling loop of the tests: every other wait builds on it. */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  check: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
  pollMs: Pause = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (check(value)) return value;
    const left = deadline - Date.now();
    if (left <= 0) throw new TimedOut(what, value);
    await pause(pollMs, left);
  }
}

/** What `eventually` throws when time is up: what it waited for, and the last value it saw. */
export class TimedOut extends Error {
  constructor(
    what: string,
    readonly last: unknown,
  ) {
    super(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
  }
}

/** `eventually` with another default timeout (and polling interval), for a file whose steps are all slower. */
export function eventuallyWithin(defaultTimeoutMs: number, pollMs: Pause = 200): typeof eventually {
  return (probe, check, what, timeoutMs = defaultTimeoutMs, pausing = pollMs) =>
    eventually(probe, check, what, timeoutMs, pausing);
}

function pause(pollMs: Pause, leftMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, typeof pollMs === 'number' ? Math.min(pollMs, leftMs) : leftMs);
    if (typeof pollMs === 'function') {
      void pollMs().then(() => {
        clearTimeout(timer);
        resolve();
      });
    }
  });
}

/** Waits until the clock has moved on: whatever happens next is stamped later than whatever happened before. */
export async function nextMillisecond(): Promise<void> {
  const now = Date.now();
  await eventually(
    () => Date.now(),
    (t) => t > now,
    'the clock to move on',
    1000,
    1,
  );
}

/** Something that changes now and then (what a socket received, what a process printed): `eventually` can pause on
 * `next` instead of a fixed interval, and looks again as soon as `notify` is called. */
export class Changes {
  private waiters: Array<() => void> = [];
  readonly next = (): Promise<void> => new Promise((resolve) => this.waiters.push(resolve));
  readonly notify = (): void => {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  };
}

/** A probe that gives each value with the one before it (undefined the first time): for waits on how something
 * changed between two samples, as `eventually`'s probe. */
export function successive<T>(probe: () => Promise<T>): () => Promise<{ before: T | undefined; now: T }> {
  let last: T | undefined;
  return async () => {
    const before = last;
    last = await probe();
    return { before, now: last };
  };
}
