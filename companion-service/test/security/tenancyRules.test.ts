import { DEVELOPMENT_TENANT, tenantMayReachSite, tenantSites, type TenancySettings } from '../../src/tenancy/tenants';
import { parseVisitorKey, visitorKey } from '../../src/tenancy/visitorIdentity';

/* Finding 1: the pure rules behind tenant scoping. An agent token's tenant (claim `org`) covers the sites linked to
 * it; a visitor is (site, visitor id). */

const ACME = '00D5g000000AcmeEAA';
const BETA = '00D5g000000BetaEAA';

const settings: TenancySettings = {
  devSignIn: true,
  devSignInSiteIds: ['demo'],
  salesforce: {
    orgs: [
      { orgId: ACME, siteIds: ['acme-portal', 'acme-shop'] },
      { orgId: BETA, siteIds: [] },
    ],
  },
};

describe('tenant sites', () => {
  it("are the sites linked to the token's org, by its 15- or 18-character id", () => {
    expect(tenantSites({ org: ACME }, settings)).toEqual(['acme-portal', 'acme-shop']);
    expect(tenantSites({ org: ACME.slice(0, 15) }, settings)).toEqual(['acme-portal', 'acme-shop']);
    expect(tenantSites({ org: BETA }, settings)).toEqual([]);
  });

  it('are none for an org that is not registered, and for development tokens while the development sign-in is off', () => {
    expect(tenantSites({ org: '00D5g000000GoneEAA' }, settings)).toEqual([]);
    expect(tenantSites({ org: DEVELOPMENT_TENANT }, settings)).toEqual(['demo']);
    expect(tenantSites({ org: DEVELOPMENT_TENANT }, { ...settings, devSignIn: false })).toEqual([]);
  });
});

describe('may a tenant reach a site', () => {
  it('only for its own sites', () => {
    expect(tenantMayReachSite({ org: ACME }, 'acme-shop', settings)).toBe(true);
    expect(tenantMayReachSite({ org: ACME }, 'demo', settings)).toBe(false);
    expect(tenantMayReachSite({ org: BETA }, 'acme-portal', settings)).toBe(false);
    expect(tenantMayReachSite({ org: DEVELOPMENT_TENANT }, 'acme-portal', settings)).toBe(false);
    expect(tenantMayReachSite({ org: DEVELOPMENT_TENANT }, 'demo', settings)).toBe(true);
  });

  it("for a session of no customer's site (the service's own pages), if the tenant is a known one", () => {
    expect(tenantMayReachSite({ org: ACME }, null, settings)).toBe(true);
    expect(tenantMayReachSite({ org: BETA }, null, settings)).toBe(true);
    expect(tenantMayReachSite({ org: '00D5g000000GoneEAA' }, null, settings)).toBe(false);
    expect(tenantMayReachSite({ org: DEVELOPMENT_TENANT }, null, { ...settings, devSignIn: false })).toBe(false);
  });
});

describe("a visitor's identity", () => {
  it('is the pair (site, visitor id), whatever the visitor id holds', () => {
    expect(visitorKey({ siteId: 'acme', visitorId: '003X' })).toBe('acme/003X');
    expect(parseVisitorKey('acme/003X')).toEqual({ siteId: 'acme', visitorId: '003X' });
    expect(parseVisitorKey('acme/a/b:c')).toEqual({ siteId: 'acme', visitorId: 'a/b:c' });
  });

  it("is not read from an anonymous visitor's or an agent's identity", () => {
    for (const other of ['anonymous', 'dev:ana', '0055g00000AgentAAA', '/003X', 'acme/', 'Not A Site/003X']) {
      expect(parseVisitorKey(other)).toBeUndefined();
    }
  });
});
