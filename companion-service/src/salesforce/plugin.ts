import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentAdmission } from '../auth/agentAdmission';
import { signAgentToken, type AgentClaims } from '../auth/agentToken';
import { sendError } from '../auth/bearer';
import type { ConsoleTickets } from '../auth/consoleTickets';
import type { Config } from '../config/schema';
import { signVisitorToken } from '../identity/visitorToken';
import type { PresenceService } from '../presence/presenceService';
import { ErrorCode } from '../protocol/codes';
import { ErrorBody } from '../protocol/http';
import {
  SfAgentTokenRequest,
  SfAgentTokenResponse,
  SfInvitationRequest,
  SfJoinResponse,
  SfKeyJoinRequest,
  SfPresenceRequest,
  SfPresenceResponse,
  SfVisitorTokenRequest,
  SfVisitorTokenResponse,
} from '../protocol/salesforce';
import type { SessionService } from '../sessions/sessionService';
import type { Store } from '../store/store';
import { tenantSites } from '../tenancy/tenants';
import { apiKeyOf, salesforceCallLimit } from './callLimit';
import { OrgRegistry, orgKey, type RegisteredOrg } from './orgRegistry';
import { SalesforceOutbox } from './outbox';
import { registerOutboxRoutes } from './outboxRoutes';
import { privilegesFrom } from './permissions';
import { SESSION_SOBJECT, sessionRecordFields } from './sessionRecord';
import { inviteVisitor } from '../terms/inviteVisitor';
import { registerSignInRoutes } from './signIn';
import type { SharedRedis } from '../redis/shared';
import type { PromptTimers } from '../terms/promptTimers';

export interface SalesforceOptions {
  config: Config;
  store: Store;
  sessions: SessionService;
  presence: PresenceService;
  tickets: ConsoleTickets;
  admission: AgentAdmission;
  promptTimers: PromptTimers;
  /** Pending sign-ins are kept there when set (signIn.ts). */
  redis?: SharedRedis | undefined;
}

/** Salesforce: the endpoints the package's Apex calls through its Named Credential (each org authenticated by its
 * API key), Sign in with Salesforce for the join page, and the outbox writing ended sessions to Tandem_Session__c. */
export const salesforcePlugin: FastifyPluginAsync<SalesforceOptions> = async (app, opts) => {
  const { config, store, sessions, presence, tickets, admission, redis, promptTimers } = opts;
  const sf = config.salesforce;
  const settings = { apiVersion: sf.apiVersion, timeoutMs: sf.requestTimeoutSeconds * 1000 };
  const registry = new OrgRegistry(sf, settings);
  await registry.syncToStore(store, Date.now());

  // --- session records -------------------------------------------------------------------------------------
  const outbox = new SalesforceOutbox({ store, registry, config: sf.outbox, log: app.log });
  if (sf.outbox.enabled) {
    sessions.onEnded(async (summary) => {
      const link = await store.getSalesforceSessionLink(summary.sessionId);
      const orgId = link?.orgId ?? (summary.agentId ? await store.getSalesforceUserOrg(summary.agentId) : undefined);
      const org = orgId ? registry.find(orgId) : undefined;
      if (!org?.connection) return;
      const terms = await store.getTermsAcceptance(summary.sessionId);
      const fields = sessionRecordFields(summary, link, terms, org.config.siteIds);
      await outbox.enqueue(org.config.orgId, SESSION_SOBJECT, summary.sessionId, fields);
    });
    app.addHook('onReady', async () => outbox.start());
    app.addHook('onClose', async () => outbox.stop());
  }

  // --- sign in with Salesforce (agent join page) ------------------------------------------------------------
  registerSignInRoutes(app, { config, store, registry, settings, redis });

  // --- endpoints Apex calls -----------------------------------------------------------------------------------
  // Per org for registered keys, per address for anything else (callLimit.ts).
  const perOrg = salesforceCallLimit(registry, sf);
  // The org's admin: parked session records, and requeueing them.
  registerOutboxRoutes(app, { store, registry, outbox, routeConfig: perOrg });

  const orgOf = (
    request: FastifyRequest<{ Body: { orgId: string } }>,
    reply: FastifyReply,
  ): RegisteredOrg | undefined => {
    const org = registry.authenticate(request.body.orgId, apiKeyOf(request));
    if (!org) sendError(reply, ErrorCode.Unauthorized);
    return org;
  };
  const agentFrom = async (org: RegisteredOrg, body: { userId: string; userName: string; privileges: string[] }) => {
    const now = Date.now();
    await store.rememberSalesforceUser(body.userId, org.config.orgId, now);
    return signAgentToken(
      // The token's tenant is the org: whatever the agent does with it stays within the org's sites.
      {
        sub: body.userId,
        name: body.userName.trim() || 'Agent',
        org: org.config.orgId,
        privileges: privilegesFrom(body.privileges),
      },
      config.agentTokenSecret,
      now,
      config.agentTokenTtlSeconds,
    );
  };
  const link = (
    org: RegisteredOrg,
    sessionId: string,
    agent: AgentClaims,
    visitor: { siteId: string | null; contactId: string | undefined },
  ) =>
    store.linkSalesforceSession({
      sessionId,
      orgId: org.config.orgId,
      siteId: visitor.siteId,
      contactId: visitor.contactId ?? null,
      agentUserId: agent.sub,
      createdAt: Date.now(),
    });
  /** Is the contact online on one of the org's sites? */
  const onlineInOrg = (org: RegisteredOrg, contactId: string) =>
    presence.isOnlineOnAny(tenantSites({ org: org.config.orgId }, config), contactId);
  const wsUrl = new URL('/ws', config.publicUrl.replace(/^http/, 'ws')).toString();

  // The component's presence socket and its first answer, in one callout.
  app.post<{ Body: SfAgentTokenRequest }>(
    '/api/salesforce/agent-tokens',
    {
      config: perOrg,
      schema: { body: SfAgentTokenRequest, response: { 201: SfAgentTokenResponse, '4xx': ErrorBody } },
    },
    async (request, reply) => {
      const org = orgOf(request, reply);
      if (!org) return reply;
      const { token, claims } = await agentFrom(org, request.body);
      const body: SfAgentTokenResponse = {
        token,
        expiresAt: claims.exp * 1000,
        wsUrl,
        codeLength: config.session.codeLength,
      };
      if (request.body.contactId) body.online = await onlineInOrg(org, request.body.contactId);
      return reply.code(201).send(body);
    },
  );

  // Polling fallback when the component cannot hold a socket.
  app.post<{ Body: SfPresenceRequest }>(
    '/api/salesforce/presence',
    { config: perOrg, schema: { body: SfPresenceRequest, response: { 200: SfPresenceResponse, '4xx': ErrorBody } } },
    async (request, reply) => {
      const org = orgOf(request, reply);
      if (!org) return reply;
      return { contactId: request.body.contactId, online: await onlineInOrg(org, request.body.contactId) };
    },
  );

  // 1-click connect: the flow of POST /api/agent/invitations (terms prompt on the visitor's tab, ticket). The
  // component sends just the contact id; the visitor is found on the org's sites only.
  app.post<{ Body: SfInvitationRequest }>(
    '/api/salesforce/invitations',
    { config: perOrg, schema: { body: SfInvitationRequest, response: { 201: SfJoinResponse, '4xx': ErrorBody } } },
    async (request, reply) => {
      const org = orgOf(request, reply);
      if (!org) return reply;
      const { claims } = await agentFrom(org, request.body);
      const invited = await inviteVisitor(
        { config, sessions, presence, tickets, promptTimers },
        claims,
        request.body.contactId,
      );
      if (!invited.ok) return sendError(reply, invited.code);
      const { sessionId, visitor, ticket, consoleUrl, ticketExpiresAt } = invited.invited;
      await link(org, sessionId, claims, { siteId: visitor.siteId, contactId: visitor.visitorId });
      return reply.code(201).send({ sessionId, ticket, consoleUrl, expiresAt: ticketExpiresAt });
    },
  );

  // Join with the key the visitor reads out. Wrong keys count per agent and per org.
  app.post<{ Body: SfKeyJoinRequest }>(
    '/api/salesforce/console-tickets',
    { config: perOrg, schema: { body: SfKeyJoinRequest, response: { 201: SfJoinResponse, '4xx': ErrorBody } } },
    async (request, reply) => {
      const org = orgOf(request, reply);
      if (!org) return reply;
      const { claims } = await agentFrom(org, request.body);
      const admitted = await admission.checkCode(claims, request.body.code, `salesforce:${orgKey(org.config.orgId)}`);
      if (!admitted.ok) return sendError(reply, admitted.code, admitted.retryAfterSeconds);
      const issued = await tickets.issue(claims, admitted.session.id, Date.now());
      await link(org, admitted.session.id, claims, {
        siteId: admitted.session.siteId,
        contactId: request.body.contactId,
      });
      const consoleUrl = new URL(`/console#ticket=${issued.ticket}`, config.publicUrl).toString();
      return reply
        .code(201)
        .send({ sessionId: admitted.session.id, ticket: issued.ticket, consoleUrl, expiresAt: issued.expiresAt });
    },
  );

  // Experience Cloud: a visitor token for the logged-in portal user's contact, signed for the org's first site.
  app.post<{ Body: SfVisitorTokenRequest }>(
    '/api/salesforce/visitor-tokens',
    {
      config: perOrg,
      schema: { body: SfVisitorTokenRequest, response: { 201: SfVisitorTokenResponse, '4xx': ErrorBody } },
    },
    async (request, reply) => {
      const org = orgOf(request, reply);
      if (!org) return reply;
      const siteId = org.config.siteIds[0];
      const site = siteId === undefined ? undefined : config.sites.find((s) => s.id === siteId);
      if (!site) return sendError(reply, ErrorCode.Forbidden);
      const input: { site: string; sub: string; name?: string } = { site: site.id, sub: request.body.contactId };
      if (request.body.name) input.name = request.body.name;
      const { token, claims } = signVisitorToken(input, site.signingSecret, Date.now(), config.visitorTokenTtlSeconds);
      return reply.code(201).send({ token, expiresAt: claims.exp * 1000 });
    },
  );
};
