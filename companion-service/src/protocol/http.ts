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
  demoPortal: Type.Boolean(),
  codeLength: Type.Integer(),
});
export type PublicConfig = Static<typeof PublicConfig>;

/** Names are shown as text only; the pattern refuses control characters. */
export const DisplayName = Type.String({ minLength: 1, maxLength: 80, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });

export const DevSignInRequest = Type.Object(
  { name: DisplayName, privileges: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 8 })) },
  { additionalProperties: false },
);
export type DevSignInRequest = Static<typeof DevSignInRequest>;

export const AgentTokenResponse = Type.Object({
  token: Type.String(),
  expiresAt: Type.Integer(),
  name: Type.String(),
  privileges: Type.Array(Type.String()),
});
export type AgentTokenResponse = Static<typeof AgentTokenResponse>;

export const ConsoleTicketRequest = Type.Object({ code: SessionCode }, { additionalProperties: false });
export type ConsoleTicketRequest = Static<typeof ConsoleTicketRequest>;

export const ConsoleTicketResponse = Type.Object({
  /** The session the key belongs to: the console names it when it tells the join page how the session ended. */
  sessionId: Type.String(),
  ticket: Type.String(),
  consoleUrl: Type.String(),
  expiresAt: Type.Integer(),
});
export type ConsoleTicketResponse = Static<typeof ConsoleTicketResponse>;

const VisitorId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:@-]+$' });

/** A site's server asks for a visitor token for its logged-in visitor (header x-tandem-site-key). */
export const VisitorTokenRequest = Type.Object(
  { visitorId: VisitorId, name: Type.Optional(DisplayName) },
  { additionalProperties: false },
);
export type VisitorTokenRequest = Static<typeof VisitorTokenRequest>;
export const VisitorTokenResponse = Type.Object({ token: Type.String(), expiresAt: Type.Integer() });
export type VisitorTokenResponse = Static<typeof VisitorTokenResponse>;

export const PresenceResponse = Type.Object({ visitorId: Type.String(), online: Type.Boolean() });
export type PresenceResponse = Static<typeof PresenceResponse>;
export const PresenceParams = Type.Object({ visitorId: VisitorId });
export type PresenceParams = Static<typeof PresenceParams>;

/** 1-click connect: the agent asks an online visitor to join. */
export const InvitationRequest = Type.Object({ visitorId: VisitorId }, { additionalProperties: false });
export type InvitationRequest = Static<typeof InvitationRequest>;
export const InvitationResponse = Type.Object({
  invitationId: Type.String(),
  sessionId: Type.String(),
  ticket: Type.String(),
  consoleUrl: Type.String(),
  expiresAt: Type.Integer(),
});
export type InvitationResponse = Static<typeof InvitationResponse>;

export const DemoCustomer = Type.Object({ id: Type.String(), name: Type.String() });
export type DemoCustomer = Static<typeof DemoCustomer>;
export const DemoSignInRequest = Type.Object({ customerId: VisitorId }, { additionalProperties: false });
export type DemoSignInRequest = Static<typeof DemoSignInRequest>;
export const DemoSignInResponse = Type.Object({
  token: Type.String(),
  expiresAt: Type.Integer(),
  customer: DemoCustomer,
});
export type DemoSignInResponse = Static<typeof DemoSignInResponse>;
