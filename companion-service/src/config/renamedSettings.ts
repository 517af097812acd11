import { settingName } from './settingName';

/* Settings an older configuration may still use, with what replaced them: said plainly instead of the schema's
 * "must not have additional properties". */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function renamedSettingProblem(merged: Json): string | undefined {
  if ('bus' in merged) {
    return (
      `setting ${settingName('bus')} was removed: the bus between instances runs on Redis when ${settingName('redis.url')} ` +
      'is set, and in this process otherwise; delete "bus" from the configuration'
    );
  }
  const salesforce = merged.salesforce;
  const orgs = isObject(salesforce) && Array.isArray(salesforce.orgs) ? (salesforce.orgs as unknown[]) : [];
  for (const [i, org] of orgs.entries()) {
    if (isObject(org) && 'siteId' in org) {
      const example = typeof org.siteId === 'string' ? `"siteIds": ["${org.siteId}"]` : '"siteIds": [...]';
      return (
        `setting ${settingName(`salesforce.orgs.${i}.siteId`)} was replaced by "siteIds", the list of sites whose ` +
        `visitors the org's agents may see and invite: write ${example} instead`
      );
    }
  }
  return undefined;
}
