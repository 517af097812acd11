import { loadConfig } from '../../src/config/load';
import { lightningOrigin, normalizeOrigin, originVerdict, type OriginSettings } from '../../src/tenancy/origins';

/* Finding 2: any origin could open /ws. originVerdict is the pure rule the WebSocket upgrade applies: which page may
 * connect, and which site it is on. */

const SHOP = 'https://shop.example.com';

function settings(over: Partial<OriginSettings> = {}): OriginSettings {
  return {
    publicUrl: 'https://tandem.example.com',
    sites: [
      { id: 'shop', allowedOrigins: [SHOP, 'http://localhost:5000'] },
      { id: 'bank', allowedOrigins: ['https://www.bank.example:8443'] },
      { id: 'quiet' },
    ],
    salesforce: {
      orgs: [
        { instanceUrl: 'https://acme.my.salesforce.com' },
        { instanceUrl: 'https://beta--uat.sandbox.my.salesforce.com', allowedOrigins: ['https://agents.beta.example'] },
      ],
    },
    socket: { allowMissingOrigin: false },
    ...over,
  };
}

describe('originVerdict', () => {
  it("puts a socket from a site's listed origin on that site", () => {
    expect(originVerdict(SHOP, settings())).toEqual({ allowed: true, siteId: 'shop' });
    expect(originVerdict('https://www.bank.example:8443', settings())).toEqual({ allowed: true, siteId: 'bank' });
    expect(originVerdict('http://localhost:5000', settings())).toEqual({ allowed: true, siteId: 'shop' });
  });

  it('refuses every other origin, including look-alikes and other ports or schemes', () => {
    for (const origin of [
      'https://evil.example',
      'https://shop.example.com.evil.example',
      'https://evilshop.example.com',
      'http://shop.example.com',
      'https://shop.example.com:8443',
      'https://www.bank.example',
      'https://tandem.example.com.evil.example',
    ]) {
      expect(originVerdict(origin, settings())).toEqual({ allowed: false });
    }
  });

  it('compares origins as browsers write them: any case, a default port or none', () => {
    expect(originVerdict('HTTPS://Shop.Example.COM', settings())).toEqual({ allowed: true, siteId: 'shop' });
    expect(originVerdict('https://shop.example.com:443', settings())).toEqual({ allowed: true, siteId: 'shop' });
    expect(originVerdict('https://tandem.example.com:443', settings())).toEqual({ allowed: true, siteId: null });
    const listedWithPort = settings({ sites: [{ id: 'shop', allowedOrigins: ['https://Shop.example.com:443'] }] });
    expect(originVerdict(SHOP, listedWithPort)).toEqual({ allowed: true, siteId: 'shop' });
  });

  it('refuses what is not an origin: "null", paths, credentials, several origins, overlong text', () => {
    for (const origin of [
      'null',
      'https://shop.example.com/',
      'https://shop.example.com/page',
      'https://shop.example.com?x=1',
      'https://user@shop.example.com',
      `${SHOP}, https://evil.example`,
      `${SHOP} `,
      'file:///etc/passwd',
      'chrome-extension://abcdef',
      'javascript:alert(1)',
      `https://${'a'.repeat(400)}.example`,
      'shop.example.com',
    ]) {
      expect(originVerdict(origin, settings())).toEqual({ allowed: false });
    }
  });

  it("lets in the service's own pages (publicUrl) as no site", () => {
    expect(originVerdict('https://tandem.example.com', settings())).toEqual({ allowed: true, siteId: null });
    const withPath = settings({ publicUrl: 'https://help.example.com/tandem' });
    expect(originVerdict('https://help.example.com', withPath)).toEqual({ allowed: true, siteId: null });
  });

  it("lets in registered orgs' Lightning pages, derived from instanceUrl or listed, as no site", () => {
    expect(originVerdict('https://acme.lightning.force.com', settings())).toEqual({ allowed: true, siteId: null });
    expect(originVerdict('https://beta--uat.sandbox.lightning.force.com', settings())).toEqual({
      allowed: true,
      siteId: null,
    });
    expect(originVerdict('https://agents.beta.example', settings())).toEqual({ allowed: true, siteId: null });
    expect(originVerdict('https://other.lightning.force.com', settings())).toEqual({ allowed: false });
    expect(originVerdict('https://acme.my.salesforce.com', settings())).toEqual({ allowed: false });
  });

  it('lets in a client without an Origin only when the configuration says so', () => {
    expect(originVerdict(undefined, settings())).toEqual({ allowed: false });
    expect(originVerdict('', settings())).toEqual({ allowed: false });
    const tools = settings({ socket: { allowMissingOrigin: true } });
    expect(originVerdict(undefined, tools)).toEqual({ allowed: true, siteId: null });
    // A browser page of another origin still gets nowhere.
    expect(originVerdict('https://evil.example', tools)).toEqual({ allowed: false });
  });

  it("counts any loopback origin as the service's own only while publicUrl is a loopback address (development)", () => {
    const local = settings({ publicUrl: 'http://localhost:8080' });
    expect(originVerdict('http://localhost:8080', local)).toEqual({ allowed: true, siteId: null });
    expect(originVerdict('http://127.0.0.1:8080', local)).toEqual({ allowed: true, siteId: null });
    expect(originVerdict('http://localhost:9123', local)).toEqual({ allowed: true, siteId: null });
    expect(originVerdict('http://[::1]:8080', local)).toEqual({ allowed: true, siteId: null });
    // A site's own loopback origin stays the site's.
    expect(originVerdict('http://localhost:5000', local)).toEqual({ allowed: true, siteId: 'shop' });
    expect(originVerdict('https://localhost:8080', local)).toEqual({ allowed: false });
    expect(originVerdict('http://localhost.evil.example:8080', local)).toEqual({ allowed: false });
    expect(originVerdict('http://192.168.1.5:8080', local)).toEqual({ allowed: false });
    // Not in production.
    expect(originVerdict('http://localhost:8080', settings())).toEqual({ allowed: false });
  });

  it("works on the configuration as loaded: the demo portal on the service's own origin, production without Origin", () => {
    const development = loadConfig({ env: {} });
    expect(originVerdict('http://localhost:8080', development)).toEqual({ allowed: true, siteId: null });
    expect(originVerdict(undefined, development)).toEqual({ allowed: true, siteId: null });
    expect(originVerdict('https://evil.example', development)).toEqual({ allowed: false });
    const production = loadConfig({
      profile: 'production',
      env: { TANDEM_AGENT_TOKEN_SECRET: 'x'.repeat(40), TANDEM_PUBLIC_URL: 'https://tandem.example.com' },
      overrides: {
        sites: [{ id: 'shop', apiKey: 'k'.repeat(24), signingSecret: 's'.repeat(32), allowedOrigins: [SHOP] }],
      },
    });
    expect(originVerdict(undefined, production)).toEqual({ allowed: false });
    expect(originVerdict(SHOP, production)).toEqual({ allowed: true, siteId: 'shop' });
    expect(originVerdict('https://tandem.example.com', production)).toEqual({ allowed: true, siteId: null });
  });
});

describe('origin helpers', () => {
  it("normalise an origin to the browser's spelling", () => {
    expect(normalizeOrigin('HTTPS://A.Example:443')).toBe('https://a.example');
    expect(normalizeOrigin('http://a.example:80')).toBe('http://a.example');
    expect(normalizeOrigin('http://a.example:8080')).toBe('http://a.example:8080');
    expect(normalizeOrigin('https://a.example/')).toBeUndefined();
    expect(normalizeOrigin('ftp://a.example')).toBeUndefined();
  });

  it("derive an org's Lightning origin from its My Domain URL only", () => {
    expect(lightningOrigin('https://acme.my.salesforce.com')).toBe('https://acme.lightning.force.com');
    expect(lightningOrigin('https://ACME--dev.sandbox.my.salesforce.com/')).toBe(
      'https://acme--dev.sandbox.lightning.force.com',
    );
    expect(lightningOrigin('https://acme.example.invalid')).toBeUndefined();
    expect(lightningOrigin('https://my.salesforce.com.evil.example')).toBeUndefined();
  });
});
