import { Type, type Static } from '@sinclair/typebox';
import { ErrorCode } from './codes';
import { DisplayName } from './http';
import { SessionCode } from './messages';

/* HTTP bodies of the endpoints the Salesforce package's Apex calls through its Named Credential (authenticated by
 * the org's API key in the X-Tandem-Api-Key header), and of Sign in with Salesforce for the agent join page.
 * Fastify validates requests against these; the Apex class TandemController builds the same shapes. */

export const API_KEY_HEADER = 'x-tandem-api-key';

/** Salesforce record ids: 15 or 18 characters. */
const sfId = (prefix: string) =>
  Type.String({ pattern: `^${prefix}[A-Za-z0-9]{${15 - prefix.length}}([A-Za-z0-9]{3})?$` });
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

export const SfPresenceRequest = Type.Object(
  { orgId: SfOrgId, contactId: SfContactId },
  { additionalProperties: false },
);
export type SfPresenceRequest = Static<typeof SfPresenceRequest>;
export const SfPresenceResponse = Type.Object({ contactId: Type.String(), online: Type.Boolean() });
export type SfPresenceResponse = Static<typeof SfPresenceResponse>;

/** 1-click connect from the Contact page. */
export const SfInvitationRequest = Type.Object(
  { ...AgentContext, contactId: SfContactId },
  { additionalProperties: false },
);
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

/* The outbox of session records, for the org's admin: records Salesforce kept refusing are parked (never retried by
 * themselves, never holding up the org's other records) until the admin fixes the cause and requeues them. */

export const SfOutboxStatus = Type.Union([Type.Literal('parked'), Type.Literal('pending'), Type.Literal('delivered')]);
export type SfOutboxStatus = Static<typeof SfOutboxStatus>;

/** GET /api/salesforce/outbox: query strings stay strings (no coercion), hence the digit pattern for limit. */
export const SfOutboxListQuery = Type.Object(
  {
    orgId: SfOrgId,
    /** parked when left out. */
    status: Type.Optional(SfOutboxStatus),
    /** 1 to 200; 50 when left out. */
    limit: Type.Optional(Type.String({ pattern: '^(200|1[0-9]{2}|[1-9][0-9]?)$', maxLength: 3 })),
  },
  { additionalProperties: false },
);
export type SfOutboxListQuery = Static<typeof SfOutboxListQuery>;

/** One record as the admin sees it: what, where it stands and why; never the field values. Times are epoch ms. */
export const SfOutboxRecord = Type.Object({
  id: Type.Integer(),
  sobject: Type.String(),
  /** The session id, the record's External_Id__c. */
  externalId: Type.String(),
  status: SfOutboxStatus,
  /** Every failed attempt so far, including those while the org was unreachable. */
  attempts: Type.Integer(),
  /** Failed attempts where Salesforce refused this record itself (since the last requeue). */
  recordFailures: Type.Integer(),
  /** Salesforce's error code, the fields it named and its message, from the last failure. */
  reason: Type.Union([Type.String(), Type.Null()]),
  /** Lookups left out because Salesforce refused them (e.g. a deleted contact). */
  omittedFields: Type.Array(Type.String()),
  createdAt: Type.Integer(),
  nextAttemptAt: Type.Union([Type.Integer(), Type.Null()]),
  parkedAt: Type.Union([Type.Integer(), Type.Null()]),
  deliveredAt: Type.Union([Type.Integer(), Type.Null()]),
});
export type SfOutboxRecord = Static<typeof SfOutboxRecord>;

export const SfOutboxListResponse = Type.Object({
  orgId: Type.String(),
  status: SfOutboxStatus,
  records: Type.Array(SfOutboxRecord),
  /** More records match than were listed. */
  truncated: Type.Boolean(),
});
export type SfOutboxListResponse = Static<typeof SfOutboxListResponse>;

/** POST /api/salesforce/outbox/:id/retry */
export const SfOutboxRecordParams = Type.Object(
  { id: Type.String({ pattern: '^[1-9][0-9]{0,14}$', maxLength: 15 }) },
  { additionalProperties: false },
);
export type SfOutboxRecordParams = Static<typeof SfOutboxRecordParams>;
export const SfOutboxRetryRequest = Type.Object({ orgId: SfOrgId }, { additionalProperties: false });
export type SfOutboxRetryRequest = Static<typeof SfOutboxRetryRequest>;
export const SfOutboxRetryResponse = Type.Object({ record: SfOutboxRecord });
export type SfOutboxRetryResponse = Static<typeof SfOutboxRetryResponse>;

/** The error codes each endpoint Apex calls may answer with (besides a 400 for a body its schema refuses). Apex has a
 * message for each (TandemService.MESSAGES_BY_CODE; test/unit/apexErrorCodes.test.ts checks). Every one of them
 * answers unauthorized for a key no org has, and rate_limited past the org's calls per minute. */
export const SalesforceEndpointErrors = {
  '/api/salesforce/agent-tokens': [ErrorCode.Unauthorized, ErrorCode.RateLimited],
  '/api/salesforce/presence': [ErrorCode.Unauthorized, ErrorCode.RateLimited],
  '/api/salesforce/invitations': [
    ErrorCode.Unauthorized,
    ErrorCode.RateLimited,
    ErrorCode.VisitorOffline,
    ErrorCode.InvitationPending,
  ],
  '/api/salesforce/console-tickets': [
    ErrorCode.Unauthorized,
    ErrorCode.RateLimited,
    ErrorCode.InvalidCode,
    ErrorCode.CodeExpired,
  ],
  '/api/salesforce/visitor-tokens': [ErrorCode.Unauthorized, ErrorCode.RateLimited, ErrorCode.Forbidden],
} as const satisfies Record<string, readonly ErrorCode[]>;

/** Refusals particular to the outbox endpoints (the ErrorBody shape). */
export const SfOutboxErrorCode = {
  /** No record with that id belongs to the calling org (whether or not another org has one). */
  NotFound: 'outbox_record_not_found',
  /** Only parked records can be requeued. */
  NotParked: 'outbox_record_not_parked',
} as const;

/** Why a sign-in failed, handed to the join page as `#salesforce_error=<reason>`. */
export const SignInFailure = {
  Denied: 'denied',
  Expired: 'expired',
  OrgNotRegistered: 'org_not_registered',
  NoPermission: 'no_permission',
  Unavailable: 'unavailable',
  /** Salesforce refused the request itself (e.g. invalid_scope: the connected app lacks a scope we ask for). */
  Misconfigured: 'misconfigured',
} as const;
export type SignInFailure = (typeof SignInFailure)[keyof typeof SignInFailure];
