import { verifyAgentToken } from '../../src/auth/agentToken';
import { dropKeys, keysUnder, redisClient, testKeyPrefix, testRedisSettings } from '../helpers/redis';
import type { SalesforceDouble, DoubleUser } from '../helpers/salesforceDouble';
import { CLIENT_ID, CLIENT_SECRET, orgWithDouble, PORTAL_SITE, startOrgDouble } from '../helpers/salesforceFixtures';
import { startServer, type RunningServer } from '../helpers/testServer';

/* Sign in with Salesforce behind a load balancer: the sign-in starts on one instance, Salesforce sends the browser
 * back to another, and the join page collects its token from a third (here the first again). The pending sign-in
 * and its hand-off are in Redis, where they are of no use to anyone who can read it: keyed by a hash, sealed with the
 * one-time code only the browser has. */

jest.setTimeout(20_000);

const AGENT: DoubleUser = {
  id: '0055g00000RedisAAA',
  name: 'Rae Redis',
  username: 'rae@acme.test',
  permissions: ['Tandem_Join'],
};

const prefix = testKeyPrefix();
const inspector = redisClient();
let double: SalesforceDouble;
let a: RunningServer;
let b: RunningServer;

beforeAll(async () => {
  double = await startOrgDouble([AGENT]);
  const overrides = {
    sites: [PORTAL_SITE],
    devSignInSiteIds: [],
    redis: testRedisSettings(prefix),
    salesforce: {
      orgs: [orgWithDouble(double)],
      loginUrl: double.url,
      oauth: { enabled: true, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      outbox: { enabled: false },
    },
  } as never;
  [a, b] = await Promise.all([startServer(overrides), startServer(overrides)]);
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await double?.stop();
  await dropKeys(inspector, prefix);
  inspector.disconnect();
});

const cookieFrom = (response: Response) => (response.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';

/** Every value stored under `kind`, as raw bytes in text. */
async function stored(kind: string): Promise<string[]> {
  const keys = await keysUnder(inspector, `${prefix}${kind}:`);
  return Promise.all(keys.map(async (k) => ((await inspector.getBuffer(k)) ?? Buffer.alloc(0)).toString('latin1')));
}

describe('Sign in with Salesforce across instances', () => {
  it('starts on one instance, comes back to another, and hands the token over on either', async () => {
    const login = await fetch(`${a.baseUrl}/auth/salesforce/login`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    const authorizeUrl = new URL(login.headers.get('location') ?? '');
    const state = authorizeUrl.searchParams.get('state') ?? '';
    const loginCookie = cookieFrom(login);
    const pending = await stored('sign-ins');
    expect(pending).toHaveLength(1);
    expect(pending[0]).not.toContain(loginCookie.split('=')[1]);
    expect((await keysUnder(inspector, `${prefix}sign-ins:`))[0]).not.toContain(state);

    double.nextLogin = AGENT;
    const atSalesforce = await fetch(authorizeUrl, { redirect: 'manual' });
    const back = new URL(atSalesforce.headers.get('location') ?? '');
    // Back on the other instance.
    const callback = await fetch(`${b.baseUrl}${back.pathname}${back.search}`, {
      redirect: 'manual',
      headers: { cookie: loginCookie },
    });
    expect(callback.status).toBe(303);
    const fragment = new URLSearchParams((callback.headers.get('location') ?? '').replace(/^\/join#/, ''));
    const code = fragment.get('salesforce') ?? '';
    expect(fragment.get('salesforce_error')).toBeNull();
    expect(code).not.toBe('');
    expect(await stored('sign-ins')).toEqual([]);
    const handoffs = await stored('sign-in-handoffs');
    expect(handoffs).toHaveLength(1);

    // The page collects its token from the first instance.
    const cookie = cookieFrom(callback);
    const exchange = () =>
      fetch(`${a.baseUrl}/auth/salesforce/exchange`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ code }),
      });
    const answer = await exchange();
    expect(answer.status).toBe(200);
    const { token } = (await answer.json()) as { token: string };
    const verified = verifyAgentToken(token, a.config.agentTokenSecret, Date.now());
    expect(verified.ok && verified.claims.sub).toBe(AGENT.id);
    // What Redis held could not have given the token away, and it is gone once taken.
    expect(handoffs[0]).not.toContain(token.split('.')[1]);
    expect(await stored('sign-in-handoffs')).toEqual([]);
    expect((await exchange()).status).toBe(401);
  });

  it('refuses a state that no instance issued', async () => {
    const callback = await fetch(`${b.baseUrl}/auth/salesforce/callback?state=made-up&code=x`, {
      redirect: 'manual',
      headers: { cookie: 'tandem_sf_signin=x' },
    });
    expect(callback.headers.get('location')).toBe('/join#salesforce_error=expired');
  });
});
