import { normalizeOrigin, lightningOrigin } from '../tenancy/origins';
import type { Config } from './schema';
import { settingName } from './settingName';

/* Checks across settings that the schema can't express: links to sites name configured sites, and each allowed
 * origin parses and belongs to one place only. The first problem found stops the service, naming the setting. */

function unknownSites(linked: readonly string[], known: ReadonlySet<string>): string | undefined {
  return linked.find((id) => !known.has(id));
}

function listOf(known: ReadonlySet<string>): string {
  return known.size ? [...known].map((id) => `"${id}"`).join(', ') : 'none';
}

function siteLinkProblem(config: Config): string | undefined {
  const known = new Set<string>();
  for (const [i, site] of config.sites.entries()) {
    if (known.has(site.id)) return `invalid setting ${settingName(`sites.${i}.id`)}: site "${site.id}" is listed twice`;
    known.add(site.id);
  }
  for (const [i, org] of config.salesforce.orgs.entries()) {
    const unknown = unknownSites(org.siteIds, known);
    if (unknown !== undefined) {
      return (
        `invalid setting ${settingName(`salesforce.orgs.${i}.siteIds`)}: org "${org.name}" is linked to site ` +
        `"${unknown}", which is not in "sites" (configured sites: ${listOf(known)})`
      );
    }
  }
  // Only while the development sign-in is on: off, its sites are never used.
  const unknown = config.devSignIn ? unknownSites(config.devSignInSiteIds, known) : undefined;
  if (unknown !== undefined) {
    return `invalid setting ${settingName('devSignInSiteIds')}: site "${unknown}" is not in "sites" (configured sites: ${listOf(known)})`;
  }
  return undefined;
}

function originProblem(config: Config): string | undefined {
  let own: string;
  try {
    own = new URL(config.publicUrl).origin;
  } catch {
    return `invalid setting ${settingName('publicUrl')}: "${config.publicUrl}" is not a URL`;
  }
  const owner = new Map<string, string>([[own, 'the service itself (publicUrl)']]);
  const claim = (origin: string, setting: string, who: string): string | undefined => {
    const normal = normalizeOrigin(origin);
    if (normal === undefined) {
      return `invalid setting ${settingName(setting)}: "${origin}" is not an origin like https://shop.example.com (http or https, a host, an optional port, no path)`;
    }
    const taken = owner.get(normal);
    if (taken !== undefined && taken !== who)
      return `invalid setting ${settingName(setting)}: origin ${normal} already belongs to ${taken}`;
    owner.set(normal, who);
    return undefined;
  };
  for (const [i, org] of config.salesforce.orgs.entries()) {
    const who = `Salesforce org "${org.name}"`;
    const lightning = lightningOrigin(org.instanceUrl);
    const problem = lightning === undefined ? undefined : claim(lightning, `salesforce.orgs.${i}.instanceUrl`, who);
    if (problem) return problem;
    for (const [j, origin] of (org.allowedOrigins ?? []).entries()) {
      const p = claim(origin, `salesforce.orgs.${i}.allowedOrigins.${j}`, who);
      if (p) return p;
    }
  }
  for (const [i, site] of config.sites.entries()) {
    for (const [j, origin] of (site.allowedOrigins ?? []).entries()) {
      const p = claim(origin, `sites.${i}.allowedOrigins.${j}`, `site "${site.id}"`);
      if (p) return p;
    }
  }
  return undefined;
}

export function consistencyProblem(config: Config): string | undefined {
  return siteLinkProblem(config) ?? originProblem(config);
}
