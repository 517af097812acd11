import type { Page } from 'playwright-core';

export interface ResourceEntry {
  name: string;
  initiatorType: string;
  /** 0 for a response the browser took from its cache. */
  transferSize: number;
  encodedBodySize: number;
  decodedBodySize: number;
  /** When its last byte arrived (ms on the page's clock). */
  responseEnd: number;
}

/** The page's Resource Timing entries whose path contains `match`. Sizes show only for the page's own origin (the
 * demo portal is on the service's), or where the response allows it. */
export const resources = (page: Page, match: string): Promise<ResourceEntry[]> =>
  page.evaluate(
    (m) =>
      performance
        .getEntriesByType('resource')
        .filter((e) => new URL(e.name).pathname.includes(m))
        .map((e) => {
          const r = e as PerformanceResourceTiming;
          return {
            name: new URL(r.name).pathname,
            initiatorType: r.initiatorType,
            transferSize: r.transferSize,
            encodedBodySize: r.encodedBodySize,
            decodedBodySize: r.decodedBodySize,
            responseEnd: r.responseEnd,
          };
        }),
    match,
  );
