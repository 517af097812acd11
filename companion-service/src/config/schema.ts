import { Type, type Static } from '@sinclair/typebox';
import { SalesforceConfigSchema } from '../salesforce/configSchema';
import { StoreConfigSchema } from '../store/configSchema';
import { OriginList, SiteId, SiteIdList } from './fields';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const PositiveInt = (max: number) => Type.Integer({ minimum: 1, maximum: max });

/** Proxy names proxy-addr knows, or an IPv4/IPv6 address with an optional CIDR prefix length. */
const ProxyAddress = Type.String({
  maxLength: 64,
  pattern: '^(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(/[0-9]{1,3})?)$',
});

const IceServer = Type.Object(
  {
    urls: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })]),
    username: Type.Optional(Type.String()),
    credential: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** Every setting the service reads. Unknown keys are refused so a typo can't silently fall back to a default. */
export const ConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1 }),
    port: Port,
    publicUrl: Type.String({ pattern: '^https?://[^\\s]+$' }),
    /** Whose X-Forwarded-For to believe for the client address the per-IP limits count, as Fastify's trustProxy:
     * false (the socket's address), true (any sender: only behind a proxy that overwrites the header), a hop count,
     * or the proxies' addresses/CIDRs. */
    trustProxy: Type.Union([
      Type.Boolean(),
      Type.Integer({ minimum: 1, maximum: 32 }),
      Type.Array(ProxyAddress, { minItems: 1, maxItems: 64 }),
    ]),
    logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
    /** The development sign-in: anyone may sign in as an agent. For local use only; refused with published secrets
     * unless it is on (config/publishedSecrets.ts), and loudly logged while it is. */
    devSignIn: Type.Boolean(),
    /** The sites whose visitors agents of the development sign-in may see, invite and join (tenancy/tenants.ts). */
    devSignInSiteIds: SiteIdList,
    /** Serve the demo portal's customer sign-in (mints visitor tokens for the "demo" site). */
    demoPortal: Type.Boolean(),
    agentTokenSecret: Type.String({ minLength: 32 }),
    agentTokenTtlSeconds: PositiveInt(7 * 24 * 3600),
    consoleTicketTtlSeconds: PositiveInt(3600),
    visitorTokenTtlSeconds: PositiveInt(7 * 24 * 3600),
    /** Customer websites whose logged-in visitors can be joined in one click. */
    sites: Type.Array(
      Type.Object(
        {
          id: SiteId,
          /** Sent by the site's server to POST /api/visitor-tokens. */
          apiKey: Type.String({ minLength: 24 }),
          /** Signs visitor tokens; sites may sign their own tokens with it. */
          signingSecret: Type.String({ minLength: 32 }),
          /** Origins of the site's pages (where its widget runs), e.g. https://shop.example.com; only these may open
           * the WebSocket for the site (tenancy/origins.ts). None: the site's pages can't connect. */
          allowedOrigins: Type.Optional(OriginList),
        },
        { additionalProperties: false },
      ),
      { maxItems: 1000 },
    ),
    terms: Type.Object(
      {
        version: Type.String({ minLength: 1, maxLength: 40 }),
        /** Shown to the visitor as plain text. */
        text: Type.String({ minLength: 1, maxLength: 20000 }),
        promptSeconds: Type.Integer({ minimum: 5, maximum: 600 }),
        agentWaitSeconds: Type.Integer({ minimum: 5, maximum: 3600 }),
      },
      { additionalProperties: false },
    ),
    guests: Type.Object(
      {
        codeLength: Type.Integer({ minimum: 4, maximum: 12 }),
        codeTtlSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
        maxExtensions: Type.Integer({ minimum: 0, maximum: 20 }),
        inviteTtlSeconds: PositiveInt(7 * 24 * 3600),
        wrongCodesPerSession: PositiveInt(1000),
      },
      { additionalProperties: false },
    ),
    session: Type.Object(
      {
        codeLength: Type.Integer({ minimum: 4, maximum: 12 }),
        codeTtlSeconds: PositiveInt(24 * 3600),
        resumeGraceSeconds: Type.Integer({ minimum: 0, maximum: 600 }),
        maxParticipants: Type.Integer({ minimum: 2, maximum: 16 }),
      },
      { additionalProperties: false },
    ),
    cobrowse: Type.Object(
      {
        /** Sustained rate of a visitor's page stream; a burst allows full snapshots. */
        bytesPerSecond: Type.Integer({ minimum: 1024, maximum: 100 * 1024 * 1024 }),
        burstBytes: Type.Integer({ minimum: 1024, maximum: 1024 * 1024 * 1024 }),
        /** An agent socket with more than this unsent drops the stream and gets a fresh snapshot instead. A batch
         * already going out is finished, so a socket may hold this plus one batch (at most burstBytes). */
        agentBufferBytes: Type.Integer({ minimum: 16 * 1024, maximum: 1024 * 1024 * 1024 }),
        /** CSS selectors the widget masks in the visitor's browser, besides password fields and data-tandem-mask. */
        maskSelectors: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50 }),
      },
      { additionalProperties: false },
    ),
    joinAttempts: Type.Object(
      {
        perAgent: PositiveInt(1000),
        perIp: PositiveInt(10000),
        windowSeconds: PositiveInt(24 * 3600),
      },
      { additionalProperties: false },
    ),
    /** Caps against one address (or one session) wearing the service down. */
    limits: Type.Object(
      {
        /** Open WebSockets from one client address at once (a contact center's NAT carries all its agents). */
        socketsPerAddress: PositiveInt(100_000),
        /** Sessions one client address may start per minute (each writes rows). */
        sessionsPerAddressPerMinute: PositiveInt(100_000),
        /** HTTP requests one client address may make per minute, built files, /ws and health checks aside (server.ts). */
        httpRequestsPerAddressPerMinute: PositiveInt(1_000_000),
        /** A socket that has neither started, joined nor identified anything by then is closed. */
        idleSocketSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
        /** Guests of one session waiting to be admitted at once (each holds a code). */
        pendingGuestsPerSession: PositiveInt(100),
      },
      { additionalProperties: false },
    ),
    socket: Type.Object(
      {
        maxPayloadBytes: Type.Integer({ minimum: 1024, maximum: 16 * 1024 * 1024 }),
        maxMessageBytes: Type.Integer({ minimum: 1024, maximum: 16 * 1024 * 1024 }),
        messagesPerSecond: PositiveInt(100000),
        burst: PositiveInt(100000),
        violationsBeforeClose: PositiveInt(100000),
        pingIntervalSeconds: PositiveInt(3600),
        /** Let clients that send no Origin open the WebSocket (non-browser clients: tools, benchmarks, tests). Every
         * browser sends one, so this never lets a web page in. */
        allowMissingOrigin: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    ice: Type.Object(
      {
        servers: Type.Array(IceServer, { maxItems: 16 }),
        turnUrls: Type.Array(Type.String({ pattern: '^turns?:' }), { maxItems: 16 }),
        turnSecret: Type.String(),
        turnTtlSeconds: PositiveInt(7 * 24 * 3600),
      },
      { additionalProperties: false },
    ),
    /** SQLite (the default) or PostgreSQL, chosen by TANDEM_DATABASE_URL (store/configSchema.ts). */
    store: StoreConfigSchema,
    /** Redis, shared by every instance of the service: the bus between them, presence, the counters behind the limits
     * and pending sign-ins (docs/deploy.md, "Redis"). No URL: all of it stays in this process (one instance only). */
    redis: Type.Object(
      {
        /** redis://[user:password@]host:port[/db] or rediss:// (TLS). Holds a password: never logged. */
        url: Type.String({ pattern: '^(rediss?://\\S+)?$' }),
        /** Starts every key and pub/sub channel name, so that several deployments (or test runs) can share one Redis. */
        keyPrefix: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9:_.-]+$' }),
        /** An instance that has not said it is alive for this long counts as dead: its visitors go offline and its
         * sockets stop counting against their addresses. It says so every third of this. */
        instanceTtlSeconds: Type.Integer({ minimum: 2, maximum: 300 }),
      },
      { additionalProperties: false },
    ),
    /** Prometheus metrics (/metrics). Off unless one of these is set: a token on the service's own port, or a separate
     * listener (a private address that only the monitoring network reaches). */
    metrics: Type.Object(
      {
        /** When set, GET /metrics on the service's port answers requests bearing it (Authorization: Bearer …). */
        token: Type.String({ maxLength: 256, pattern: '^(\\S{24,})?$' }),
        /** When not 0, /metrics is also served, without a token, on this port of `host` only. */
        port: Type.Integer({ minimum: 0, maximum: 65535 }),
        host: Type.String({ minLength: 1, maxLength: 255 }),
      },
      { additionalProperties: false },
    ),
    /** Stopping for a deploy (SIGTERM) with Redis: the sessions go on, on the other instances. */
    shutdown: Type.Object(
      {
        /** How long the instance answers /readyz with 503 (so the load balancer stops sending it new connections)
         * before it closes its sockets with 1012 and their clients resume on another instance. */
        drainSeconds: Type.Integer({ minimum: 0, maximum: 300 }),
        /** How long the instance still says it is alive after closing its sockets: members who resume on another
         * instance within it are never marked away by the instance that clears up after this one. */
        handoverSeconds: Type.Integer({ minimum: 0, maximum: 60 }),
      },
      { additionalProperties: false },
    ),
    /** Orgs whose Apex calls the service, Sign in with Salesforce, and the session-record outbox. */
    salesforce: SalesforceConfigSchema,
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
