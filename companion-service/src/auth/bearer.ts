import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/schema';
import { ErrorCode } from '../protocol/codes';
import type { ErrorBody } from '../protocol/http';
import { errorText } from '../protocol/errorText';
import { verifyAgentToken, type AgentClaims } from './agentToken';

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.TokenExpired]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NoPrivilege]: 403,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.InvalidCode]: 404,
  [ErrorCode.DevSignInDisabled]: 404,
  [ErrorCode.CodeExpired]: 410,
  [ErrorCode.VisitorOffline]: 409,
  [ErrorCode.InvitationPending]: 409,
};

/** Sends an error body with the status that fits its code. */
export function sendError(reply: FastifyReply, code: ErrorCode, retryAfterSeconds?: number): FastifyReply {
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  const body: ErrorBody = { code, message: errorText(code) };
  if (retryAfterSeconds !== undefined) body.retryAfterSeconds = retryAfterSeconds;
  return reply.code(STATUS[code] ?? 400).send(body);
}

/** The agent behind `Authorization: Bearer <agent token>`, or an error reply already sent. */
export function agentFromRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  config: Config,
): AgentClaims | undefined {
  const header = request.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : '';
  const verified = verifyAgentToken(token, config.agentTokenSecret, Date.now());
  if (verified.ok) return verified.claims;
  sendError(reply, verified.code);
  return undefined;
}
