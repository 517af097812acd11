import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { signAgentToken } from '../auth/agentToken';
import type { Config } from '../config/schema';
import { AgentTokenResponse, ErrorBody } from '../protocol/http';
import { SfSignInExchangeRequest, SfSignInStatus, SignInFailure } from '../protocol/salesforce';
import type { SharedRedis } from '../redis/shared';
import type { Store } from '../store/store';
import { boundedConnection, boundedOAuth2, type ConnectionSettings } from './connection';
import type { OrgRegistry } from './orgRegistry';
import { JOIN_PERMISSION, privilegesFrom, tandemPermissionsOf, type SoqlQuery } from './permissions';
import { createOneTimeStore } from './oneTimeStore';
import { missingSignInScopes } from './signInScopes';

/* "Sign in with Salesforce" for the agent join page: the OAuth 2.0 web-server flow with PKCE (jsforce). The
 * browser is bound to its sign-in by a cookie, the callback reads the user and their custom permissions, and the
 * page receives the agent token by trading a one-time code (in the URL fragment, never sent to a server) with a
 * POST, so the token itself never appears in a URL or a log. */

export const SIGN_IN_PATHS = {
  status: '/auth/salesforce/status',
  login: '/auth/salesforce/login',
  exchange: '/auth/salesforce/exchange',
} as const;

const COOKIE = 'tandem_sf_signin';
const COOKIE_PATH = '/auth/salesforce';
/** Time to finish signing in at Salesforce. */
const LOGIN_TTL_MS = 10 * 60_000;
/** Time for the join page to collect its token after the redirect. */
const HANDOFF_TTL_MS = 60_000;

interface PendingLogin {
  nonce: string;
  codeVerifier: string;
}
interface Handoff {
  nonce: string;
  response: AgentTokenResponse;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(request: FastifyRequest, name: string): string {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return '';
}

export interface SignInDeps {
  config: Config;
  store: Store;
  registry: OrgRegistry;
  settings: ConnectionSettings;
  /** Keeps pending sign-ins in Redis when set, so the callback and the exchange may reach any instance. */
  redis?: SharedRedis | undefined;
}

export function registerSignInRoutes(
  app: FastifyInstance,
  { config, store, registry, settings, redis }: SignInDeps,
): void {
  const oauth = config.salesforce.oauth;
  const enabled = oauth.enabled;
  if (enabled && !oauth.clientId) {
    throw new Error('salesforce.oauth.enabled needs salesforce.oauth.clientId (TANDEM_SALESFORCE_CLIENT_ID)');
  }
  // A token without these scopes signs the agent in, then fails on the first call: say so at start instead.
  const missing = enabled ? missingSignInScopes(oauth.scope) : [];
  if (missing.length > 0) {
    throw new Error(
      `salesforce.oauth.scope "${oauth.scope}" is not enough for Sign in with Salesforce: ${missing.join('; ')}`,
    );
  }
  const redirectUri = new URL(oauth.redirectPath, config.publicUrl).toString();
  const secure = config.publicUrl.startsWith('https:');
  const pending = createOneTimeStore<PendingLogin>('sign-ins', redis);
  const handoffs = createOneTimeStore<Handoff>('sign-in-handoffs', redis);
  const oauth2 = async (codeVerifier?: string) => {
    const o = await boundedOAuth2(
      {
        loginUrl: config.salesforce.loginUrl,
        clientId: oauth.clientId,
        ...(oauth.clientSecret ? { clientSecret: oauth.clientSecret } : {}),
        redirectUri,
        useVerifier: codeVerifier === undefined,
      },
      settings,
    );
    if (codeVerifier !== undefined) o.codeVerifier = codeVerifier;
    return o;
  };

  const setCookie = (reply: FastifyReply, value: string, maxAgeSeconds: number) =>
    reply.header(
      'set-cookie',
      `${COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`,
    );
  const backToJoin = (reply: FastifyReply, fragment: string) => {
    reply.header('cache-control', 'no-store');
    reply.header('referrer-policy', 'no-referrer');
    return reply.redirect(`/join#${fragment}`, 303);
  };
  const fail = (reply: FastifyReply, reason: SignInFailure) => backToJoin(reply, `salesforce_error=${reason}`);

  app.get(SIGN_IN_PATHS.status, { schema: { response: { 200: SfSignInStatus } } }, async () => ({
    enabled,
    loginPath: SIGN_IN_PATHS.login,
  }));

  if (!enabled) return;

  app.get(
    SIGN_IN_PATHS.login,
    { schema: { summary: 'Starts Sign in with Salesforce: redirects to the org’s login page (OAuth 2.0, PKCE)' } },
    async (request, reply) => {
      const now = Date.now();
      const state = randomBytes(24).toString('base64url');
      const nonce = randomBytes(24).toString('base64url');
      const client = await oauth2();
      try {
        await pending.put(state, { nonce, codeVerifier: client.codeVerifier ?? '' }, LOGIN_TTL_MS, now);
      } catch (err) {
        request.log.warn({ err }, 'salesforce sign-in could not be started');
        return fail(reply, SignInFailure.Unavailable);
      }
      setCookie(reply, nonce, LOGIN_TTL_MS / 1000);
      reply.header('cache-control', 'no-store');
      return reply.redirect(client.getAuthorizationUrl({ scope: oauth.scope, state }), 303);
    },
  );

  const CALLBACK = {
    schema: {
      summary:
        'Salesforce’s OAuth callback: redirects to the join page with a one-time code, or why the sign-in failed',
    },
  };
  app.get<{ Querystring: Record<string, string | undefined> }>(oauth.redirectPath, CALLBACK, async (request, reply) => {
    const { code, state, error } = request.query;
    let login: PendingLogin | undefined;
    try {
      login = state ? await pending.take(state, Date.now()) : undefined;
    } catch (err) {
      request.log.warn({ err }, 'salesforce sign-in could not be finished');
      return fail(reply, SignInFailure.Unavailable);
    }
    // The state must be one this service issued, to this very browser (login CSRF).
    if (!login || !sameText(cookieValue(request, COOKIE), login.nonce)) return fail(reply, SignInFailure.Expired);
    if (error && error !== 'access_denied') {
      request.log.warn(
        { error: error.slice(0, 100) },
        'salesforce refused the sign-in request; check the connected app (scopes, callback URL)',
      );
      return fail(reply, SignInFailure.Misconfigured);
    }
    if (error || !code) return fail(reply, SignInFailure.Denied);

    const client = await oauth2(login.codeVerifier);
    let agent: { userId: string; orgId: string; name: string; permissions: Set<string> };
    try {
      const conn = await boundedConnection({ oauth2: client }, settings);
      const identity = await conn.authorize(code);
      const org = registry.find(identity.organizationId);
      if (!org) {
        request.log.warn({ orgId: identity.organizationId }, 'salesforce sign-in from an org that is not registered');
        void client.revokeToken(conn.accessToken ?? '').catch(() => undefined);
        return fail(reply, SignInFailure.OrgNotRegistered);
      }
      const info = await conn.request<{ name?: string; preferred_username?: string }>({
        method: 'GET',
        url: '/services/oauth2/userinfo',
      });
      // Setup objects need "View Setup and Configuration", which agents usually lack: read them with the service's
      // own connection to the org when it has one, else with the agent's session.
      const query: SoqlQuery = org.connection
        ? (soql) => org.connection!.query(soql)
        : async <T>(soql: string) => (await conn.query<T & Record<string, unknown>>(soql)).records as T[];
      const permissions = await tandemPermissionsOf(query, identity.id);
      // The service only needed the session to read these; it does not keep it.
      void client.revokeToken(conn.accessToken ?? '').catch(() => undefined);
      agent = {
        userId: identity.id,
        orgId: org.config.orgId,
        name: (info.name || info.preferred_username || 'Salesforce user').slice(0, 80),
        permissions,
      };
    } catch (err) {
      request.log.warn({ err }, 'salesforce sign-in failed');
      return fail(reply, SignInFailure.Unavailable);
    }
    if (!agent.permissions.has(JOIN_PERMISSION)) return fail(reply, SignInFailure.NoPermission);

    const now = Date.now();
    const privileges = privilegesFrom(agent.permissions);
    const { token, claims } = signAgentToken(
      { sub: agent.userId, name: agent.name, org: agent.orgId, privileges },
      config.agentTokenSecret,
      now,
      config.agentTokenTtlSeconds,
    );
    await store.rememberSalesforceUser(agent.userId, agent.orgId, now);
    const handoff = randomBytes(32).toString('base64url');
    const nonce = randomBytes(24).toString('base64url');
    try {
      await handoffs.put(
        handoff,
        { nonce, response: { token, expiresAt: claims.exp * 1000, name: agent.name, privileges } },
        HANDOFF_TTL_MS,
        now,
      );
    } catch (err) {
      request.log.warn({ err }, 'salesforce sign-in could not be handed to the join page');
      return fail(reply, SignInFailure.Unavailable);
    }
    setCookie(reply, nonce, HANDOFF_TTL_MS / 1000);
    return backToJoin(reply, `salesforce=${handoff}`);
  });

  app.post<{ Body: SfSignInExchangeRequest }>(
    SIGN_IN_PATHS.exchange,
    { schema: { body: SfSignInExchangeRequest, response: { 200: AgentTokenResponse, '4xx': ErrorBody } } },
    async (request, reply) => {
      const found = await handoffs.take(request.body.code, Date.now());
      reply.header('cache-control', 'no-store');
      setCookie(reply, '', 0);
      if (!found || !sameText(cookieValue(request, COOKIE), found.nonce)) {
        return reply
          .code(401)
          .send({ code: 'unauthorized', message: 'This sign-in has expired. Sign in with Salesforce again.' });
      }
      return found.response;
    },
  );
}
