import { sha256 } from './salesforceFixtures';

/* Two customers of one Tandem service, for the tenancy tests: Acme (a portal and a shop, one Salesforce org) and
 * Mallory (a shop and an org of its own), each site with the origins its pages are served from. */

/** Acme's portal, whose customers the Acme org's agents serve. */
export const ACME_PORTAL = {
  id: 'acme-portal',
  apiKey: 'acme-portal-site-api-key-0123456789',
  signingSecret: 'acme-portal-signing-secret-0123456789abcdef',
  allowedOrigins: ['https://portal.acme.example'],
};
/** A second site of the same org (its agents may see both). */
export const ACME_SHOP = {
  id: 'acme-shop',
  apiKey: 'acme-shop-site-api-key-0123456789ab',
  signingSecret: 'acme-shop-signing-secret-0123456789abcdef0',
  allowedOrigins: ['https://shop.acme.example'],
};
/** Another customer of the same service, with a site and an org of its own. */
export const MALLORY_SHOP = {
  id: 'mallory-shop',
  apiKey: 'mallory-shop-site-api-key-0123456789',
  signingSecret: 'mallory-shop-signing-secret-0123456789abcd',
  allowedOrigins: ['https://shop.mallory.example'],
};

export const ACME_ORG = '00D5g000000AcmeEAA';
export const ACME_KEY = 'acme-org-api-key-for-the-tenancy-tests-01';
export const MALLORY_ORG = '00D5g000000MallyAA';
export const MALLORY_KEY = 'mallory-org-api-key-for-the-tenancy-test-1';

/** A registered org linked to these sites. */
export const orgLinkedTo = (orgId: string, key: string, siteIds: string[]) => ({
  orgId,
  name: orgId,
  apiKeySha256: sha256(key),
  instanceUrl: 'https://acme.example.invalid',
  siteIds,
});
