/** Runs `work` when the page has nothing else to do (or within 5 s); browsers without requestIdleCallback (Safari)
 * wait a second. For downloads ahead of need, which must not compete with what the customer's page is doing. */
export function whenIdle(work: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(work, { timeout: 5000 });
  else setTimeout(work, 1000);
}
