import { createHash } from 'node:crypto';
import type { SalesforceOrgConfig } from '../../src/salesforce/configSchema';
import { SalesforceDouble, type DoubleUser } from './salesforceDouble';
import type { RunningServer } from './testServer';

/* Shared values for the Salesforce tests: one org, its API key, a portal site, an agent and contacts. The org is
 * linked to the portal site (siteIds): a service that registers it must list PORTAL_SITE in its sites. */

export const ORG_ID = '00D5g000000TestEAA';
export const API_KEY = 'tandem-org-api-key-for-tests-0123456789';
export const OTHER_ORG_ID = '00D5g000000OtherAA';
export const OTHER_API_KEY = 'tandem-other-org-api-key-0123456789ab';
export const CLIENT_ID = '3MVG9-test-consumer-key';
export const CLIENT_SECRET = 'test-consumer-secret';
export const PORTAL_SITE = {
  id: 'acme-portal',
  apiKey: 'acme-portal-site-api-key-0123456789',
  signingSecret: 'acme-portal-signing-secret-0123456789abcdef',
};

export const AGENT = {
  userId: '0055g00000AgentAAA',
  userName: 'Ana Agent',
  privileges: ['Tandem_Agent_Video', 'Tandem_Remote_Control'],
};

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let contactCounter = 0;
/** A fresh 18-character Contact id per call, so tests don't see each other's presence. */
export function newContactId(): string {
  return `0035g${String(++contactCounter).padStart(10, '0')}AAA`;
}

export function orgConfig(overrides: Partial<SalesforceOrgConfig> = {}): SalesforceOrgConfig {
  return {
    orgId: ORG_ID,
    name: 'Acme test org',
    apiKeySha256: sha256(API_KEY),
    instanceUrl: 'https://acme.example.invalid',
    siteIds: [PORTAL_SITE.id],
    ...overrides,
  };
}

/** The org's integration user at the double (client credentials). */
export const INTEGRATION_USER: DoubleUser = {
  id: '0055g00000IntegrAA',
  name: 'Integration',
  username: 'integration@acme.test',
  permissions: [],
};

/** A Salesforce double for the test org with its connected app (client id and secret), the integration user, and
 * these users who can sign in. */
export function startOrgDouble(users: DoubleUser[]): Promise<SalesforceDouble> {
  return SalesforceDouble.start({
    orgId: ORG_ID,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    integrationUser: INTEGRATION_USER,
    users,
  });
}

/** An org whose session records go to the double through client credentials. */
export function orgWithDouble(
  double: SalesforceDouble,
  overrides: Partial<SalesforceOrgConfig> = {},
): SalesforceOrgConfig {
  return orgConfig({
    instanceUrl: double.url,
    integration: { flow: 'clientCredentials', loginUrl: double.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    ...overrides,
  });
}

/** What the Apex class does: POST JSON through the Named Credential, which adds the org's API key. */
export async function callAsApex(server: RunningServer, path: string, body: object, apiKey: string | null = API_KEY) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiKey !== null) headers['x-tandem-api-key'] = apiKey;
  const response = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { code?: string } };
}
