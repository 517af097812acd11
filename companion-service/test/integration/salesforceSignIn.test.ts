import { verifyAgentToken } from '../../src/auth/agentToken';
import { Privilege } from '../../src/protocol/codes';
import { startServer, type RunningServer } from '../helpers/testServer';
import { SalesforceDouble, type DoubleUser } from '../helpers/salesforceDouble';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  INTEGRATION_USER,
  ORG_ID,
  orgConfig,
  orgWithDouble,
  PORTAL_SITE,
  startOrgDouble,
} from '../helpers/salesforceFixtures';

/* Sign in with Salesforce for the agent join page: OAuth 2.0 web-server flow with PKCE against the local double,
 * custom permissions read with SOQL, and the agent token handed to the page through a one-time code. */

jest.setTimeout(20_000);

const AGENT_USER: DoubleUser = {
  id: '0055g00000SignInAA',
  name: 'Sam Signin',
  username: 'sam@acme.test',
  permissions: ['Tandem_Join', 'Tandem_Agent_Video'],
};
const NOT_AN_AGENT: DoubleUser = {
  id: '0055g00000NoPermAA',
  name: 'Pat Plain',
  username: 'pat@acme.test',
  permissions: ['Tandem_Agent_Video'],
};

let double: SalesforceDouble;
const servers: RunningServer[] = [];

beforeEach(async () => {
  double = await startOrgDouble([AGENT_USER, NOT_AN_AGENT]);
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
  await double.stop();
});

async function serve(options: { orgs?: unknown[]; enabled?: boolean; scope?: string } = {}): Promise<RunningServer> {
  const server = await startServer({
    sites: [PORTAL_SITE],
    devSignInSiteIds: [],
    salesforce: {
      orgs: options.orgs ?? [orgWithDouble(double)],
      loginUrl: double.url,
      oauth: {
        enabled: options.enabled ?? true,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        ...(options.scope ? { scope: options.scope } : {}),
      },
      outbox: { enabled: false },
    },
  } as never);
  servers.push(server);
  return server;
}

const cookieFrom = (response: Response) => (response.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';

/** Walks the browser through the redirects; returns the fragment the join page receives and the cookie it holds. */
async function signIn(server: RunningServer, who: DoubleUser | 'deny', tamper?: { dropCookie?: boolean }) {
  const login = await fetch(`${server.baseUrl}/auth/salesforce/login`, { redirect: 'manual' });
  expect(login.status).toBe(303);
  const authorizeUrl = new URL(login.headers.get('location') ?? '');
  const cookie = cookieFrom(login);
  double.nextLogin = who;
  const atSalesforce = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(atSalesforce.status).toBe(302);
  // The connected app's callback is publicUrl + redirectPath; the test server listens elsewhere.
  const back = new URL(atSalesforce.headers.get('location') ?? '');
  const callback = await fetch(`${server.baseUrl}${back.pathname}${back.search}`, {
    redirect: 'manual',
    headers: tamper?.dropCookie ? {} : { cookie },
  });
  expect(callback.status).toBe(303);
  const location = callback.headers.get('location') ?? '';
  expect(location.startsWith('/join#')).toBe(true);
  return { authorizeUrl, fragment: new URLSearchParams(location.slice('/join#'.length)), cookie: cookieFrom(callback) };
}

async function exchange(server: RunningServer, code: string, cookie: string) {
  const response = await fetch(`${server.baseUrl}/auth/salesforce/exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ code }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('Sign in with Salesforce', () => {
  it('is off unless configured, and says so to the join page', async () => {
    const server = await serve({ enabled: false });
    expect(await (await fetch(`${server.baseUrl}/auth/salesforce/status`)).json()).toEqual({
      enabled: false,
      loginPath: '/auth/salesforce/login',
    });
    expect((await fetch(`${server.baseUrl}/auth/salesforce/login`, { redirect: 'manual' })).status).toBe(404);
  });

  it('sends the agent to Salesforce with PKCE and a state, and hands the page an agent token through a one-time code', async () => {
    const server = await serve();
    expect((await (await fetch(`${server.baseUrl}/auth/salesforce/status`)).json()) as object).toMatchObject({
      enabled: true,
    });
    const { authorizeUrl, fragment, cookie } = await signIn(server, AGENT_USER);
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${double.url}/services/oauth2/authorize`);
    expect(authorizeUrl.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(`${server.config.publicUrl}/auth/salesforce/callback`);
    expect(authorizeUrl.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorizeUrl.searchParams.get('state')?.length).toBeGreaterThanOrEqual(32);

    const code = fragment.get('salesforce') ?? '';
    expect(code).not.toBe('');
    const { status, body } = await exchange(server, code, cookie);
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: AGENT_USER.name, privileges: [Privilege.AgentVideo] });
    const verified = verifyAgentToken(body.token as string, server.config.agentTokenSecret, Date.now());
    expect(verified.ok && verified.claims.sub).toBe(AGENT_USER.id);
    // The token works like any agent token.
    const presence = await fetch(`${server.baseUrl}/api/agent/presence/0035g00000000XYAAA`, {
      headers: { authorization: `Bearer ${body.token as string}` },
    });
    expect(presence.status).toBe(200);
    // One use only.
    expect((await exchange(server, code, cookie)).status).toBe(401);
    // The service let go of the agent's Salesforce session and remembers the agent's org for session records.
    expect(double.revokedByClient).toHaveLength(1);
    expect(await server.store.getSalesforceUserOrg(AGENT_USER.id)).toBe(ORG_ID);
  });

  it("reads custom permissions with the service's own connection when the org has one, else with the agent's", async () => {
    const withIntegration = await serve();
    await signIn(withIntegration, AGENT_USER);
    const agentToken = double.requests.find((r) => r.path === '/services/oauth2/userinfo')?.token;
    const permissionQuery = double.requests.find((r) => r.path.endsWith('/query'));
    expect(permissionQuery?.token).toBeDefined();
    expect(permissionQuery?.token).not.toBe(agentToken);

    double.requests.length = 0;
    const withoutIntegration = await serve({ orgs: [orgConfig({ instanceUrl: double.url })] });
    const { fragment, cookie } = await signIn(withoutIntegration, AGENT_USER);
    const ownToken = double.requests.find((r) => r.path === '/services/oauth2/userinfo')?.token;
    expect(double.requests.filter((r) => r.path.endsWith('/query')).every((r) => r.token === ownToken)).toBe(true);
    expect((await exchange(withoutIntegration, fragment.get('salesforce') ?? '', cookie)).status).toBe(200);
  });

  it('explains why sign-in failed: no Tandem permission, access denied, org not registered', async () => {
    const server = await serve();
    expect((await signIn(server, NOT_AN_AGENT)).fragment.get('salesforce_error')).toBe('no_permission');
    expect((await signIn(server, 'deny')).fragment.get('salesforce_error')).toBe('denied');
    const unregistered = await serve({ orgs: [orgConfig({ orgId: '00D5g000000OtherAA' })] });
    expect((await signIn(unregistered, AGENT_USER)).fragment.get('salesforce_error')).toBe('org_not_registered');
  });

  it('refuses a callback that did not start in this browser, and a code traded from another browser', async () => {
    const server = await serve();
    expect((await signIn(server, AGENT_USER, { dropCookie: true })).fragment.get('salesforce_error')).toBe('expired');
    const { fragment } = await signIn(server, AGENT_USER);
    expect((await exchange(server, fragment.get('salesforce') ?? '', 'tandem_sf_signin=someone-else')).status).toBe(
      401,
    );
  });

  it('reports Salesforce being unreachable during sign-in', async () => {
    const server = await serve();
    const login = await fetch(`${server.baseUrl}/auth/salesforce/login`, { redirect: 'manual' });
    double.nextLogin = AGENT_USER;
    const back = new URL(
      (await fetch(login.headers.get('location') ?? '', { redirect: 'manual' })).headers.get('location') ?? '',
    );
    double.unavailable = true;
    const callback = await fetch(`${server.baseUrl}${back.pathname}${back.search}`, {
      redirect: 'manual',
      headers: { cookie: cookieFrom(login) },
    });
    expect(callback.headers.get('location')).toBe('/join#salesforce_error=unavailable');
  });
});

describe('Sign in with Salesforce: OAuth scopes', () => {
  it('asks for api and openid, and reads the user and their permissions with the token those scopes give', async () => {
    // The agent's own token does the SOQL here (no integration user), so both scopes are really used.
    const server = await serve({ orgs: [orgConfig({ instanceUrl: double.url })] });
    const { authorizeUrl, fragment, cookie } = await signIn(server, AGENT_USER);
    const asked = (authorizeUrl.searchParams.get('scope') ?? '').split(' ');
    expect(asked).toEqual(expect.arrayContaining(['api', 'openid']));
    expect(double.requestedScopes).toEqual([authorizeUrl.searchParams.get('scope')]);
    // The token Salesforce gave carried them, and the calls that need them went through.
    const userinfo = double.requests.find((r) => r.path === '/services/oauth2/userinfo');
    expect(userinfo?.scopes).toEqual(expect.arrayContaining(['api', 'openid']));
    const queries = double.requests.filter((r) => r.path.endsWith('/query'));
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.every((r) => r.token === userinfo?.token)).toBe(true);
    expect(fragment.get('salesforce_error')).toBeNull();
    const { status, body } = await exchange(server, fragment.get('salesforce') ?? '', cookie);
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: AGENT_USER.name, privileges: [Privilege.AgentVideo] });
  });

  it('would fail with api alone: the userinfo call needs openid, so such a scope is refused at start', async () => {
    await expect(serve({ scope: 'api' })).rejects.toThrow(
      /salesforce\.oauth\.scope "api" is not enough .*userinfo needs one of: openid, id, profile/,
    );
    await expect(serve({ scope: 'openid id' })).rejects.toThrow(/the REST API \(SOQL\) needs one of: api, full/);
    await expect(serve({ scope: 'api\nopenid' })).rejects.toThrow(/salesforce\.oauth\.scope/);
    // Other spellings that cover both calls are fine.
    expect((await serve({ scope: 'api id' })).config.salesforce.oauth.scope).toBe('api id');
    expect((await serve({ scope: 'full' })).config.salesforce.oauth.scope).toBe('full');
  });

  it('tells the agent sign-in is misconfigured when the connected app does not allow the scopes asked for', async () => {
    await double.stop();
    double = await SalesforceDouble.start({
      orgId: ORG_ID,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      integrationUser: INTEGRATION_USER,
      users: [AGENT_USER],
      appScopes: ['api', 'refresh_token'],
    });
    const server = await serve();
    const { fragment } = await signIn(server, AGENT_USER);
    expect(fragment.get('salesforce_error')).toBe('misconfigured');
    expect(double.requests.some((r) => r.path === '/services/oauth2/token')).toBe(false);
  });
});
