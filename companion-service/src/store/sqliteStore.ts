import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parseVisitorKey } from '../tenancy/visitorIdentity';
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
import { SQLITE_MIGRATIONS } from './sqliteMigrations';
import { DuplicateRecordError } from './storeErrors';
import {
  eventRecord,
  outboxEntry as entryOf,
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

/** How SQLite gives back the JSON columns: as the text that was written. */
type StoredEventRow = Omit<EventRow, 'detail'> & { detail: string | null };
type StoredOutboxRow = Omit<SalesforceOutboxRow, 'payload' | 'omitted_fields'> & {
  payload: string;
  omitted_fields: string;
};
type StoredProblemReportRow = Omit<ProblemReportRow, 'diagnostics'> & { diagnostics: string };
type StoredOrgRow = Omit<SalesforceOrgRow, 'site_ids'> & { site_ids: string };

/** The embedded store. better-sqlite3 is synchronous; WAL mode keeps writes short, so the event loop is not held up
 * noticeably by the few writes a session makes. */
export class SqliteStore implements Store {
  private readonly db: Database.Database;

  /** `file` may be ":memory:". Relative paths are resolved against `baseDir`. */
  constructor(file: string, baseDir: string) {
    const resolved = file === ':memory:' ? file : path.resolve(baseDir, file);
    if (resolved !== ':memory:') mkdirSync(path.dirname(resolved), { recursive: true });
    this.db = new Database(resolved);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
  }

  async migrate(): Promise<void> {
    const applied = this.db.pragma('user_version', { simple: true }) as number;
    for (let version = applied; version < SQLITE_MIGRATIONS.length; version++) {
      this.db.transaction(() => {
        this.db.exec(SQLITE_MIGRATIONS[version] as string);
        this.db.pragma(`user_version = ${version + 1}`);
      })();
    }
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async createSession(r: NewSessionRecord): Promise<void> {
    this.db
      .prepare('INSERT INTO sessions (id, code, status, created_at, site_id) VALUES (?, ?, ?, ?, ?)')
      .run(r.id, r.code, r.status, r.createdAt, r.siteId ?? null);
  }

  async updateSessionStatus(id: string, status: SessionRecord['status'], endedAt?: number, endReason?: string) {
    this.db
      .prepare(
        'UPDATE sessions SET status = ?, ended_at = COALESCE(?, ended_at), end_reason = COALESCE(?, end_reason) WHERE id = ?',
      )
      .run(status, endedAt ?? null, endReason ?? null, id);
  }

  async addParticipant(r: Omit<ParticipantRecord, 'leftAt' | 'leaveReason'>): Promise<void> {
    this.db
      .prepare('INSERT INTO participants (id, session_id, role, identity, name, joined_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(r.id, r.sessionId, r.role, r.identity, r.name, r.joinedAt);
  }

  async participantLeft(id: string, leftAt: number, reason: string): Promise<void> {
    this.db
      .prepare('UPDATE participants SET left_at = ?, leave_reason = ? WHERE id = ? AND left_at IS NULL')
      .run(leftAt, reason, id);
  }

  async appendEvent(e: EventRecord): Promise<void> {
    this.db
      .prepare('INSERT INTO events (session_id, at, kind, participant_id, detail) VALUES (?, ?, ?, ?, ?)')
      .run(e.sessionId, e.at, e.kind, e.participantId, e.detail ? JSON.stringify(e.detail) : null);
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as SessionRow | undefined;
    return row && sessionRecord(row);
  }

  async listOpenSessions(): Promise<SessionRecord[]> {
    const rows = this.db
      .prepare("SELECT * FROM sessions WHERE status != 'ended' ORDER BY created_at, id")
      .all() as SessionRow[];
    return rows.map(sessionRecord);
  }

  async listParticipants(sessionId: string): Promise<ParticipantRecord[]> {
    const rows = this.db
      .prepare('SELECT * FROM participants WHERE session_id = ? ORDER BY joined_at, id')
      .all(sessionId) as ParticipantRow[];
    return rows.map(participantRecord);
  }

  async listEvents(sessionId: string): Promise<EventRecord[]> {
    const rows = this.db
      .prepare('SELECT * FROM events WHERE session_id = ? ORDER BY seq')
      .all(sessionId) as StoredEventRow[];
    return rows.map((r) =>
      eventRecord({ ...r, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null }),
    );
  }

  async recordTermsAcceptance(r: TermsAcceptanceRecord): Promise<void> {
    // Who accepted, as its two parts: the site and the visitor id.
    const visitor = parseVisitorKey(r.visitorId);
    try {
      this.db
        .prepare(
          `INSERT INTO terms_acceptances (site_id, visitor_id, session_id, terms_version, text_sha256, accepted_at, ip, user_agent)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          visitor?.siteId ?? null,
          visitor?.visitorId ?? r.visitorId,
          r.sessionId,
          r.termsVersion,
          r.textSha256,
          r.acceptedAt,
          r.ip,
          r.userAgent,
        );
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new DuplicateRecordError('terms_acceptance', { cause: err });
      throw err;
    }
  }

  async getTermsAcceptance(sessionId: string): Promise<TermsAcceptanceRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM terms_acceptances WHERE session_id = ?').get(sessionId) as
      TermsAcceptanceRow | undefined;
    return row && termsAcceptanceRecord(row);
  }

  async saveProblemReport(r: ProblemReportRecord): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO problem_reports (id, session_id, participant_id, reported_at, description, diagnostics) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(r.id, r.sessionId, r.participantId, r.reportedAt, r.description, JSON.stringify(r.diagnostics));
  }

  async getProblemReport(id: string): Promise<ProblemReportRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM problem_reports WHERE id = ?').get(id) as
      StoredProblemReportRow | undefined;
    return row && problemReportRecord({ ...row, diagnostics: JSON.parse(row.diagnostics) as Record<string, unknown> });
  }

  // --- Salesforce: org registry, agents' orgs, session links, outbox ---

  async saveSalesforceOrg(r: SalesforceOrgRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO salesforce_orgs (org_id, name, api_key_sha256, instance_url, site_ids, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (org_id) DO UPDATE SET name = excluded.name, api_key_sha256 = excluded.api_key_sha256,
           instance_url = excluded.instance_url, site_ids = excluded.site_ids, site_id = NULL, updated_at = excluded.updated_at`,
      )
      .run(r.orgId, r.name, r.apiKeySha256, r.instanceUrl, JSON.stringify(r.siteIds), r.updatedAt);
  }

  async getSalesforceOrg(orgId: string): Promise<SalesforceOrgRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM salesforce_orgs WHERE org_id = ?').get(orgId) as
      StoredOrgRow | undefined;
    return row && salesforceOrgRecord({ ...row, site_ids: JSON.parse(row.site_ids) as string[] });
  }

  async rememberSalesforceUser(userId: string, orgId: string, seenAt: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO salesforce_users (user_id, org_id, seen_at) VALUES (?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET org_id = excluded.org_id, seen_at = excluded.seen_at`,
      )
      .run(userId, orgId, seenAt);
  }

  async getSalesforceUserOrg(userId: string): Promise<string | undefined> {
    const row = this.db.prepare('SELECT org_id FROM salesforce_users WHERE user_id = ?').get(userId) as
      { org_id: string } | undefined;
    return row?.org_id;
  }

  async linkSalesforceSession(l: SalesforceSessionLink): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO salesforce_session_links (session_id, org_id, site_id, contact_id, agent_user_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET org_id = excluded.org_id, site_id = COALESCE(excluded.site_id, site_id),
           contact_id = COALESCE(excluded.contact_id, contact_id), agent_user_id = COALESCE(excluded.agent_user_id, agent_user_id)`,
      )
      .run(l.sessionId, l.orgId, l.siteId, l.contactId, l.agentUserId, l.createdAt);
  }

  async getSalesforceSessionLink(sessionId: string): Promise<SalesforceSessionLink | undefined> {
    const row = this.db.prepare('SELECT * FROM salesforce_session_links WHERE session_id = ?').get(sessionId) as
      SessionLinkRow | undefined;
    return row && sessionLinkRecord(row);
  }

  async enqueueSalesforceRecord(e: {
    orgId: string;
    sobject: string;
    externalId: string;
    payload: Record<string, unknown>;
    createdAt: number;
  }): Promise<boolean> {
    const result = this.db
      .prepare(
        `INSERT INTO salesforce_outbox (org_id, sobject, external_id, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (org_id, sobject, external_id) DO NOTHING`,
      )
      .run(e.orgId, e.sobject, e.externalId, JSON.stringify(e.payload), e.createdAt, e.createdAt);
    return result.changes > 0;
  }

  async claimSalesforceOutbox(now: number, leaseMs: number, limit: number): Promise<SalesforceOutboxEntry[]> {
    return this.db.transaction(() => {
      const rows = this.db
        .prepare(
          `SELECT * FROM salesforce_outbox
           WHERE delivered_at IS NULL AND parked_at IS NULL AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until <= ?)
           ORDER BY next_attempt_at, id LIMIT ?`,
        )
        .all(now, now, limit) as StoredOutboxRow[];
      const lease = this.db.prepare('UPDATE salesforce_outbox SET leased_until = ? WHERE id = ?');
      for (const row of rows) lease.run(now + leaseMs, row.id);
      return rows.map(outboxEntry);
    })();
  }

  async markSalesforceDelivered(id: number, at: number): Promise<void> {
    this.db
      .prepare('UPDATE salesforce_outbox SET delivered_at = ?, leased_until = NULL, last_error = NULL WHERE id = ?')
      .run(at, id);
  }

  async rescheduleSalesforceRecord(
    id: number,
    attempts: number,
    nextAttemptAt: number,
    lastError: string,
  ): Promise<void> {
    this.db
      .prepare(
        'UPDATE salesforce_outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, leased_until = NULL WHERE id = ?',
      )
      .run(attempts, nextAttemptAt, lastError.slice(0, 1000), id);
  }

  async recordSalesforceRecordFailure(
    id: number,
    f: { attempts: number; recordFailures: number; nextAttemptAt: number; lastError: string },
  ): Promise<void> {
    this.db
      .prepare(
        'UPDATE salesforce_outbox SET attempts = ?, record_failures = ?, next_attempt_at = ?, last_error = ?, leased_until = NULL WHERE id = ?',
      )
      .run(f.attempts, f.recordFailures, f.nextAttemptAt, f.lastError.slice(0, 1000), id);
  }

  async parkSalesforceRecord(
    id: number,
    p: { attempts: number; recordFailures: number; parkedAt: number; reason: string },
  ): Promise<void> {
    this.db
      .prepare(
        'UPDATE salesforce_outbox SET attempts = ?, record_failures = ?, parked_at = ?, last_error = ?, leased_until = NULL WHERE id = ?',
      )
      .run(p.attempts, p.recordFailures, p.parkedAt, p.reason.slice(0, 1000), id);
  }

  async omitSalesforceRecordFields(id: number, fields: string[]): Promise<void> {
    this.db.prepare('UPDATE salesforce_outbox SET omitted_fields = ? WHERE id = ?').run(JSON.stringify(fields), id);
  }

  async requeueSalesforceRecord(orgId: string, id: number, now: number): Promise<SalesforceRequeueResult> {
    return this.db.transaction((): SalesforceRequeueResult => {
      const select = this.db.prepare('SELECT * FROM salesforce_outbox WHERE id = ? AND org_id = ?');
      const row = select.get(id, orgId) as StoredOutboxRow | undefined;
      if (!row) return { outcome: 'not_found' };
      if (row.parked_at === null || row.delivered_at !== null)
        return { outcome: 'not_parked', entry: outboxEntry(row) };
      this.db
        .prepare(
          'UPDATE salesforce_outbox SET parked_at = NULL, record_failures = 0, next_attempt_at = ?, leased_until = NULL WHERE id = ?',
        )
        .run(now, id);
      return { outcome: 'requeued', entry: outboxEntry(select.get(id, orgId) as StoredOutboxRow) };
    })();
  }

  async listSalesforceOutbox(filter: SalesforceOutboxFilter = {}): Promise<SalesforceOutboxEntry[]> {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.orgId !== undefined) {
      where.push('org_id = ?');
      args.push(filter.orgId);
    }
    if (filter.status === 'delivered') where.push('delivered_at IS NOT NULL');
    if (filter.status === 'parked') where.push('delivered_at IS NULL AND parked_at IS NOT NULL');
    if (filter.status === 'pending') where.push('delivered_at IS NULL AND parked_at IS NULL');
    const limit = filter.limit === undefined ? '' : ' LIMIT ?';
    if (filter.limit !== undefined) args.push(filter.limit);
    const sql = `SELECT * FROM salesforce_outbox${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id${limit}`;
    return (this.db.prepare(sql).all(...args) as StoredOutboxRow[]).map(outboxEntry);
  }

  async countSalesforceOutbox(): Promise<Record<SalesforceOutboxStatus, number>> {
    const counts: Record<SalesforceOutboxStatus, number> = { pending: 0, parked: 0, delivered: 0 };
    const rows = this.db
      .prepare(
        "SELECT CASE WHEN delivered_at IS NOT NULL THEN 'delivered' WHEN parked_at IS NOT NULL THEN 'parked' ELSE 'pending' END AS status, COUNT(*) AS n FROM salesforce_outbox GROUP BY 1",
      )
      .all() as Array<{ status: SalesforceOutboxStatus; n: number }>;
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    // Fold the write-ahead log into the database file so a stopped service leaves one consistent file.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}

/** An outbox row with its JSON columns parsed. */
function outboxEntry(r: StoredOutboxRow): SalesforceOutboxEntry {
  return entryOf({
    ...r,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    omitted_fields: JSON.parse(r.omitted_fields) as string[],
  });
}
