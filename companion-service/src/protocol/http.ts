import { Type, type Static } from '@sinclair/typebox';
import { SessionCode } from './messages';

/* HTTP request and response bodies. Fastify validates requests against these; clients import the types. */

export const ErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
  retryAfterSeconds: Type.Optional(Type.Integer()),
});
export type ErrorBody = Static<typeof ErrorBody>;

export const PublicConfig = Type.Object({
  devSignIn: Type.Boolean(),
  codeLength: Type.Integer(),
});
export type PublicConfig = Static<typeof PublicConfig>;

/** Names are shown as text only; the pattern refuses control characters. */
export const DisplayName = Type.String({ minLength: 1, maxLength: 80, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });

export const DevSignInRequest = Type.Object({ name: DisplayName }, { additionalProperties: false });
export type DevSignInRequest = Static<typeof DevSignInRequest>;

export const AgentTokenResponse = Type.Object({ token: Type.String(), expiresAt: Type.Integer(), name: Type.String() });
export type AgentTokenResponse = Static<typeof AgentTokenResponse>;

export const ConsoleTicketRequest = Type.Object({ code: SessionCode }, { additionalProperties: false });
export type ConsoleTicketRequest = Static<typeof ConsoleTicketRequest>;

export const ConsoleTicketResponse = Type.Object({
  ticket: Type.String(),
  consoleUrl: Type.String(),
  expiresAt: Type.Integer(),
});
export type ConsoleTicketResponse = Static<typeof ConsoleTicketResponse>;
