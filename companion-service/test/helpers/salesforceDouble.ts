import { createHash, createVerify, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/* A local stand-in for the Salesforce endpoints the service uses, over real HTTP:
 *   POST /services/oauth2/token      JWT bearer, client credentials, authorization code (with PKCE check)
 *   GET  /services/oauth2/authorize  "signs in" the user the test chose and redirects back with a code
 *   POST /services/oauth2/revoke
 *   GET  /services/oauth2/userinfo
 *   GET  /services/data/vNN.0/query  the custom-permission queries the service makes
 *   PATCH /services/data/vNN.0/sobjects/<object>/<external id field>/<value>   upsert by external id
 * and the ways Salesforce fails: unreachable (connection refused), 503, a revoked session whose re-authentication
 * is refused, records refused for themselves (a validation rule, a lookup to a deleted contact) with Salesforce's
 * 400 answer, and OAuth scopes: a token only reaches what its scopes allow, and the connected app only grants the
 * scopes it has. */

export interface DoubleUser {
  id: string;
  name: string;
  username: string;
  /** Custom permission developer names the user holds. */
  permissions: string[];
}

export interface DoubleOptions {
  orgId: string;
  clientId: string;
  /** For client credentials and the web-server flow (when set, the token endpoint requires it). */
  clientSecret?: string;
  /** For the JWT bearer flow: the certificate's public key. */
  jwtPublicKey?: KeyObject;
  /** The integration user (JWT sub / client-credentials run-as user). */
  integrationUser?: DoubleUser;
  users?: DoubleUser[];
  /** The connected app's OAuth scopes: the most the authorize endpoint grants, and what JWT-bearer and
   * client-credentials tokens carry. Default DEFAULT_APP_SCOPES. */
  appScopes?: string[];
}

/** A connected app set up for the service: REST API, identity and OpenID Connect, refresh. */
export const DEFAULT_APP_SCOPES = ['api', 'id', 'openid', 'refresh_token', 'web'];

/** Scopes that reach the REST API (/services/data) and the identity service (/services/oauth2/userinfo). */
const API_SCOPES = ['api', 'full'];
const IDENTITY_SCOPES = ['openid', 'id', 'profile', 'email', 'address', 'phone', 'full'];

/** A customer's validation rule: a record whose `field` holds `value` is refused. */
export interface DoubleValidationRule {
  field: string;
  value: unknown;
  message: string;
  /** The field the rule shows its error on; none: at the top of the page (Salesforce then lists no fields). */
  errorField?: string;
}

export interface LoggedRequest {
  method: string;
  path: string;
  token: string | undefined;
  /** The scopes of the token, when the double issued it and it was still valid. */
  scopes: string[] | undefined;
  body: string;
}

const CUSTOM_PERMISSIONS: Record<string, string> = {
  Tandem_Join: '0CP000000000001AAA',
  Tandem_Agent_Video: '0CP000000000002AAA',
  Tandem_Remote_Control: '0CP000000000003AAA',
  Tandem_Screen_Share: '0CP000000000004AAA',
};

export class SalesforceDouble {
  url = '';
  /** Every upsert call received (also the failed ones), in order. */
  readonly upserts: Array<{ sobject: string; field: string; value: string; body: Record<string, unknown> }> = [];
  /** Records by object and external id. */
  readonly records = new Map<string, { id: string; fields: Record<string, unknown> }>();
  readonly requests: LoggedRequest[] = [];
  readonly revokedByClient: string[] = [];
  /** Answer everything with 503 while set. */
  unavailable = false;
  /** Refuse every grant at the token endpoint while set (a revoked connected-app authorization). */
  refuseGrants = false;
  /** The user the authorize endpoint signs in next, or "deny" to simulate the user refusing access. */
  nextLogin: DoubleUser | 'deny' | undefined;
  /** The `scope` parameter of every authorize request, as sent (null when there was none). */
  readonly requestedScopes: Array<string | null> = [];
  /** Validation rules on Tandem_Session__c. */
  readonly validationRules: DoubleValidationRule[] = [];
  /** Contacts deleted (or merged away): a record whose Contact__c names one is refused. */
  readonly deletedContacts = new Set<string>();
  /** How Salesforce words the refusal of a deleted contact: INVALID_CROSS_REFERENCE_KEY naming the field (an id that
   * no longer resolves), or ENTITY_IS_DELETED naming none (a record in the recycle bin). */
  deletedContactError: 'INVALID_CROSS_REFERENCE_KEY' | 'ENTITY_IS_DELETED' = 'INVALID_CROSS_REFERENCE_KEY';

  private server: Server;
  private port = 0;
  private readonly tokens = new Map<string, { user: DoubleUser; scopes: string[] }>();
  private readonly codes = new Map<
    string,
    { user: DoubleUser; challenge: string; redirectUri: string; scopes: string[] }
  >();
  private readonly users = new Map<string, DoubleUser>();
  private idCounter = 0;

  constructor(readonly options: DoubleOptions) {
    for (const u of options.users ?? []) this.users.set(u.id, u);
    if (options.integrationUser) this.users.set(options.integrationUser.id, options.integrationUser);
    this.server = this.makeServer();
  }

  static async start(options: DoubleOptions): Promise<SalesforceDouble> {
    const double = new SalesforceDouble(options);
    await double.listen(0);
    return double;
  }

  /** Stops answering at all: connections are refused until comeBack(). */
  async goDown(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  async comeBack(): Promise<void> {
    this.server = this.makeServer();
    await this.listen(this.port);
  }

  /** The scopes a token issued by this double carries (undefined for an unknown token). */
  scopesOf(accessToken: string): string[] | undefined {
    return this.tokens.get(accessToken)?.scopes;
  }

  /** Invalidates every access token issued so far (Salesforce answers 401 INVALID_SESSION_ID). */
  revokeAllSessions(): void {
    this.tokens.clear();
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    await this.goDown();
  }

  private async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  private makeServer(): Server {
    return createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          this.handle(req, res, body);
        } catch (err) {
          send(res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: (err as Error).message }]);
        }
      });
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', this.url);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      token,
      scopes: token ? this.tokens.get(token)?.scopes : undefined,
      body,
    });
    if (this.unavailable) {
      // Like Salesforce during maintenance: an HTML page from the login servers, a JSON error from the REST API.
      if (url.pathname.startsWith('/services/oauth2/')) {
        res.writeHead(503, { 'content-type': 'text/html' });
        res.end('<html><body>Service Unavailable</body></html>');
        return;
      }
      return send(res, 503, [{ errorCode: 'SERVER_UNAVAILABLE', message: 'Service temporarily unavailable' }]);
    }

    if (url.pathname === '/services/oauth2/token' && req.method === 'POST')
      return this.token(res, new URLSearchParams(body));
    if (url.pathname === '/services/oauth2/authorize' && req.method === 'GET')
      return this.authorize(res, url.searchParams);
    if (url.pathname === '/services/oauth2/revoke' && req.method === 'POST') {
      const revoked = new URLSearchParams(body).get('token') ?? '';
      this.revokedByClient.push(revoked);
      this.tokens.delete(revoked);
      return send(res, 200, {});
    }

    const session = token ? this.tokens.get(token) : undefined;
    if (!session) return send(res, 401, [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }]);
    const { user, scopes } = session;
    const has = (needed: string[]) => needed.some((s) => scopes.includes(s));

    if (url.pathname === '/services/oauth2/userinfo' && req.method === 'GET') {
      // The identity service refuses a token without openid or an identity scope (RFC 6750 insufficient_scope).
      if (!has(IDENTITY_SCOPES)) {
        res.writeHead(403, {
          'content-type': 'application/json;charset=UTF-8',
          'www-authenticate': 'Bearer error="insufficient_scope"',
        });
        res.end(
          JSON.stringify({
            error: 'insufficient_scope',
            error_description: 'The access token lacks the openid, id or profile scope',
          }),
        );
        return;
      }
      return send(res, 200, {
        sub: `${this.url}/id/${this.options.orgId}/${user.id}`,
        user_id: user.id,
        organization_id: this.options.orgId,
        name: user.name,
        preferred_username: user.username,
      });
    }
    // The REST API refuses a token without api (or full) this way; jsforce knows this message and does not try to
    // refresh the session for it (isSessionExpired in jsforce/lib/http-api.js).
    if (url.pathname.startsWith('/services/data/') && !has(API_SCOPES)) {
      return send(res, 401, [
        { errorCode: 'INVALID_SESSION_ID', message: 'This session is not valid for use with the REST API' },
      ]);
    }
    const query = /^\/services\/data\/v\d+\.0\/query\/?$/.exec(url.pathname);
    if (query && req.method === 'GET') return this.query(res, url.searchParams.get('q') ?? '');
    const upsert = /^\/services\/data\/v\d+\.0\/sobjects\/(\w+)\/(\w+)\/([^/]+)$/.exec(url.pathname);
    if (upsert && req.method === 'PATCH') {
      const [, sobject, field, value] = upsert as unknown as [string, string, string, string];
      return this.upsert(res, sobject, field, decodeURIComponent(value), JSON.parse(body) as Record<string, unknown>);
    }
    send(res, 404, [{ errorCode: 'NOT_FOUND', message: `no double for ${req.method} ${url.pathname}` }]);
  }

  private get appScopes(): string[] {
    return this.options.appScopes ?? DEFAULT_APP_SCOPES;
  }

  private issue(res: ServerResponse, user: DoubleUser, scopes: string[] = this.appScopes): void {
    const accessToken = `00D!${randomBytes(18).toString('base64url')}`;
    this.tokens.set(accessToken, { user, scopes });
    send(res, 200, {
      access_token: accessToken,
      instance_url: this.url,
      id: `${this.url}/id/${this.options.orgId}/${user.id}`,
      token_type: 'Bearer',
      issued_at: String(Date.now()),
      signature: 'double',
      scope: scopes.join(' '),
    });
  }

  private token(res: ServerResponse, params: URLSearchParams): void {
    const refuse = (description: string) => send(res, 400, { error: 'invalid_grant', error_description: description });
    if (this.refuseGrants) return refuse('expired access/refresh token');
    if (params.get('client_id') !== this.options.clientId)
      return send(res, 400, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
    const grant = params.get('grant_type');
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const [header, claims, signature] = (params.get('assertion') ?? '').split('.');
      if (!header || !claims || !signature || !this.options.jwtPublicKey) return refuse('invalid assertion');
      const valid = createVerify('RSA-SHA256')
        .update(`${header}.${claims}`)
        .verify(this.options.jwtPublicKey, Buffer.from(signature, 'base64url'));
      const c = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as {
        iss: string;
        sub: string;
        aud: string;
        exp: number;
      };
      if (!valid || c.iss !== this.options.clientId || c.exp * 1000 < Date.now()) return refuse('invalid assertion');
      const user = [...this.users.values()].find((u) => u.username === c.sub);
      return user ? this.issue(res, user) : refuse('user hasn\u2019t approved this consumer');
    }
    if (grant === 'client_credentials') {
      if (
        !this.options.clientSecret ||
        params.get('client_secret') !== this.options.clientSecret ||
        !this.options.integrationUser
      ) {
        return send(res, 400, { error: 'invalid_client', error_description: 'invalid client credentials' });
      }
      return this.issue(res, this.options.integrationUser);
    }
    if (grant === 'authorization_code') {
      const code = this.codes.get(params.get('code') ?? '');
      this.codes.delete(params.get('code') ?? '');
      if (!code) return refuse('invalid authorization code');
      if (this.options.clientSecret && params.get('client_secret') !== this.options.clientSecret) {
        return send(res, 400, { error: 'invalid_client', error_description: 'invalid client credentials' });
      }
      const verifier = params.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (challenge !== code.challenge) return refuse('invalid code verifier');
      if (params.get('redirect_uri') !== code.redirectUri)
        return send(res, 400, { error: 'redirect_uri_mismatch', error_description: 'redirect_uri must match' });
      return this.issue(res, code.user, code.scopes);
    }
    send(res, 400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' });
  }

  private authorize(res: ServerResponse, params: URLSearchParams): void {
    const redirectUri = params.get('redirect_uri') ?? '';
    const back = new URL(redirectUri);
    back.searchParams.set('state', params.get('state') ?? '');
    const login = this.nextLogin;
    if (params.get('client_id') !== this.options.clientId || params.get('response_type') !== 'code') {
      return send(res, 400, { error: 'invalid_request' });
    }
    // Without a scope parameter Salesforce grants all of the connected app's scopes; a scope the app lacks is refused.
    const requested = params.get('scope');
    this.requestedScopes.push(requested);
    const scopes = requested === null ? this.appScopes : requested.split(' ').filter(Boolean);
    const notAllowed = scopes.filter((s) => !this.appScopes.includes(s));
    if (notAllowed.length > 0) {
      back.searchParams.set('error', 'invalid_scope');
      back.searchParams.set('error_description', 'the requested scope is not allowed');
    } else if (login === 'deny' || !login) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'end-user denied authorization');
    } else {
      const code = randomBytes(16).toString('base64url');
      this.codes.set(code, { user: login, challenge: params.get('code_challenge') ?? '', redirectUri, scopes });
      back.searchParams.set('code', code);
    }
    res.writeHead(302, { location: back.toString() });
    res.end();
  }

  private query(res: ServerResponse, soql: string): void {
    const records = (list: object[]) => send(res, 200, { totalSize: list.length, done: true, records: list });
    if (/FROM CustomPermission WHERE DeveloperName IN/i.test(soql)) {
      const wanted = [...soql.matchAll(/'(\w+)'/g)].map((m) => m[1] as string);
      return records(
        wanted
          .filter((n) => CUSTOM_PERMISSIONS[n])
          .map((n) => ({ attributes: { type: 'CustomPermission' }, Id: CUSTOM_PERMISSIONS[n], DeveloperName: n })),
      );
    }
    if (/FROM SetupEntityAccess/i.test(soql)) {
      const assignee = /AssigneeId = '(\w+)'/.exec(soql)?.[1] ?? '';
      const user = this.users.get(assignee);
      const asked = new Set([...soql.matchAll(/'(0CP\w+)'/g)].map((m) => m[1]));
      return records(
        (user?.permissions ?? [])
          .map((n) => CUSTOM_PERMISSIONS[n])
          .filter((id): id is string => !!id && asked.has(id))
          .map((id) => ({ attributes: { type: 'SetupEntityAccess' }, SetupEntityId: id })),
      );
    }
    send(res, 400, [{ errorCode: 'MALFORMED_QUERY', message: `the double does not know this query: ${soql}` }]);
  }

  private upsert(
    res: ServerResponse,
    sobject: string,
    field: string,
    value: string,
    body: Record<string, unknown>,
  ): void {
    this.upserts.push({ sobject, field, value, body });
    if (sobject !== 'Tandem_Session__c' || field !== 'External_Id__c') {
      return send(res, 404, [
        { errorCode: 'NOT_FOUND', message: `The requested resource does not exist: ${sobject}.${field}` },
      ]);
    }
    const refusal = this.refusal(body);
    if (refusal) return send(res, 400, [refusal]);
    const key = `${sobject}/${value}`;
    const existing = this.records.get(key);
    if (existing) {
      existing.fields = { ...existing.fields, ...body };
      return send(res, 200, { id: existing.id, success: true, errors: [], created: false });
    }
    const id = `a00${String(++this.idCounter).padStart(12, '0')}AAA`;
    this.records.set(key, { id, fields: { ...body, [field]: value } });
    send(res, 201, { id, success: true, errors: [], created: true });
  }

  /** Salesforce's answer to a record it refuses for itself: HTTP 400 with one error naming the fields. */
  private refusal(body: Record<string, unknown>): { errorCode: string; message: string; fields: string[] } | undefined {
    const contact = body.Contact__c;
    if (typeof contact === 'string' && this.deletedContacts.has(contact)) {
      return this.deletedContactError === 'ENTITY_IS_DELETED'
        ? { errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }
        : { errorCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: ['Contact__c'] };
    }
    const rule = this.validationRules.find((r) => body[r.field] === r.value);
    if (rule)
      return {
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        message: rule.message,
        fields: rule.errorField ? [rule.errorField] : [],
      };
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
  res.end(JSON.stringify(body));
}
