import type { Config } from './schema';
import { settingName } from './settingName';

/* Secrets that this repository has published as defaults (config/default.json, in every version of its history:
 * `git log -p -- config/default.json`). Anyone can read them, so anyone could sign agent tokens or visitor tokens
 * with them: the service refuses them unless the development sign-in is on, which is open to anyone anyway. Add a
 * value here whenever a default secret changes. */
export const PUBLISHED_SECRETS: ReadonlySet<string> = new Set([
  'embedded-development-secret-change-me-in-production',
  'demo-site-api-key-for-local-use-only',
  'demo-site-signing-secret-for-local-use-only',
]);

const isPublished = (secret: string) => PUBLISHED_SECRETS.has(secret.trim());

/** The settings that hold a published secret, by dotted name. */
export function settingsWithPublishedSecrets(config: Config): string[] {
  const found: string[] = [];
  if (isPublished(config.agentTokenSecret)) found.push('agentTokenSecret');
  config.sites.forEach((site, i) => {
    if (isPublished(site.apiKey)) found.push(`sites.${i}.apiKey`);
    if (isPublished(site.signingSecret)) found.push(`sites.${i}.signingSecret`);
  });
  return found;
}

/** Why this configuration must not start: a published secret while the development sign-in is off. */
export function publishedSecretProblem(config: Config): string | undefined {
  if (config.devSignIn) return undefined;
  const [first] = settingsWithPublishedSecrets(config);
  if (first === undefined) return undefined;
  return (
    `setting ${settingName(first)} is a secret published in this repository's config/default.json, so anyone could ` +
    `sign tokens with it. Set a value of your own (e.g. openssl rand -base64 48), or turn on the development ` +
    `sign-in (devSignIn, TANDEM_DEV_SIGN_IN=true) for local use only`
  );
}
