import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Config } from '../config/schema';
import { ErrorCode } from '../protocol/codes';
import {
  AgentTokenResponse,
  ConsoleTicketRequest,
  ConsoleTicketResponse,
  DevSignInRequest,
  ErrorBody,
} from '../protocol/http';
import { errorText } from '../signaling/connection';
import type { AgentAdmission } from './agentAdmission';
import { signAgentToken, verifyAgentToken } from './agentToken';
import type { ConsoleTicketBook } from './consoleTickets';

export interface AuthOptions {
  config: Config;
  admission: AgentAdmission;
  tickets: ConsoleTicketBook;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.TokenExpired]: 401,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.InvalidCode]: 404,
  [ErrorCode.CodeExpired]: 410,
  [ErrorCode.DevSignInDisabled]: 404,
};

function fail(reply: FastifyReply, code: ErrorCode, retryAfterSeconds?: number) {
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  const body: ErrorBody = { code, message: errorText(code) };
  if (retryAfterSeconds !== undefined) body.retryAfterSeconds = retryAfterSeconds;
  return reply.code(STATUS[code] ?? 400).send(body);
}

/** Agent identity over HTTP: the development sign-in (only where config enables it) and console tickets for a
 * session key. */
export const authPlugin: FastifyPluginAsync<AuthOptions> = async (app, { config, admission, tickets }) => {
  app.post<{ Body: DevSignInRequest }>(
    '/api/dev/sign-in',
    { schema: { body: DevSignInRequest, response: { 200: AgentTokenResponse, 404: ErrorBody } } },
    async (request, reply) => {
      // Refused rather than unregistered so the join page can say why the form is missing.
      if (!config.devSignIn) return fail(reply, ErrorCode.DevSignInDisabled);
      const name = request.body.name.trim();
      const { token, claims } = signAgentToken(
        { sub: `dev:${name.toLowerCase()}`, name, privileges: ['Tandem_Agent_Video', 'Tandem_Remote_Control'] },
        config.agentTokenSecret,
        Date.now(),
        config.agentTokenTtlSeconds,
      );
      return { token, expiresAt: claims.exp * 1000, name };
    },
  );

  app.post<{ Body: ConsoleTicketRequest }>(
    '/api/agent/console-tickets',
    {
      schema: {
        body: ConsoleTicketRequest,
        response: { 201: ConsoleTicketResponse, '4xx': ErrorBody },
      },
    },
    async (request, reply) => {
      const header = request.headers.authorization ?? '';
      const token = header.startsWith('Bearer ') ? header.slice(7) : '';
      const verified = verifyAgentToken(token, config.agentTokenSecret, Date.now());
      if (!verified.ok) return fail(reply, verified.code);
      const admitted = admission.checkCode(verified.claims, request.body.code, request.ip);
      if (!admitted.ok) return fail(reply, admitted.code, admitted.retryAfterSeconds);
      const issued = tickets.issue(verified.claims, admitted.session.id, Date.now());
      const consoleUrl = new URL(`/console#ticket=${issued.ticket}`, config.publicUrl).toString();
      return reply.code(201).send({ ticket: issued.ticket, consoleUrl, expiresAt: issued.expiresAt });
    },
  );
};
