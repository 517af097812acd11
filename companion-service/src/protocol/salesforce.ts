import { Type, type Static } from '@sinclair/typebox';
import { DisplayName } from './http';
import { SessionCode } from './messages';

/* HTTP bodies of the endpoints the Salesforce package's Apex calls through its Named Credential (authenticated by
 * the org's API key in the X-Tandem-Api-Key header), and of Sign in with Salesforce for the agent join page.
 * Fastify validates requests against these; the Apex class TandemController builds the same shapes. */

export const API_KEY_HEADER = 'x-tandem-api-key';

/** Salesforce record ids: 15 or 18 characters. */
const sfId = (prefix: string) => Type.String({ pattern: `^${prefix}[A-Za-z0-9]{${15 - prefix.length}}([A-Za-z0-9]{3})?$` });
export const SfOrgId = sfId('00D');
export const SfUserId = sfId('005');
export const SfContactId = sfId('003');

/** Who is asking, as Apex knows them: the running user and the custom permissions FeatureManagement reports. */
const AgentContext = {
  orgId: SfOrgId,
  userId: SfUserId,
  userName: DisplayName,
  privileges: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 8 }),
};

export const SfAgentTokenRequest = Type.Object(
  { ...AgentContext, contactId: Type.Optional(SfContactId) },
  { additionalProperties: false },
);
export type SfAgentTokenRequest = Static<typeof SfAgentTokenRequest>;
/** An agent token for the component's presence socket, with what the component needs to use it. */
export const SfAgentTokenResponse = Type.Object({
  token: Type.String(),
  expiresAt: Type.Integer(),
  /** wss:// address of the service's socket (allowed by the package's CSP trusted site). */
  wsUrl: Type.String(),
  /** Digits in a session key, for the key field's validation. */
  codeLength: Type.Integer(),
  /** Whether the contact is online now, when a contact was named. */
  online: Type.Optional(Type.Boolean()),
});
export type SfAgentTokenResponse = Static<typeof SfAgentTokenResponse>;

export const SfPresenceRequest = Type.Object({ orgId: SfOrgId, contactId: SfContactId }, { additionalProperties: false });
export type SfPresenceRequest = Static<typeof SfPresenceRequest>;
export const SfPresenceResponse = Type.Object({ contactId: Type.String(), online: Type.Boolean() });
export type SfPresenceResponse = Static<typeof SfPresenceResponse>;

/** 1-click connect from the Contact page. */
export const SfInvitationRequest = Type.Object({ ...AgentContext, contactId: SfContactId }, { additionalProperties: false });
export type SfInvitationRequest = Static<typeof SfInvitationRequest>;

/** Join with the key a visitor reads out; the contact is the record the agent is on, if any. */
export const SfKeyJoinRequest = Type.Object(
  { ...AgentContext, code: SessionCode, contactId: Type.Optional(SfContactId) },
  { additionalProperties: false },
);
export type SfKeyJoinRequest = Static<typeof SfKeyJoinRequest>;

/** Either way, the agent console opens at consoleUrl, which carries a single-use ticket. */
export const SfJoinResponse = Type.Object({
  sessionId: Type.String(),
  ticket: Type.String(),
  consoleUrl: Type.String(),
  expiresAt: Type.Integer(),
});
export type SfJoinResponse = Static<typeof SfJoinResponse>;

/** Experience Cloud: Apex asks for a visitor token for the logged-in portal user's contact. */
export const SfVisitorTokenRequest = Type.Object(
  { orgId: SfOrgId, contactId: SfContactId, name: Type.Optional(DisplayName) },
  { additionalProperties: false },
);
export type SfVisitorTokenRequest = Static<typeof SfVisitorTokenRequest>;
export const SfVisitorTokenResponse = Type.Object({ token: Type.String(), expiresAt: Type.Integer() });
export type SfVisitorTokenResponse = Static<typeof SfVisitorTokenResponse>;

/** Sign in with Salesforce, for the agent join page. */
export const SfSignInStatus = Type.Object({
  enabled: Type.Boolean(),
  /** Where the page sends the browser to sign in. */
  loginPath: Type.String(),
});
export type SfSignInStatus = Static<typeof SfSignInStatus>;

/** The page trades the one-time code it was handed (in the URL fragment) for an agent token. */
export const SfSignInExchangeRequest = Type.Object(
  { code: Type.String({ minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);
export type SfSignInExchangeRequest = Static<typeof SfSignInExchangeRequest>;
