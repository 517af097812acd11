/** Environment variables that override the configuration files: one row per variable, with the setting it sets.
 * The README's configuration table lists the same variables (a test keeps the two in step). */
/** `proxy`: true/false, a whole number (hop count), or a comma-separated list of addresses (trustProxy). */
/** `databaseUrl`: a PostgreSQL URL, which also switches the store to PostgreSQL (config/load.ts). */
export type EnvKind = 'string' | 'integer' | 'boolean' | 'json' | 'list' | 'proxy' | 'databaseUrl';

export interface EnvOverride {
  variable: string;
  /** Dotted path into the config object. */
  setting: string;
  kind: EnvKind;
}

export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { variable: 'HOST', setting: 'host', kind: 'string' },
  { variable: 'PORT', setting: 'port', kind: 'integer' },
  { variable: 'TANDEM_PUBLIC_URL', setting: 'publicUrl', kind: 'string' },
  { variable: 'TANDEM_TRUST_PROXY', setting: 'trustProxy', kind: 'proxy' },
  { variable: 'TANDEM_LOG_LEVEL', setting: 'logLevel', kind: 'string' },
  { variable: 'TANDEM_METRICS_TOKEN', setting: 'metrics.token', kind: 'string' },
  { variable: 'TANDEM_METRICS_PORT', setting: 'metrics.port', kind: 'integer' },
  { variable: 'TANDEM_METRICS_HOST', setting: 'metrics.host', kind: 'string' },
  { variable: 'TANDEM_DEV_SIGN_IN', setting: 'devSignIn', kind: 'boolean' },
  { variable: 'TANDEM_DEV_SIGN_IN_SITES', setting: 'devSignInSiteIds', kind: 'list' },
  { variable: 'TANDEM_AGENT_TOKEN_SECRET', setting: 'agentTokenSecret', kind: 'string' },
  { variable: 'TANDEM_AGENT_TOKEN_TTL_SECONDS', setting: 'agentTokenTtlSeconds', kind: 'integer' },
  { variable: 'TANDEM_CODE_LENGTH', setting: 'session.codeLength', kind: 'integer' },
  { variable: 'TANDEM_CODE_TTL_SECONDS', setting: 'session.codeTtlSeconds', kind: 'integer' },
  { variable: 'TANDEM_RESUME_GRACE_SECONDS', setting: 'session.resumeGraceSeconds', kind: 'integer' },
  { variable: 'TANDEM_MAX_PARTICIPANTS', setting: 'session.maxParticipants', kind: 'integer' },
  { variable: 'TANDEM_JOIN_ATTEMPTS_PER_AGENT', setting: 'joinAttempts.perAgent', kind: 'integer' },
  { variable: 'TANDEM_JOIN_ATTEMPTS_PER_IP', setting: 'joinAttempts.perIp', kind: 'integer' },
  { variable: 'TANDEM_SOCKETS_PER_ADDRESS', setting: 'limits.socketsPerAddress', kind: 'integer' },
  {
    variable: 'TANDEM_SESSIONS_PER_ADDRESS_PER_MINUTE',
    setting: 'limits.sessionsPerAddressPerMinute',
    kind: 'integer',
  },
  {
    variable: 'TANDEM_HTTP_REQUESTS_PER_ADDRESS_PER_MINUTE',
    setting: 'limits.httpRequestsPerAddressPerMinute',
    kind: 'integer',
  },
  { variable: 'TANDEM_IDLE_SOCKET_SECONDS', setting: 'limits.idleSocketSeconds', kind: 'integer' },
  { variable: 'TANDEM_PENDING_GUESTS_PER_SESSION', setting: 'limits.pendingGuestsPerSession', kind: 'integer' },
  { variable: 'TANDEM_WS_MAX_PAYLOAD_BYTES', setting: 'socket.maxPayloadBytes', kind: 'integer' },
  { variable: 'TANDEM_WS_MAX_MESSAGE_BYTES', setting: 'socket.maxMessageBytes', kind: 'integer' },
  { variable: 'TANDEM_WS_MESSAGES_PER_SECOND', setting: 'socket.messagesPerSecond', kind: 'integer' },
  { variable: 'TANDEM_WS_BURST', setting: 'socket.burst', kind: 'integer' },
  { variable: 'TANDEM_WS_ALLOW_MISSING_ORIGIN', setting: 'socket.allowMissingOrigin', kind: 'boolean' },
  { variable: 'TANDEM_ICE_SERVERS', setting: 'ice.servers', kind: 'json' },
  { variable: 'TANDEM_TURN_URLS', setting: 'ice.turnUrls', kind: 'list' },
  { variable: 'TANDEM_TURN_SECRET', setting: 'ice.turnSecret', kind: 'string' },
  { variable: 'TANDEM_TURN_TTL_SECONDS', setting: 'ice.turnTtlSeconds', kind: 'integer' },
  { variable: 'TANDEM_SQLITE_PATH', setting: 'store.sqlitePath', kind: 'string' },
  // The URL first: it makes the store PostgreSQL, which the two after it then tune.
  { variable: 'TANDEM_DATABASE_URL', setting: 'store.url', kind: 'databaseUrl' },
  { variable: 'TANDEM_DATABASE_SCHEMA', setting: 'store.schema', kind: 'string' },
  { variable: 'TANDEM_DATABASE_POOL_SIZE', setting: 'store.poolSize', kind: 'integer' },
  { variable: 'TANDEM_REDIS_URL', setting: 'redis.url', kind: 'string' },
  { variable: 'TANDEM_REDIS_KEY_PREFIX', setting: 'redis.keyPrefix', kind: 'string' },
  { variable: 'TANDEM_REDIS_INSTANCE_TTL_SECONDS', setting: 'redis.instanceTtlSeconds', kind: 'integer' },
  { variable: 'TANDEM_SHUTDOWN_DRAIN_SECONDS', setting: 'shutdown.drainSeconds', kind: 'integer' },
  { variable: 'TANDEM_SHUTDOWN_HANDOVER_SECONDS', setting: 'shutdown.handoverSeconds', kind: 'integer' },
  { variable: 'TANDEM_DEMO_PORTAL', setting: 'demoPortal', kind: 'boolean' },
  { variable: 'TANDEM_SITES', setting: 'sites', kind: 'json' },
  { variable: 'TANDEM_VISITOR_TOKEN_TTL_SECONDS', setting: 'visitorTokenTtlSeconds', kind: 'integer' },
  { variable: 'TANDEM_TERMS_VERSION', setting: 'terms.version', kind: 'string' },
  { variable: 'TANDEM_TERMS_TEXT', setting: 'terms.text', kind: 'string' },
  { variable: 'TANDEM_TERMS_PROMPT_SECONDS', setting: 'terms.promptSeconds', kind: 'integer' },
  { variable: 'TANDEM_GUEST_CODE_TTL_SECONDS', setting: 'guests.codeTtlSeconds', kind: 'integer' },
  { variable: 'TANDEM_GUEST_MAX_EXTENSIONS', setting: 'guests.maxExtensions', kind: 'integer' },
  { variable: 'TANDEM_COBROWSE_MASK_SELECTORS', setting: 'cobrowse.maskSelectors', kind: 'list' },
  { variable: 'TANDEM_COBROWSE_BYTES_PER_SECOND', setting: 'cobrowse.bytesPerSecond', kind: 'integer' },
  { variable: 'TANDEM_SALESFORCE_ORGS', setting: 'salesforce.orgs', kind: 'json' },
  { variable: 'TANDEM_SALESFORCE_API_VERSION', setting: 'salesforce.apiVersion', kind: 'string' },
  { variable: 'TANDEM_SALESFORCE_LOGIN_URL', setting: 'salesforce.loginUrl', kind: 'string' },
  { variable: 'TANDEM_SALESFORCE_SIGN_IN', setting: 'salesforce.oauth.enabled', kind: 'boolean' },
  { variable: 'TANDEM_SALESFORCE_CLIENT_ID', setting: 'salesforce.oauth.clientId', kind: 'string' },
  { variable: 'TANDEM_SALESFORCE_CLIENT_SECRET', setting: 'salesforce.oauth.clientSecret', kind: 'string' },
  { variable: 'TANDEM_SALESFORCE_OUTBOX', setting: 'salesforce.outbox.enabled', kind: 'boolean' },
  {
    variable: 'TANDEM_SALESFORCE_OUTBOX_MAX_BACKOFF_SECONDS',
    setting: 'salesforce.outbox.maxBackoffSeconds',
    kind: 'integer',
  },
  {
    variable: 'TANDEM_SALESFORCE_OUTBOX_RECORD_ATTEMPTS',
    setting: 'salesforce.outbox.recordAttempts',
    kind: 'integer',
  },
];
