import { Type, type Static } from '@sinclair/typebox';
import { OriginList, SiteIdList } from '../config/fields';

/* The `salesforce` block of the service configuration (see config/schema.ts and docs/admin-install.md). */

const HttpUrl = Type.String({ pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$' });

/** 15- or 18-character Salesforce organization id. */
export const OrgId = Type.String({ pattern: '^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$' });

/** How the service signs in to an org to write session records: OAuth 2.0 JWT bearer (a connected app with a
 * certificate and a pre-authorized integration user) or client credentials (a connected app's run-as user). */
const JwtIntegration = Type.Object(
  {
    flow: Type.Literal('jwt'),
    /** The org's My Domain URL (or https://login.salesforce.com / https://test.salesforce.com). */
    loginUrl: HttpUrl,
    clientId: Type.String({ minLength: 1 }),
    username: Type.String({ minLength: 1 }),
    /** The assertion's audience: https://login.salesforce.com (default) or https://test.salesforce.com for a
     * sandbox (the default when loginUrl is a sandbox). */
    audience: Type.Optional(HttpUrl),
    /** PEM private key matching the connected app's certificate; or privateKeyPath. */
    privateKey: Type.Optional(Type.String({ minLength: 1 })),
    /** File holding the PEM private key, relative to the repository when not absolute. */
    privateKeyPath: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
const ClientCredentialsIntegration = Type.Object(
  {
    flow: Type.Literal('clientCredentials'),
    /** The org's My Domain URL: client credentials are refused on login.salesforce.com. */
    loginUrl: HttpUrl,
    clientId: Type.String({ minLength: 1 }),
    clientSecret: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

export const SalesforceOrgConfig = Type.Object(
  {
    orgId: OrgId,
    /** Shown in logs and errors. */
    name: Type.String({ minLength: 1, maxLength: 80 }),
    /** SHA-256 (hex) of the API key the org's External Credential sends; the key itself is never stored. */
    apiKeySha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    /** The org's My Domain URL, used until a token response names another. */
    instanceUrl: HttpUrl,
    /** The sites (ids in `sites`) whose visitors this org's agents may see, invite and join: the org's tenant. The
     * first one also signs visitor tokens for the org's Experience Cloud users. Empty: the org's agents see no
     * visitor and join only sessions started on no customer's site. */
    siteIds: SiteIdList,
    /** Origins of the org's pages where the Tandem component runs, besides the Lightning origin of instanceUrl
     * (https://acme.my.salesforce.com → https://acme.lightning.force.com), which is always allowed. */
    allowedOrigins: Type.Optional(OriginList),
    /** Credentials for writing Tandem_Session__c records; without them sessions are not recorded in the org. */
    integration: Type.Optional(Type.Union([JwtIntegration, ClientCredentialsIntegration])),
  },
  { additionalProperties: false },
);
export type SalesforceOrgConfig = Static<typeof SalesforceOrgConfig>;
export type SalesforceIntegration = NonNullable<SalesforceOrgConfig['integration']>;

export const SalesforceConfigSchema = Type.Object(
  {
    /** REST API version used for queries and upserts, e.g. "64.0". */
    apiVersion: Type.String({ pattern: '^[0-9]{2,3}\\.0$' }),
    /** Any single call to Salesforce gives up after this long. */
    requestTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 120 }),
    /** Calls from one org's Apex (presence polls, joins) allowed per minute. */
    requestsPerOrgPerMinute: Type.Integer({ minimum: 1, maximum: 100000 }),
    /** Calls whose API key is no registered org's, allowed per client address per minute: guessing keys is slow. */
    unknownKeyRequestsPerAddressPerMinute: Type.Integer({ minimum: 1, maximum: 100000 }),
    orgs: Type.Array(SalesforceOrgConfig, { maxItems: 1000 }),
    /** Where agents sign in for the join page's "Sign in with Salesforce" (login.salesforce.com or a My Domain). */
    loginUrl: HttpUrl,
    /** "Sign in with Salesforce" on the agent join page: OAuth 2.0 web-server flow with PKCE. */
    oauth: Type.Object(
      {
        enabled: Type.Boolean(),
        clientId: Type.String(),
        /** Only when the connected app requires a secret for the web-server flow. */
        clientSecret: Type.String(),
        /** Path of the callback on this service; the connected app's callback URL is publicUrl + this. */
        redirectPath: Type.String({ pattern: '^/[A-Za-z0-9/_-]*$' }),
        /** Space-separated OAuth scopes: api for the SOQL queries, and openid (or id/profile) for the userinfo call;
         * the connected app must allow them all. Checked at start (see signInScopes.ts). */
        scope: Type.String({ minLength: 1, maxLength: 500, pattern: '^[A-Za-z0-9_.:/-]+( [A-Za-z0-9_.:/-]+)*$' }),
      },
      { additionalProperties: false },
    ),
    /** Session records written to Salesforce through a durable outbox. */
    outbox: Type.Object(
      {
        enabled: Type.Boolean(),
        pollSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
        /** First retry delay; doubled on each failure up to maxBackoffSeconds (with jitter). */
        initialBackoffSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
        maxBackoffSeconds: Type.Integer({ minimum: 1, maximum: 7 * 24 * 3600 }),
        batchSize: Type.Integer({ minimum: 1, maximum: 200 }),
        /** A claimed record is not handed to another worker for this long. */
        leaseSeconds: Type.Integer({ minimum: 5, maximum: 3600 }),
        /** Attempts at a record Salesforce refuses for itself (a validation rule, a field error) before it is parked
         * for an admin. Failures of the whole org (unreachable, signed out) don't count. */
        recordAttempts: Type.Integer({ minimum: 1, maximum: 20 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type SalesforceConfig = Static<typeof SalesforceConfigSchema>;
