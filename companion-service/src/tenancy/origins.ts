/* Which pages may open the service's WebSocket (/ws), and which site a socket's page belongs to. Browsers send the
 * page's origin with every WebSocket upgrade (Origin header), so a page of another origin can't pass for a customer's
 * site; a client that sends no Origin is not a browser, and could claim any origin it likes.
 *
 * Allowed, with the socket's site:
 *  - an origin a site lists in `sites[].allowedOrigins`: that site;
 *  - the service's own pages (the origin of `publicUrl`: join page, console, guest page, the demo portal): null;
 *    while `publicUrl` is a loopback address (development), any loopback origin of the same scheme counts as the
 *    service's own, so http://127.0.0.1:8080 works as well as http://localhost:8080;
 *  - a registered Salesforce org's Lightning pages, where the Tandem component opens its presence socket: the
 *    Lightning origin of the org's `instanceUrl` (https://acme.my.salesforce.com → https://acme.lightning.force.com)
 *    and any the org lists in `salesforce.orgs[].allowedOrigins`: null, no customer's site;
 *  - no Origin at all only when `socket.allowMissingOrigin` is on (development tools, benchmarks, tests): null.
 * Origins compare as browsers write them: scheme and host in any case, a default port (443, 80) or none. */

export type OriginVerdict = { allowed: true; siteId: string | null } | { allowed: false };

/** What origin checks read from the configuration (the service's Config fits it). */
export interface OriginSettings {
  publicUrl: string;
  sites: ReadonlyArray<{ id: string; allowedOrigins?: readonly string[] | undefined }>;
  salesforce: { orgs: ReadonlyArray<{ instanceUrl: string; allowedOrigins?: readonly string[] | undefined }> };
  socket: { allowMissingOrigin: boolean };
}

/** Longer than any real origin (a host name is at most 253 characters). */
const MAX_ORIGIN_LENGTH = 300;

/** "scheme://host[:port]" in the one spelling a browser sends (lower case, no default port); undefined when the
 * text is not an http(s) origin: "null" (sandboxed frames, files), a path, a query, credentials, several origins. */
export function normalizeOrigin(text: string): string | undefined {
  // A trailing "/" would parse to the same URL, but no browser sends one: an Origin is never a path.
  if (text.length === 0 || text.length > MAX_ORIGIN_LENGTH || /[\s,]/.test(text) || text.endsWith('/'))
    return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return undefined;
  return url.origin;
}

/** The origin of the org's Lightning pages, from its My Domain URL; undefined for an address of another shape. */
export function lightningOrigin(instanceUrl: string): string | undefined {
  let host: string;
  try {
    host = new URL(instanceUrl).hostname;
  } catch {
    return undefined;
  }
  const match = /^([a-z0-9-]+(?:\.[a-z0-9-]+)*)\.my\.salesforce\.com$/.exec(host.toLowerCase());
  return match ? `https://${match[1]}.lightning.force.com` : undefined;
}

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

interface OriginTable {
  /** Origin → its site, or null for the service's own pages and orgs' Lightning pages. */
  known: Map<string, string | null>;
  /** The scheme every loopback origin counts as the service's own under, while publicUrl is a loopback address. */
  loopbackScheme: string | undefined;
}

const tables = new WeakMap<OriginSettings, OriginTable>();

function tableOf(settings: OriginSettings): OriginTable {
  const cached = tables.get(settings);
  if (cached) return cached;
  const known = new Map<string, string | null>();
  const own = new URL(settings.publicUrl);
  known.set(own.origin, null);
  for (const org of settings.salesforce.orgs) {
    for (const origin of [lightningOrigin(org.instanceUrl), ...(org.allowedOrigins ?? [])]) {
      const normal = origin === undefined ? undefined : normalizeOrigin(origin);
      if (normal !== undefined) known.set(normal, null);
    }
  }
  // Sites last: configuration checks make an origin belong to one place only, and a site's own listing wins anyway.
  for (const site of settings.sites) {
    for (const origin of site.allowedOrigins ?? []) {
      const normal = normalizeOrigin(origin);
      if (normal !== undefined) known.set(normal, site.id);
    }
  }
  const table: OriginTable = { known, loopbackScheme: LOOPBACK_HOSTS.test(own.hostname) ? own.protocol : undefined };
  tables.set(settings, table);
  return table;
}

/** May a socket whose upgrade carried this Origin header open, and which site is its page on? */
export function originVerdict(origin: string | undefined, settings: OriginSettings): OriginVerdict {
  if (origin === undefined || origin === '')
    return settings.socket.allowMissingOrigin ? { allowed: true, siteId: null } : { allowed: false };
  const normal = normalizeOrigin(origin);
  if (normal === undefined) return { allowed: false };
  const table = tableOf(settings);
  const siteId = table.known.get(normal);
  if (siteId !== undefined) return { allowed: true, siteId };
  if (table.loopbackScheme !== undefined) {
    const url = new URL(normal);
    if (url.protocol === table.loopbackScheme && LOOPBACK_HOSTS.test(url.hostname))
      return { allowed: true, siteId: null };
  }
  return { allowed: false };
}
