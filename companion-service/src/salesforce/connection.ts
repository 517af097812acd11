import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Connection, OAuth2 } from 'jsforce';
import type { HttpRequest, HttpRequestOptions } from 'jsforce/lib/types';
import type { TokenResponse } from 'jsforce/lib/oauth2';
import { repoRoot } from '../paths';
import type { SalesforceIntegration, SalesforceOrgConfig } from './configSchema';
import { RecordRefusedError } from './errorKind';
import { jwtBearerAssertion } from './jwtAssertion';

interface Jsforce {
  Connection: typeof Connection;
  OAuth2: typeof OAuth2;
  BoundedTransport: new (timeoutMs: number) => Connection['_transport'];
}

let jsforce: Promise<Jsforce> | undefined;

/** jsforce is loaded on first use: it holds about 8 MB of heap once loaded, more than the rest of the service, and
 * every full garbage collection marks all of it again. A service without Salesforce never loads it. */
function loadJsforce(): Promise<Jsforce> {
  jsforce ??= Promise.all([import('jsforce'), import('jsforce/lib/transport')]).then(
    ([{ Connection, OAuth2 }, { Transport }]) => {
      /** jsforce's transport with a deadline on every call and without its own retries: the outbox retries with its
       * own backoff, and a sign-in must not hang for minutes while Salesforce is down. */
      class BoundedTransport extends Transport {
        constructor(private readonly timeoutMs: number) {
          super();
        }

        override httpRequest(req: HttpRequest, options: HttpRequestOptions = {}) {
          return super.httpRequest(req, { ...options, retry: { maxRetries: 0 }, timeout: this.timeoutMs });
        }
      }
      return { Connection, OAuth2, BoundedTransport };
    },
  );
  return jsforce;
}

export interface ConnectionSettings {
  apiVersion: string;
  timeoutMs: number;
}

/** jsforce objects that speak only through a bounded transport. */
export async function boundedOAuth2(
  config: ConstructorParameters<typeof OAuth2>[0],
  settings: ConnectionSettings,
): Promise<OAuth2> {
  const { OAuth2, BoundedTransport } = await loadJsforce();
  const oauth2 = new OAuth2(config);
  oauth2._transport = new BoundedTransport(settings.timeoutMs);
  return oauth2;
}

export async function boundedConnection(
  config: ConstructorParameters<typeof Connection>[0],
  settings: ConnectionSettings,
): Promise<Connection> {
  const { Connection, BoundedTransport } = await loadJsforce();
  const conn = new Connection({ ...config, version: settings.apiVersion });
  conn._transport = new BoundedTransport(settings.timeoutMs);
  return conn;
}

function audienceFor(integration: Extract<SalesforceIntegration, { flow: 'jwt' }>): string {
  if (integration.audience) return integration.audience;
  return /test\.salesforce\.com|\.sandbox\.my\.salesforce\.com/.test(integration.loginUrl)
    ? 'https://test.salesforce.com'
    : 'https://login.salesforce.com';
}

/** Reads the JWT flow's private key once, at start, so a missing file stops the service with a clear message. */
export function integrationPrivateKey(org: SalesforceOrgConfig): string | undefined {
  const integration = org.integration;
  if (!integration || integration.flow !== 'jwt') return undefined;
  if (integration.privateKey) return integration.privateKey;
  if (!integration.privateKeyPath) {
    throw new Error(
      `salesforce org ${org.orgId} (${org.name}): the jwt integration needs privateKey or privateKeyPath`,
    );
  }
  const file = path.resolve(repoRoot, integration.privateKeyPath);
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(
      `salesforce org ${org.orgId} (${org.name}): cannot read privateKeyPath ${file}: ${(err as Error).message}`,
    );
  }
}

/** The service's own connection to one org (JWT bearer or client credentials), used for session records and, when
 * available, to read agents' custom permissions. Signs in on first use and again whenever Salesforce answers 401. */
export class OrgConnection {
  private conn: Connection | undefined;
  private connecting: Promise<Connection> | undefined;

  constructor(
    readonly org: SalesforceOrgConfig,
    private readonly integration: SalesforceIntegration,
    private readonly privateKey: string | undefined,
    private readonly settings: ConnectionSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Forgets the session (e.g. after Salesforce revoked it) so the next call signs in again. */
  reset(): void {
    this.conn = undefined;
  }

  async connection(): Promise<Connection> {
    if (this.conn) return this.conn;
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async upsert(
    sobject: string,
    externalIdField: string,
    record: Record<string, unknown>,
  ): Promise<{ id?: string; created?: boolean }> {
    const conn = await this.connection();
    const result = (await conn.sobject(sobject).upsert(record as never, externalIdField as never)) as unknown as {
      id?: string;
      success: boolean;
      created?: boolean;
      errors: Array<{ message?: string; errorCode?: string; statusCode?: string; fields?: string[] } | string>;
    };
    if (!result.success) {
      // Answered, but the record was refused: the record's failure, not the org's (see errorKind.ts).
      throw new RecordRefusedError(
        sobject,
        result.errors.map((e) =>
          typeof e === 'string'
            ? { errorCode: 'UNKNOWN', message: e, fields: [] }
            : { errorCode: e.errorCode ?? e.statusCode ?? 'UNKNOWN', message: e.message ?? '', fields: e.fields ?? [] },
        ),
      );
    }
    return {
      ...(result.id ? { id: result.id } : {}),
      ...(result.created !== undefined ? { created: result.created } : {}),
    };
  }

  async query<T>(soql: string): Promise<T[]> {
    const conn = await this.connection();
    const result = await conn.query<T & Record<string, unknown>>(soql);
    return result.records as T[];
  }

  private async open(): Promise<Connection> {
    const token = await this.requestToken();
    const conn = await boundedConnection(
      {
        instanceUrl: token.instance_url || this.org.instanceUrl,
        accessToken: token.access_token,
        // Called by jsforce when Salesforce answers 401 (expired or revoked session): sign in again, once.
        refreshFn: (c, callback) => {
          this.requestToken().then(
            (fresh) => {
              if (fresh.instance_url) c.instanceUrl = fresh.instance_url;
              callback(null, fresh.access_token, fresh);
            },
            (err: Error) => callback(err),
          );
        },
      },
      this.settings,
    );
    this.conn = conn;
    return conn;
  }

  private async requestToken(): Promise<TokenResponse> {
    const integration = this.integration;
    const oauth2 = await boundedOAuth2(
      { loginUrl: integration.loginUrl, clientId: integration.clientId },
      this.settings,
    );
    if (integration.flow === 'jwt') {
      return oauth2.requestToken({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: jwtBearerAssertion({
          clientId: integration.clientId,
          username: integration.username,
          audience: audienceFor(integration),
          privateKeyPem: this.privateKey ?? '',
          nowMs: this.now(),
        }),
      });
    }
    oauth2.clientSecret = integration.clientSecret;
    return oauth2.requestToken({ grant_type: 'client_credentials' });
  }
}
