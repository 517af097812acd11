import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { verifyAgentToken } from '../auth/agentToken';
import { agentFromRequest, sendError } from '../auth/bearer';
import { Channels } from '../bus/bus';
import type { Config } from '../config/schema';
import { signVisitorToken, verifyVisitorToken } from '../identity/visitorToken';
import { ErrorCode } from '../protocol/codes';
import {
  ErrorBody,
  PresenceParams,
  PresenceResponse,
  VisitorTokenRequest,
  VisitorTokenResponse,
} from '../protocol/http';
import type { MessageRouter } from '../signaling/router';
import { tenantSites } from '../tenancy/tenants';
import { parseVisitorKey, visitorKey, type VisitorRef } from '../tenancy/visitorIdentity';
import type { PresenceService } from './presenceService';

export interface PresenceOptions {
  config: Config;
  presence: PresenceService;
  router: MessageRouter;
}

/** A socket may follow at most this many visitors (a Salesforce page shows one contact; a list view a few). */
const MAX_WATCHED = 50;

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What one socket follows: per visitor id, the sites its agent may see them on and what the agent was told last. */
type Watched = Map<string, { sites: readonly string[]; online: boolean | undefined; checks: Promise<void> }>;

/** Presence of logged-in visitors: visitor tokens, portal tabs saying hello, agents following a visitor. A visitor is
 * (site, visitor id); agents name just the visitor id and see them only on their tenant's sites. */
export const presencePlugin: FastifyPluginAsync<PresenceOptions> = async (app, { config, presence, router }) => {
  // The site's server mints a token for its logged-in visitor with its API key (never from the browser).
  app.post<{ Body: VisitorTokenRequest }>(
    '/api/visitor-tokens',
    { schema: { body: VisitorTokenRequest, response: { 201: VisitorTokenResponse, '4xx': ErrorBody } } },
    async (request, reply) => {
      const key = String(request.headers['x-tandem-site-key'] ?? '');
      const site = key ? config.sites.find((s) => sameSecret(s.apiKey, key)) : undefined;
      if (!site) return sendError(reply, ErrorCode.Unauthorized);
      const input: { site: string; sub: string; name?: string } = { site: site.id, sub: request.body.visitorId };
      if (request.body.name) input.name = request.body.name;
      const { token, claims } = signVisitorToken(input, site.signingSecret, Date.now(), config.visitorTokenTtlSeconds);
      return reply.code(201).send({ token, expiresAt: claims.exp * 1000 });
    },
  );

  // Polling fallback for agents who can't hold a socket open (the Salesforce component through Apex).
  app.get<{ Params: PresenceParams }>(
    '/api/agent/presence/:visitorId',
    { schema: { params: PresenceParams, response: { 200: PresenceResponse, '4xx': ErrorBody } } },
    async (request, reply) => {
      const agent = agentFromRequest(request, reply, config);
      if (!agent) return reply;
      const { visitorId } = request.params;
      return { visitorId, online: await presence.isOnlineOnAny(tenantSites(agent, config), visitorId) };
    },
  );

  router.on('visitor.hello', { in: 'any', visitor: 'unidentified' }, async (connection, message) => {
    const verified = verifyVisitorToken(message.visitorToken, config.sites, Date.now());
    if (!verified.ok) return connection.fail(verified.code, message.type);
    // A page of one site can't present another site's token (taken from that site's page): the socket's Origin
    // names its site. Null: the service's own pages (the demo portal), which any configured site's token may use.
    if (connection.siteId !== null && connection.siteId !== verified.claims.site)
      return connection.fail(ErrorCode.Unauthorized, message.type);
    // The site is the one whose secret signed the token: a site can only speak for its own visitors.
    const visitor: VisitorRef = { siteId: verified.claims.site, visitorId: verified.claims.sub };
    connection.visitorId = visitorKey(visitor);
    await connection.follow(Channels.tab(connection.id), (payload) => connection.sendRaw(payload));
    connection.onClose(() => presence.tabClosed(visitor, connection.id));
    await presence.tabOpened(visitor, connection.id, Date.now());
    const registered: { type: 'presence.registered'; visitorId: string; name?: string } = {
      type: 'presence.registered',
      visitorId: visitor.visitorId,
    };
    if (verified.claims.name) registered.name = verified.claims.name;
    connection.reply(registered);
  });

  router.on('visitor.active', { in: 'any', visitor: 'identified' }, async (connection, message) => {
    const visitor = parseVisitorKey(connection.visitorId);
    if (!visitor) return connection.fail(ErrorCode.Unauthorized, message.type);
    await presence.tabActive(visitor, connection.id, Date.now());
  });

  const watchedBy = new WeakMap<object, Watched>();
  router.on('agent.watch', { in: 'any' }, async (connection, message) => {
    const verified = verifyAgentToken(message.token, config.agentTokenSecret, Date.now());
    if (!verified.ok) return connection.fail(verified.code, message.type);
    const sites = tenantSites(verified.claims, config);
    let watched = watchedBy.get(connection);
    if (!watched) watchedBy.set(connection, (watched = new Map()));
    const fresh = [...new Set(message.visitorIds)].filter((id) => !watched.has(id));
    if (watched.size + fresh.length > MAX_WATCHED) return connection.fail(ErrorCode.RateLimited, message.type);
    // Online means online on any of the agent's sites: each change on one of them is checked against that, and the
    // agent is told only when the answer changes. Checks of one visitor run one after the other, so the last answer
    // told is the one read last.
    const report = (visitorId: string) => {
      const entry = watched.get(visitorId);
      if (!entry) return Promise.resolve();
      entry.checks = entry.checks
        .catch(() => undefined)
        .then(async () => {
          const online = await presence.isOnlineOnAny(entry.sites, visitorId);
          if (online === entry.online) return;
          entry.online = online;
          connection.send({ type: 'presence', visitorId, online });
        });
      return entry.checks;
    };
    // A change that can't be checked (Redis away) is checked with the next one.
    const reportLater = (visitorId: string) => () => void report(visitorId).catch(() => undefined);
    for (const visitorId of fresh) {
      watched.set(visitorId, { sites, online: undefined, checks: Promise.resolve() });
      for (const siteId of sites)
        await connection.follow(Channels.presence(visitorKey({ siteId, visitorId })), reportLater(visitorId));
      await report(visitorId);
    }
  });
};
