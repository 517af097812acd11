import { createHash, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/store';
import type { SalesforceConfig, SalesforceOrgConfig } from './configSchema';
import { integrationPrivateKey, OrgConnection, type ConnectionSettings } from './connection';
import { orgKey } from './orgId';

export { orgKey };

export interface RegisteredOrg {
  config: SalesforceOrgConfig;
  /** The service's own connection to the org, when integration credentials are configured. */
  connection: OrgConnection | undefined;
}

/** The orgs allowed to call the service, from configuration, mirrored into the store (without secrets) so the
 * records they own can be traced to them. An org authenticates with the API key its External Credential sends. */
export class OrgRegistry {
  private readonly orgs = new Map<string, RegisteredOrg>();
  /** SHA-256 (hex) of every registered API key, to tell a registered key from a guess without knowing the org. */
  private readonly keyHashes = new Set<string>();

  constructor(config: SalesforceConfig, settings: ConnectionSettings) {
    for (const org of config.orgs) {
      const key = orgKey(org.orgId);
      if (this.orgs.has(key)) throw new Error(`salesforce.orgs lists org ${org.orgId} twice`);
      const connection = org.integration
        ? new OrgConnection(org, org.integration, integrationPrivateKey(org), settings)
        : undefined;
      this.orgs.set(key, { config: org, connection });
      this.keyHashes.add(org.apiKeySha256);
    }
  }

  get size(): number {
    return this.orgs.size;
  }

  find(orgId: string): RegisteredOrg | undefined {
    return this.orgs.get(orgKey(orgId));
  }

  /** The org, if the API key is the one registered for it. Compared as hashes, in constant time. */
  authenticate(orgId: string, apiKey: string): RegisteredOrg | undefined {
    const org = this.find(orgId);
    if (!org || !apiKey) return undefined;
    const expected = Buffer.from(org.config.apiKeySha256, 'hex');
    const actual = createHash('sha256').update(apiKey, 'utf8').digest();
    return expected.length === actual.length && timingSafeEqual(expected, actual) ? org : undefined;
  }

  /** Is this the hash of some registered org's API key? (The hash of a random guess never is.) */
  isRegisteredKeyHash(apiKeySha256: string): boolean {
    return this.keyHashes.has(apiKeySha256);
  }

  async syncToStore(store: Store, now: number): Promise<void> {
    for (const { config } of this.orgs.values()) {
      await store.saveSalesforceOrg({
        orgId: config.orgId,
        name: config.name,
        apiKeySha256: config.apiKeySha256,
        instanceUrl: config.instanceUrl,
        siteIds: [...config.siteIds],
        updatedAt: now,
      });
    }
  }
}
