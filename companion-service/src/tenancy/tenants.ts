import { orgKey } from '../salesforce/orgId';

/* Tenants. A Salesforce org, with the sites linked to it in its configuration (salesforce.orgs[].siteIds), is a
 * tenant; so is the development sign-in, with the sites of devSignInSiteIds. Every agent token names the tenant it
 * was issued for (claim `org`), and whatever an agent looks up — presence, invitations, sessions to join by code — is
 * looked up only among that tenant's sites. Pure: the answers come from configuration alone. */

/** The `org` claim of tokens from the development sign-in. Salesforce org ids start with "00D", so never clash. */
export const DEVELOPMENT_TENANT = 'development';

/** What tenancy reads from the configuration (the service's Config fits it). */
export interface TenancySettings {
  devSignIn: boolean;
  devSignInSiteIds: readonly string[];
  salesforce: { orgs: ReadonlyArray<{ orgId: string; siteIds: readonly string[] }> };
}

/** The part of an agent token tenancy looks at. */
export interface TenantClaim {
  org: string;
}

const NO_SITES: readonly string[] = Object.freeze([]);

/** Each configuration's tenant → sites table, built once: a lookup per request stays a map read. */
const tables = new WeakMap<TenancySettings, Map<string, readonly string[]>>();

function tableOf(settings: TenancySettings): Map<string, readonly string[]> {
  let table = tables.get(settings);
  if (!table) {
    table = new Map(settings.salesforce.orgs.map((org) => [orgKey(org.orgId), Object.freeze([...org.siteIds])]));
    tables.set(settings, table);
  }
  return table;
}

/** The tenant's sites; undefined when the tenant is not one this configuration knows: an org that is not (or no
 * longer) registered, or the development tenant while the development sign-in is off. */
function sitesOf(agent: TenantClaim, settings: TenancySettings): readonly string[] | undefined {
  if (agent.org === DEVELOPMENT_TENANT) return settings.devSignIn ? settings.devSignInSiteIds : undefined;
  return tableOf(settings).get(orgKey(agent.org));
}

/** The sites whose visitors this agent's tenant may see, invite and join (none for an unknown tenant). */
export function tenantSites(agent: TenantClaim, settings: TenancySettings): readonly string[] {
  return sitesOf(agent, settings) ?? NO_SITES;
}

/** May this agent reach a session or visitor of this site? `null` is a session started on a page of no customer's
 * site (the service's own pages such as the demo portal, an org's Lightning page, or a client without an Origin where
 * that is allowed): no site's content is there and the visitor reads its code to the agent they are talking to, so
 * the agent of any tenant this configuration knows may join it. */
export function tenantMayReachSite(agent: TenantClaim, siteId: string | null, settings: TenancySettings): boolean {
  const sites = sitesOf(agent, settings);
  if (!sites) return false;
  return siteId === null || sites.includes(siteId);
}
