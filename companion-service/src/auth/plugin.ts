import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config/schema';
import { ErrorCode, Privilege } from '../protocol/codes';
import { DEVELOPMENT_TENANT } from '../tenancy/tenants';
import {
  AgentTokenResponse,
  ConsoleTicketRequest,
  ConsoleTicketResponse,
  DevSignInRequest,
  ErrorBody,
} from '../protocol/http';
import type { AgentAdmission } from './agentAdmission';
import { signAgentToken } from './agentToken';
import { agentFromRequest, sendError } from './bearer';
import type { ConsoleTickets } from './consoleTickets';

export interface AuthOptions {
  config: Config;
  admission: AgentAdmission;
  tickets: ConsoleTickets;
}

/** Agent identity over HTTP: the development sign-in (only where config enables it) and console tickets for a
 * session key. */
export const authPlugin: FastifyPluginAsync<AuthOptions> = async (app, { config, admission, tickets }) => {
  // Loud, at every start: with it on, anyone who reaches the service is an agent of the development tenant.
  if (config.devSignIn) {
    app.log.warn(
      `DEVELOPMENT SIGN-IN IS ON: anyone who can reach this service can sign in as an agent and join the visitors of ` +
        `${config.devSignInSiteIds.map((id) => `"${id}"`).join(', ') || 'no site'}, and published development secrets ` +
        `are accepted. Turn it off (TANDEM_DEV_SIGN_IN=false, or TANDEM_CONFIG=production) anywhere but your own machine.`,
    );
  }

  app.post<{ Body: DevSignInRequest }>(
    '/api/dev/sign-in',
    { schema: { body: DevSignInRequest, response: { 200: AgentTokenResponse, 404: ErrorBody } } },
    async (request, reply) => {
      // Refused rather than unregistered so the join page can say why the form is missing.
      if (!config.devSignIn) return sendError(reply, ErrorCode.DevSignInDisabled);
      const name = request.body.name.trim();
      // The development agent may choose to go without a privilege, to try the product as such an agent would.
      const privileges = (request.body.privileges ?? Object.values(Privilege)).filter((p) =>
        (Object.values(Privilege) as string[]).includes(p),
      );
      const { token, claims } = signAgentToken(
        { sub: `dev:${name.toLowerCase()}`, name, org: DEVELOPMENT_TENANT, privileges },
        config.agentTokenSecret,
        Date.now(),
        config.agentTokenTtlSeconds,
      );
      return { token, expiresAt: claims.exp * 1000, name, privileges };
    },
  );

  app.post<{ Body: ConsoleTicketRequest }>(
    '/api/agent/console-tickets',
    { schema: { body: ConsoleTicketRequest, response: { 201: ConsoleTicketResponse, '4xx': ErrorBody } } },
    async (request, reply) => {
      const agent = agentFromRequest(request, reply, config);
      if (!agent) return reply;
      const admitted = await admission.checkCode(agent, request.body.code, request.ip);
      if (!admitted.ok) return sendError(reply, admitted.code, admitted.retryAfterSeconds);
      const issued = await tickets.issue(agent, admitted.session.id, Date.now());
      const consoleUrl = new URL(`/console#ticket=${issued.ticket}`, config.publicUrl).toString();
      return reply
        .code(201)
        .send({ sessionId: admitted.session.id, ticket: issued.ticket, consoleUrl, expiresAt: issued.expiresAt });
    },
  );
};
