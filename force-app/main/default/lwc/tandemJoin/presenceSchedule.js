/** How often presence is asked for through Apex while the live socket is not available. */
export const POLL_INTERVAL_MS = 15000;
/** How long to wait before trying the live socket again after it closed. */
export const RECONNECT_DELAY_MS = 30000;
/** Longest wait between checks while the service keeps failing. */
export const MAX_DELAY_MS = 5 * 60 * 1000;

/**
 * The wait before the next check: the base delay while things work, doubling with each transient failure in a row
 * up to MAX_DELAY_MS, spread over 75-125 % (never past the maximum) so the tabs of many agents (who share one rate limit per org) don't
 * all ask in the same second after an outage.
 */
export function nextDelay(baseMs, failures, random = Math.random) {
    const nominal = Math.min(MAX_DELAY_MS, baseMs * 2 ** Math.min(failures, 10));
    return Math.min(MAX_DELAY_MS, Math.round(nominal * (0.75 + random() / 2)));
}
