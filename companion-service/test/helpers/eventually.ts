/** Polls until the probe's value passes the check, and returns that value; fails after `timeoutMs` with the last
 * value seen, described by `what`. */
export async function eventually<T>(probe: () => Promise<T>, check: (value: T) => boolean, what: string, timeoutMs = 10_000, pollMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** `eventually` with another default timeout (and polling interval), for a file whose steps are all slower. */
export function eventuallyWithin(defaultTimeoutMs: number, pollMs = 200): typeof eventually {
  return (probe, check, what, timeoutMs = defaultTimeoutMs) => eventually(probe, check, what, timeoutMs, pollMs);
}
