import { loadConfig } from '../../src/config/load';
import { startServer } from '../helpers/testServer';

/* Finding 1 and 2, at start: an org is linked to the sites whose visitors its agents may see, and each site lists the
 * origins of its pages. A link to a site that isn't configured, or an origin that isn't one or belongs to two places,
 * stops the service with a message naming the setting. */

const SHOP = {
  id: 'shop',
  apiKey: 'shop-site-api-key-0123456789ab',
  signingSecret: 'shop-site-signing-secret-0123456789abcd',
};
const org = (over: Record<string, unknown> = {}) => ({
  orgId: '00D5g000000AcmeEAA',
  name: 'Acme',
  apiKeySha256: 'a'.repeat(64),
  instanceUrl: 'https://acme.my.salesforce.com',
  siteIds: ['shop'],
  ...over,
});
const load = (overrides: Record<string, unknown>) => () =>
  loadConfig({ env: {}, overrides: { sites: [SHOP], devSignInSiteIds: ['shop'], ...overrides } as never });

describe('site links', () => {
  it('stop the real service when an org is linked to a site that is not configured', async () => {
    await expect(
      startServer({
        sites: [SHOP],
        devSignInSiteIds: ['shop'],
        salesforce: { orgs: [org({ siteIds: ['shop', 'shoop'] })] },
      } as never),
    ).rejects.toThrow(
      /invalid setting "salesforce\.orgs\.0\.siteIds" \(environment variable TANDEM_SALESFORCE_ORGS\): org "Acme" is linked to site "shoop", which is not in "sites"/,
    );
  });

  it("are what an org's tenant is made of: a list, given explicitly", () => {
    expect(load({ salesforce: { orgs: [org()] } })().salesforce.orgs[0]?.siteIds).toEqual(['shop']);
    expect(load({ salesforce: { orgs: [org({ siteIds: [] })] } })().salesforce.orgs[0]?.siteIds).toEqual([]);
    const { siteIds: _omitted, ...withoutLinks } = org();
    expect(load({ salesforce: { orgs: [withoutLinks] } })).toThrow(/"salesforce\.orgs\.0\.siteIds"/);
    expect(load({ salesforce: { orgs: [org({ siteIds: ['shop', 'shop'] })] } })).toThrow(
      /"salesforce\.orgs\.0\.siteIds"/,
    );
  });

  it('replace the former siteId, with a message saying what to write', () => {
    const { siteIds: _omitted, ...old } = org();
    expect(load({ salesforce: { orgs: [{ ...old, siteId: 'shop' }] } })).toThrow(
      /"salesforce\.orgs\.0\.siteId" .*was replaced by "siteIds".*write "siteIds": \["shop"\] instead/,
    );
  });

  it('of the development sign-in name configured sites, while it is on', () => {
    expect(load({ devSignInSiteIds: ['nowhere'] })).toThrow(
      /invalid setting "devSignInSiteIds" \(environment variable TANDEM_DEV_SIGN_IN_SITES\): site "nowhere" is not in "sites"/,
    );
    expect(loadConfig({ env: { TANDEM_DEV_SIGN_IN_SITES: 'demo' } }).devSignInSiteIds).toEqual(['demo']);
  });

  it('refuse a site listed twice', () => {
    expect(load({ sites: [SHOP, SHOP] })).toThrow(/"sites\.1\.id".*listed twice/);
  });
});

describe('allowed origins', () => {
  it('are origins: scheme, host and port, no path', () => {
    const withOrigins = (allowedOrigins: string[]) => load({ sites: [{ ...SHOP, allowedOrigins }] });
    expect(withOrigins(['https://shop.example.com', 'http://localhost:5000'])().sites[0]?.allowedOrigins).toHaveLength(
      2,
    );
    for (const bad of [
      'shop.example.com',
      'https://shop.example.com/',
      'https://shop.example.com/path',
      'ftp://shop.example.com',
      'null',
      '*',
    ]) {
      expect(withOrigins([bad])).toThrow(/"sites\.0\.allowedOrigins\.0"/);
    }
  });

  it('are at most 50 per site', () => {
    const many = Array.from({ length: 51 }, (_, i) => `https://shop${i}.example.com`);
    expect(load({ sites: [{ ...SHOP, allowedOrigins: many }] })).toThrow(/"sites\.0\.allowedOrigins"/);
  });

  it("belong to one place only: not two sites, not the service itself, not an org's Lightning pages", () => {
    const other = { ...SHOP, id: 'other' };
    expect(
      load({
        sites: [
          { ...SHOP, allowedOrigins: ['https://a.example'] },
          { ...other, allowedOrigins: ['HTTPS://A.example:443'] },
        ],
      }),
    ).toThrow(/"sites\.1\.allowedOrigins\.0".*origin https:\/\/a\.example already belongs to site "shop"/);
    expect(
      load({
        publicUrl: 'https://tandem.example.com',
        sites: [{ ...SHOP, allowedOrigins: ['https://tandem.example.com'] }],
      }),
    ).toThrow(/already belongs to the service itself/);
    expect(
      load({
        sites: [{ ...SHOP, allowedOrigins: ['https://acme.lightning.force.com'] }],
        salesforce: { orgs: [org()] },
      }),
    ).toThrow(/already belongs to Salesforce org "Acme"/);
  });

  it('of an org are origins too', () => {
    expect(load({ salesforce: { orgs: [org({ allowedOrigins: ['https://agents.acme.example/'] })] } })).toThrow(
      /"salesforce\.orgs\.0\.allowedOrigins\.0"/,
    );
  });
});

describe('production profile', () => {
  it('links the development sign-in to no site and lets no client in without an Origin', () => {
    const config = loadConfig({ profile: 'production', env: { TANDEM_AGENT_TOKEN_SECRET: 'x'.repeat(40) } });
    expect(config.devSignInSiteIds).toEqual([]);
    expect(config.socket.allowMissingOrigin).toBe(false);
    expect(config.demoPortal).toBe(false);
  });
});
