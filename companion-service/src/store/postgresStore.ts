import { Client, Pool, type ClientConfig, type QueryConfig, type QueryResultRow } from 'pg';
import { parseVisitorKey } from '../tenancy/visitorIdentity';
import { DEFAULT_POSTGRES_POOL_SIZE, type PostgresStoreConfig } from './configSchema';
import { migratePostgres } from './postgresMigrations';
import { count, json, ms, param, types } from './postgresValues';
import {
  eventRecord,
  outboxEntry,
  participantRecord,
  problemReportRecord,
  salesforceOrgRecord,
  sessionLinkRecord,
  sessionRecord,
  termsAcceptanceRecord,
  type EventRow,
  type ParticipantRow,
  type ProblemReportRow,
  type SalesforceOrgRow,
  type SalesforceOutboxRow,
  type SessionLinkRow,
  type SessionRow,
  type TermsAcceptanceRow,
} from './storeRows';
import { DuplicateRecordError } from './storeErrors';
import type {
  EventRecord,
  NewSessionRecord,
  ParticipantRecord,
  ProblemReportRecord,
  SalesforceOrgRecord,
  SalesforceOutboxEntry,
  SalesforceOutboxFilter,
  SalesforceOutboxStatus,
  SalesforceRequeueResult,
  SalesforceSessionLink,
  SessionRecord,
  Store,
  TermsAcceptanceRecord,
} from './store';

/** Where the store reports trouble that no caller sees: an idle pooled connection that broke. */
export interface StoreLog {
  warn(details: Record<string, unknown>, message: string): void;
}

/** A new connection that takes longer than this counts as the database being away (readiness fails, writes refuse). */
const CONNECT_TIMEOUT_MS = 5_000;
/** A query left without an answer this long fails, and its connection is dropped, instead of holding up a request. */
const QUERY_TIMEOUT_MS = 15_000;
const IDLE_TIMEOUT_MS = 30_000;
/** Readiness answers before a load balancer's check gives up, even when the database has stopped answering. */
const PING_TIMEOUT_MS = 3_000;

const UNIQUE_VIOLATION = '23505';

/** Durable records in PostgreSQL, for several instances sharing one database: a pool of connections per instance,
 * versioned migrations under an advisory lock, and an outbox claim that two instances never share. */
export class PostgresStore implements Store {
  private readonly connection: ClientConfig;
  private readonly pool: Pool;
  private closed = false;

  constructor(
    private readonly config: PostgresStoreConfig,
    log?: StoreLog,
  ) {
    this.connection = {
      connectionString: config.url,
      types,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      application_name: 'tandem',
      // Unquoted identifier (store/configSchema.ts), so it goes into the startup options as it is.
      ...(config.schema ? { options: `-c search_path=${config.schema}` } : {}),
    };
    this.pool = new Pool({
      ...this.connection,
      max: config.poolSize ?? DEFAULT_POSTGRES_POOL_SIZE,
      idleTimeoutMillis: IDLE_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
    });
    // An idle connection that breaks (the database restarted, a proxy cut it) is dropped by the pool; without a
    // listener its error would end the process. The next query opens a fresh one, or fails where it is reported.
    this.pool.on('error', (err: Error & { code?: string }) =>
      log?.warn({ code: err.code, error: err.message }, 'PostgreSQL connection lost'),
    );
  }

  /** Migrations run on their own connection with no query timeout: waiting for another instance's lock is normal. */
  async migrate(): Promise<void> {
    const client = new Client(this.connection);
    client.on('error', () => undefined); // reported by the query that fails
    await client.connect();
    try {
      await migratePostgres(client, this.config.schema);
    } finally {
      await client.end();
    }
  }

  async ping(): Promise<void> {
    // pg's client reads a query's own query_timeout at run time; its types declare it for connections only.
    await this.pool.query({ text: 'SELECT 1', query_timeout: PING_TIMEOUT_MS } as QueryConfig);
  }

  async createSession(r: NewSessionRecord): Promise<void> {
    await this.query('INSERT INTO sessions (id, code, status, created_at, site_id) VALUES ($1, $2, $3, $4, $5)', [
      r.id,
      r.code,
      r.status,
      ms(r.createdAt, 'createdAt'),
      r.siteId ?? null,
    ]);
  }

  async updateSessionStatus(
    id: string,
    status: SessionRecord['status'],
    endedAt?: number,
    endReason?: string,
  ): Promise<void> {
    await this.query(
      'UPDATE sessions SET status = $1, ended_at = COALESCE($2, ended_at), end_reason = COALESCE($3, end_reason) WHERE id = $4',
      [status, endedAt === undefined ? null : ms(endedAt, 'endedAt'), endReason ?? null, id],
    );
  }

  async addParticipant(r: Omit<ParticipantRecord, 'leftAt' | 'leaveReason'>): Promise<void> {
    await this.query(
      'INSERT INTO participants (id, session_id, role, identity, name, joined_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [r.id, r.sessionId, r.role, r.identity, r.name, ms(r.joinedAt, 'joinedAt')],
    );
  }

  async participantLeft(id: string, leftAt: number, reason: string): Promise<void> {
    await this.query('UPDATE participants SET left_at = $1, leave_reason = $2 WHERE id = $3 AND left_at IS NULL', [
      ms(leftAt, 'leftAt'),
      reason,
      id,
    ]);
  }

  async appendEvent(e: EventRecord): Promise<void> {
    await this.query('INSERT INTO events (session_id, at, kind, participant_id, detail) VALUES ($1, $2, $3, $4, $5)', [
      e.sessionId,
      ms(e.at, 'at'),
      e.kind,
      e.participantId,
      e.detail ? json(e.detail) : null,
    ]);
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const [row] = await this.query<SessionRow>('SELECT * FROM sessions WHERE id = $1', [id]);
    return row && sessionRecord(row);
  }

  async listOpenSessions(): Promise<SessionRecord[]> {
    // COLLATE "C": ids ordered by their bytes, as SQLite orders them, whatever the database's collation.
    const rows = await this.query<SessionRow>(
      `SELECT * FROM sessions WHERE status <> 'ended' ORDER BY created_at, id COLLATE "C"`,
    );
    return rows.map(sessionRecord);
  }

  async listParticipants(sessionId: string): Promise<ParticipantRecord[]> {
    const rows = await this.query<ParticipantRow>(
      'SELECT * FROM participants WHERE session_id = $1 ORDER BY joined_at, id COLLATE "C"',
      [sessionId],
    );
    return rows.map(participantRecord);
  }

  async listEvents(sessionId: string): Promise<EventRecord[]> {
    const rows = await this.query<EventRow>('SELECT * FROM events WHERE session_id = $1 ORDER BY seq', [sessionId]);
    return rows.map(eventRecord);
  }

  async recordTermsAcceptance(r: TermsAcceptanceRecord): Promise<void> {
    // Who accepted, as its two parts: the site and the visitor id.
    const visitor = parseVisitorKey(r.visitorId);
    try {
      await this.query(
        `INSERT INTO terms_acceptances (site_id, visitor_id, session_id, terms_version, text_sha256, accepted_at, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          visitor?.siteId ?? null,
          visitor?.visitorId ?? r.visitorId,
          r.sessionId,
          r.termsVersion,
          r.textSha256,
          ms(r.acceptedAt, 'acceptedAt'),
          r.ip,
          r.userAgent,
        ],
      );
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION)
        throw new DuplicateRecordError('terms_acceptance', { cause: err });
      throw err;
    }
  }

  async getTermsAcceptance(sessionId: string): Promise<TermsAcceptanceRecord | undefined> {
    const [row] = await this.query<TermsAcceptanceRow>('SELECT * FROM terms_acceptances WHERE session_id = $1', [
      sessionId,
    ]);
    return row && termsAcceptanceRecord(row);
  }

  async saveProblemReport(r: ProblemReportRecord): Promise<void> {
    await this.query(
      'INSERT INTO problem_reports (id, session_id, participant_id, reported_at, description, diagnostics) VALUES ($1, $2, $3, $4, $5, $6)',
      [r.id, r.sessionId, r.participantId, ms(r.reportedAt, 'reportedAt'), r.description, json(r.diagnostics)],
    );
  }

  async getProblemReport(id: string): Promise<ProblemReportRecord | undefined> {
    const [row] = await this.query<ProblemReportRow>('SELECT * FROM problem_reports WHERE id = $1', [id]);
    return row && problemReportRecord(row);
  }

  // --- Salesforce: org registry, agents' orgs, session links, outbox ---

  async saveSalesforceOrg(r: SalesforceOrgRecord): Promise<void> {
    await this.query(
      `INSERT INTO salesforce_orgs (org_id, name, api_key_sha256, instance_url, site_ids, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (org_id) DO UPDATE SET name = excluded.name, api_key_sha256 = excluded.api_key_sha256,
         instance_url = excluded.instance_url, site_ids = excluded.site_ids, updated_at = excluded.updated_at`,
      [r.orgId, r.name, r.apiKeySha256, r.instanceUrl, json(r.siteIds), ms(r.updatedAt, 'updatedAt')],
    );
  }

  async getSalesforceOrg(orgId: string): Promise<SalesforceOrgRecord | undefined> {
    const [row] = await this.query<SalesforceOrgRow>('SELECT * FROM salesforce_orgs WHERE org_id = $1', [orgId]);
    return row && salesforceOrgRecord(row);
  }

  async rememberSalesforceUser(userId: string, orgId: string, seenAt: number): Promise<void> {
    await this.query(
      `INSERT INTO salesforce_users (user_id, org_id, seen_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET org_id = excluded.org_id, seen_at = excluded.seen_at`,
      [userId, orgId, ms(seenAt, 'seenAt')],
    );
  }

  async getSalesforceUserOrg(userId: string): Promise<string | undefined> {
    const [row] = await this.query<{ org_id: string }>('SELECT org_id FROM salesforce_users WHERE user_id = $1', [
      userId,
    ]);
    return row?.org_id;
  }

  async linkSalesforceSession(l: SalesforceSessionLink): Promise<void> {
    // Table-qualified on the right: in PostgreSQL a bare column in DO UPDATE would be ambiguous with excluded's.
    await this.query(
      `INSERT INTO salesforce_session_links AS link (session_id, org_id, site_id, contact_id, agent_user_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (session_id) DO UPDATE SET org_id = excluded.org_id, site_id = COALESCE(excluded.site_id, link.site_id),
         contact_id = COALESCE(excluded.contact_id, link.contact_id), agent_user_id = COALESCE(excluded.agent_user_id, link.agent_user_id)`,
      [l.sessionId, l.orgId, l.siteId, l.contactId, l.agentUserId, ms(l.createdAt, 'createdAt')],
    );
  }

  async getSalesforceSessionLink(sessionId: string): Promise<SalesforceSessionLink | undefined> {
    const [row] = await this.query<SessionLinkRow>('SELECT * FROM salesforce_session_links WHERE session_id = $1', [
      sessionId,
    ]);
    return row && sessionLinkRecord(row);
  }

  async enqueueSalesforceRecord(e: {
    orgId: string;
    sobject: string;
    externalId: string;
    payload: Record<string, unknown>;
    createdAt: number;
  }): Promise<boolean> {
    const createdAt = ms(e.createdAt, 'createdAt');
    const rows = await this.query(
      `INSERT INTO salesforce_outbox (org_id, sobject, external_id, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (org_id, sobject, external_id) DO NOTHING RETURNING id`,
      [e.orgId, e.sobject, e.externalId, json(e.payload), createdAt],
    );
    return rows.length > 0;
  }

  async claimSalesforceOutbox(now: number, leaseMs: number, limit: number): Promise<SalesforceOutboxEntry[]> {
    // One statement: the rows are locked as they are picked, and a row another instance is claiming at this moment
    // is skipped (SKIP LOCKED), not waited for, so two instances never lease the same record.
    const rows = await this.query<SalesforceOutboxRow>(
      `UPDATE salesforce_outbox SET leased_until = $2
       WHERE id IN (
         SELECT id FROM salesforce_outbox
         WHERE delivered_at IS NULL AND parked_at IS NULL AND next_attempt_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)
         ORDER BY next_attempt_at, id LIMIT $3
         FOR UPDATE SKIP LOCKED
       )
       RETURNING *`,
      [ms(now, 'now'), ms(now + leaseMs, 'lease end'), count(limit, 'limit')],
    );
    // RETURNING has no order; the claim's is soonest due first, as SQLite's.
    return rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id).map(outboxEntry);
  }

  async markSalesforceDelivered(id: number, at: number): Promise<void> {
    await this.query(
      'UPDATE salesforce_outbox SET delivered_at = $1, leased_until = NULL, last_error = NULL WHERE id = $2',
      [ms(at, 'at'), id],
    );
  }

  async rescheduleSalesforceRecord(
    id: number,
    attempts: number,
    nextAttemptAt: number,
    lastError: string,
  ): Promise<void> {
    await this.query(
      'UPDATE salesforce_outbox SET attempts = $1, next_attempt_at = $2, last_error = $3, leased_until = NULL WHERE id = $4',
      [attempts, ms(nextAttemptAt, 'nextAttemptAt'), lastError.slice(0, 1000), id],
    );
  }

  async recordSalesforceRecordFailure(
    id: number,
    f: { attempts: number; recordFailures: number; nextAttemptAt: number; lastError: string },
  ): Promise<void> {
    await this.query(
      'UPDATE salesforce_outbox SET attempts = $1, record_failures = $2, next_attempt_at = $3, last_error = $4, leased_until = NULL WHERE id = $5',
      [f.attempts, f.recordFailures, ms(f.nextAttemptAt, 'nextAttemptAt'), f.lastError.slice(0, 1000), id],
    );
  }

  async parkSalesforceRecord(
    id: number,
    p: { attempts: number; recordFailures: number; parkedAt: number; reason: string },
  ): Promise<void> {
    await this.query(
      'UPDATE salesforce_outbox SET attempts = $1, record_failures = $2, parked_at = $3, last_error = $4, leased_until = NULL WHERE id = $5',
      [p.attempts, p.recordFailures, ms(p.parkedAt, 'parkedAt'), p.reason.slice(0, 1000), id],
    );
  }

  async omitSalesforceRecordFields(id: number, fields: string[]): Promise<void> {
    await this.query('UPDATE salesforce_outbox SET omitted_fields = $1 WHERE id = $2', [json(fields), id]);
  }

  async requeueSalesforceRecord(orgId: string, id: number, now: number): Promise<SalesforceRequeueResult> {
    // The update decides (atomically) whether the record was parked; the read after it only explains a refusal.
    const [requeued] = await this.query<SalesforceOutboxRow>(
      `UPDATE salesforce_outbox SET parked_at = NULL, record_failures = 0, next_attempt_at = $1, leased_until = NULL
       WHERE id = $2 AND org_id = $3 AND parked_at IS NOT NULL AND delivered_at IS NULL RETURNING *`,
      [ms(now, 'now'), id, orgId],
    );
    if (requeued) return { outcome: 'requeued', entry: outboxEntry(requeued) };
    const [row] = await this.query<SalesforceOutboxRow>(
      'SELECT * FROM salesforce_outbox WHERE id = $1 AND org_id = $2',
      [id, orgId],
    );
    return row ? { outcome: 'not_parked', entry: outboxEntry(row) } : { outcome: 'not_found' };
  }

  async listSalesforceOutbox(filter: SalesforceOutboxFilter = {}): Promise<SalesforceOutboxEntry[]> {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.orgId !== undefined) {
      args.push(filter.orgId);
      where.push(`org_id = $${args.length}`);
    }
    if (filter.status === 'delivered') where.push('delivered_at IS NOT NULL');
    if (filter.status === 'parked') where.push('delivered_at IS NULL AND parked_at IS NOT NULL');
    if (filter.status === 'pending') where.push('delivered_at IS NULL AND parked_at IS NULL');
    let limit = '';
    if (filter.limit !== undefined) {
      args.push(count(filter.limit, 'limit'));
      limit = ` LIMIT $${args.length}`;
    }
    const sql = `SELECT * FROM salesforce_outbox${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id${limit}`;
    return (await this.query<SalesforceOutboxRow>(sql, args)).map(outboxEntry);
  }

  async countSalesforceOutbox(): Promise<Record<SalesforceOutboxStatus, number>> {
    const counts: Record<SalesforceOutboxStatus, number> = { pending: 0, parked: 0, delivered: 0 };
    const rows = await this.query<{ status: SalesforceOutboxStatus; n: string }>(
      "SELECT CASE WHEN delivered_at IS NOT NULL THEN 'delivered' WHEN parked_at IS NOT NULL THEN 'parked' ELSE 'pending' END AS status, COUNT(*) AS n FROM salesforce_outbox GROUP BY 1",
      [],
    );
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Waits for checked-out connections to come back, then closes them all.
    await this.pool.end();
  }

  /** Every query goes through the pool: a connection per statement, returned (or dropped, after an error) at once. */
  private async query<R extends QueryResultRow = QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    const result = await this.pool.query<R>(sql, values.map(param));
    return result.rows;
  }
}
