/* A logged-in visitor is known by the pair (site, visitor id): two sites may both have a visitor "003…" (a Contact
 * id), and they are different people to Tandem. Sessions carry a visitor's identity as one opaque string, so the pair
 * is written as one: "<site id>/<visitor id>". Site ids never contain "/" (config/schema.ts), so the first "/"
 * separates the two parts whatever the visitor id holds. */

export interface VisitorRef {
  siteId: string;
  visitorId: string;
}

const SITE_ID = /^[a-z0-9-]{1,40}$/;

/** The visitor's identity as presence, invitations, sessions and the store carry it. */
export function visitorKey(visitor: VisitorRef): string {
  return `${visitor.siteId}/${visitor.visitorId}`;
}

/** The pair back from its key; undefined for anything else (an anonymous visitor's "anonymous", an agent's id). */
export function parseVisitorKey(key: string): VisitorRef | undefined {
  const slash = key.indexOf('/');
  if (slash <= 0 || slash === key.length - 1) return undefined;
  const siteId = key.slice(0, slash);
  return SITE_ID.test(siteId) ? { siteId, visitorId: key.slice(slash + 1) } : undefined;
}
