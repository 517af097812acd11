/** A record the store keeps once was written again: a second terms acceptance for a session. Every store throws this
 * for it (not its driver's error), so a caller can tell the refusal from an outage. */
export class DuplicateRecordError extends Error {
  constructor(
    readonly record: 'terms_acceptance',
    options?: { cause?: unknown },
  ) {
    super(`${record} is already stored`, options);
    this.name = 'DuplicateRecordError';
  }
}
