import { ENV_OVERRIDES } from './env';

/** A setting's dotted name for messages, with the environment variable that sets it (or the block it is in), e.g.
 * `"salesforce.orgs.0.siteIds" (environment variable TANDEM_SALESFORCE_ORGS)`. */
export function settingName(dotted: string): string {
  const env = ENV_OVERRIDES.find((o) => o.setting === dotted || dotted.startsWith(`${o.setting}.`));
  return `"${dotted}"${env ? ` (environment variable ${env.variable})` : ''}`;
}
