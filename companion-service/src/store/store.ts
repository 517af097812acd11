import type { Role } from '../protocol/messages';
import type { SessionStatus } from '../sessions/state';

/* Durable records behind one interface (every method async, plain data in and out): SQLite (sqliteStore.ts) is the
 * embedded default, PostgreSQL (postgresStore.ts) the store several instances share. test/store/storeContract.ts holds
 * both to the same behaviour. */

export interface SessionRecord {
  id: string;
  code: string;
  status: SessionStatus;
  createdAt: number;
  endedAt: number | null;
  endReason: string | null;
  /** The site whose page the session was started on (tenancy/origins.ts); null when none: the service's own pages,
   * or a session stored without one. */
  siteId: string | null;
}

/** A new session; its site may be left out (null). */
export type NewSessionRecord = Omit<SessionRecord, 'endedAt' | 'endReason' | 'siteId'> & { siteId?: string | null };

export interface ParticipantRecord {
  id: string;
  sessionId: string;
  role: Role;
  identity: string;
  name: string | null;
  joinedAt: number;
  leftAt: number | null;
  leaveReason: string | null;
}

export interface EventRecord {
  sessionId: string;
  at: number;
  kind: string;
  participantId: string | null;
  detail: Record<string, unknown> | null;
}

export interface TermsAcceptanceRecord {
  /** Who accepted: the visitor's identity as sessions carry it, "<site id>/<visitor id>" (tenancy/visitorIdentity.ts),
   * stored as a site column and a visitor id column. Acceptances stored before tenants existed read back as the bare
   * visitor id. */
  visitorId: string;
  sessionId: string;
  termsVersion: string;
  /** SHA-256 (hex) of the exact text the visitor was shown. */
  textSha256: string;
  acceptedAt: number;
  ip: string;
  userAgent: string;
}

export interface ProblemReportRecord {
  id: string;
  sessionId: string;
  participantId: string;
  reportedAt: number;
  description: string;
  diagnostics: Record<string, unknown>;
}

/** A registered Salesforce org as the store keeps it (its integration secrets stay in configuration only). */
export interface SalesforceOrgRecord {
  orgId: string;
  name: string;
  apiKeySha256: string;
  instanceUrl: string;
  /** The sites the org is linked to (its tenant). */
  siteIds: string[];
  updatedAt: number;
}

/** pending: waiting for (another) attempt; delivered: written to Salesforce; parked: Salesforce refused the record
 * itself too often, it waits for an admin and never holds up the org's other records. */
export type SalesforceOutboxStatus = 'pending' | 'delivered' | 'parked';

/** A Salesforce session record waiting in (or delivered through) the outbox, upserted by its external id. */
export interface SalesforceOutboxEntry {
  id: number;
  orgId: string;
  sobject: string;
  externalId: string;
  payload: Record<string, unknown>;
  createdAt: number;
  status: SalesforceOutboxStatus;
  /** Every failed attempt, the org's (Salesforce unreachable) and the record's. */
  attempts: number;
  /** Failed attempts where Salesforce refused this record itself; reset when an admin requeues it. */
  recordFailures: number;
  nextAttemptAt: number;
  deliveredAt: number | null;
  parkedAt: number | null;
  lastError: string | null;
  /** Lookups left out of the payload because Salesforce refused them (e.g. a deleted contact). */
  omittedFields: string[];
}

/** Which outbox entries to list. */
export interface SalesforceOutboxFilter {
  orgId?: string;
  status?: SalesforceOutboxStatus;
  limit?: number;
}

/** What an admin's requeue came to. */
export type SalesforceRequeueResult =
  | { outcome: 'requeued'; entry: SalesforceOutboxEntry }
  | { outcome: 'not_parked'; entry: SalesforceOutboxEntry }
  | { outcome: 'not_found' };

/** Which org (and contact) a session belongs to, written when an agent joins through Salesforce. */
export interface SalesforceSessionLink {
  sessionId: string;
  orgId: string;
  /** The site of the visitor the session was for (1-click connect); null when joined by code. */
  siteId: string | null;
  contactId: string | null;
  agentUserId: string | null;
  createdAt: number;
}

export interface Store {
  /** Creates or upgrades the schema. */
  migrate(): Promise<void>;
  /** Cheap round trip used by readiness checks. */
  ping(): Promise<void>;
  createSession(record: NewSessionRecord): Promise<void>;
  updateSessionStatus(id: string, status: SessionRecord['status'], endedAt?: number, endReason?: string): Promise<void>;
  addParticipant(record: Omit<ParticipantRecord, 'leftAt' | 'leaveReason'>): Promise<void>;
  participantLeft(id: string, leftAt: number, reason: string): Promise<void>;
  appendEvent(event: EventRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** Sessions not ended: at start, the ones a previous process held and could not end (it was killed). */
  listOpenSessions(): Promise<SessionRecord[]>;
  listParticipants(sessionId: string): Promise<ParticipantRecord[]>;
  listEvents(sessionId: string): Promise<EventRecord[]>;
  /** Durable before the session goes on; a second acceptance for the same session is refused by the store. */
  recordTermsAcceptance(record: TermsAcceptanceRecord): Promise<void>;
  getTermsAcceptance(sessionId: string): Promise<TermsAcceptanceRecord | undefined>;
  saveProblemReport(record: ProblemReportRecord): Promise<void>;
  getProblemReport(id: string): Promise<ProblemReportRecord | undefined>;
  // --- Salesforce: org registry, agents' orgs, session links, outbox ---
  saveSalesforceOrg(record: SalesforceOrgRecord): Promise<void>;
  getSalesforceOrg(orgId: string): Promise<SalesforceOrgRecord | undefined>;
  /** Remembers which org a Salesforce user signed in from, so sessions they run are recorded there. */
  rememberSalesforceUser(userId: string, orgId: string, seenAt: number): Promise<void>;
  getSalesforceUserOrg(userId: string): Promise<string | undefined>;
  linkSalesforceSession(link: SalesforceSessionLink): Promise<void>;
  getSalesforceSessionLink(sessionId: string): Promise<SalesforceSessionLink | undefined>;
  /** Adds a record unless one with the same org, object and external id is already queued; true when added. */
  enqueueSalesforceRecord(entry: {
    orgId: string;
    sobject: string;
    externalId: string;
    payload: Record<string, unknown>;
    createdAt: number;
  }): Promise<boolean>;
  /** Leases up to `limit` undelivered entries due by `now` so no other worker takes them until the lease ends. */
  claimSalesforceOutbox(now: number, leaseMs: number, limit: number): Promise<SalesforceOutboxEntry[]>;
  markSalesforceDelivered(id: number, at: number): Promise<void>;
  /** After a failure that was the org's: the record waits with the org's others. */
  rescheduleSalesforceRecord(id: number, attempts: number, nextAttemptAt: number, lastError: string): Promise<void>;
  /** After Salesforce refused the record itself: it waits alone until nextAttemptAt. */
  recordSalesforceRecordFailure(
    id: number,
    failure: { attempts: number; recordFailures: number; nextAttemptAt: number; lastError: string },
  ): Promise<void>;
  /** Stops retrying a record Salesforce keeps refusing; it stays until an admin requeues it. */
  parkSalesforceRecord(
    id: number,
    parked: { attempts: number; recordFailures: number; parkedAt: number; reason: string },
  ): Promise<void>;
  /** Remembers the lookups to leave out of this record's payload from now on. */
  omitSalesforceRecordFields(id: number, fields: string[]): Promise<void>;
  /** A parked record of this org, due again at `now` with its record failures forgotten. */
  requeueSalesforceRecord(orgId: string, id: number, now: number): Promise<SalesforceRequeueResult>;
  /** Oldest first; every entry of every org without a filter. */
  listSalesforceOutbox(filter?: SalesforceOutboxFilter): Promise<SalesforceOutboxEntry[]>;
  /** How many records the outbox holds in each status (for the metrics). */
  countSalesforceOutbox(): Promise<Record<SalesforceOutboxStatus, number>>;
  /** Flushes and releases the store; further calls fail. */
  close(): Promise<void>;
}
