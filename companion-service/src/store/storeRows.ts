import { visitorKey } from '../tenancy/visitorIdentity';
import type {
  EventRecord,
  ParticipantRecord,
  ProblemReportRecord,
  SalesforceOrgRecord,
  SalesforceOutboxEntry,
  SalesforceSessionLink,
  SessionRecord,
  TermsAcceptanceRecord,
} from './store';

/* The rows both stores read back, with JSON columns already parsed (PostgreSQL parses them itself; SQLite keeps text
 * that sqliteStore.ts parses first), and how each becomes the record the Store contract returns. One mapping for both
 * stores, so they can't drift apart. */

export interface SessionRow {
  id: string;
  code: string;
  status: SessionRecord['status'];
  created_at: number;
  ended_at: number | null;
  end_reason: string | null;
  site_id: string | null;
}

export interface ParticipantRow {
  id: string;
  session_id: string;
  role: ParticipantRecord['role'];
  identity: string;
  name: string | null;
  joined_at: number;
  left_at: number | null;
  leave_reason: string | null;
}

export interface EventRow {
  session_id: string;
  at: number;
  kind: string;
  participant_id: string | null;
  detail: Record<string, unknown> | null;
}

export interface TermsAcceptanceRow {
  /** Null when the identity names no site (and for rows from before sites were stored): visitor_id holds all of it. */
  site_id: string | null;
  visitor_id: string;
  session_id: string;
  terms_version: string;
  text_sha256: string;
  accepted_at: number;
  ip: string;
  user_agent: string;
}

export interface ProblemReportRow {
  id: string;
  session_id: string;
  participant_id: string;
  reported_at: number;
  description: string;
  diagnostics: Record<string, unknown>;
}

export interface SalesforceOrgRow {
  org_id: string;
  name: string;
  api_key_sha256: string;
  instance_url: string;
  site_ids: string[];
  updated_at: number;
}

export interface SessionLinkRow {
  session_id: string;
  org_id: string;
  site_id: string | null;
  contact_id: string | null;
  agent_user_id: string | null;
  created_at: number;
}

export interface SalesforceOutboxRow {
  id: number;
  org_id: string;
  sobject: string;
  external_id: string;
  payload: Record<string, unknown>;
  created_at: number;
  attempts: number;
  record_failures: number;
  next_attempt_at: number;
  delivered_at: number | null;
  parked_at: number | null;
  last_error: string | null;
  omitted_fields: string[];
}

export function sessionRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    code: row.code,
    status: row.status,
    createdAt: row.created_at,
    endedAt: row.ended_at,
    endReason: row.end_reason,
    siteId: row.site_id,
  };
}

export function participantRecord(r: ParticipantRow): ParticipantRecord {
  return {
    id: r.id,
    sessionId: r.session_id,
    role: r.role,
    identity: r.identity,
    name: r.name,
    joinedAt: r.joined_at,
    leftAt: r.left_at,
    leaveReason: r.leave_reason,
  };
}

export function eventRecord(r: EventRow): EventRecord {
  return { sessionId: r.session_id, at: r.at, kind: r.kind, participantId: r.participant_id, detail: r.detail };
}

export function termsAcceptanceRecord(row: TermsAcceptanceRow): TermsAcceptanceRecord {
  return {
    visitorId: row.site_id === null ? row.visitor_id : visitorKey({ siteId: row.site_id, visitorId: row.visitor_id }),
    sessionId: row.session_id,
    termsVersion: row.terms_version,
    textSha256: row.text_sha256,
    acceptedAt: row.accepted_at,
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

export function problemReportRecord(row: ProblemReportRow): ProblemReportRecord {
  return {
    id: row.id,
    sessionId: row.session_id,
    participantId: row.participant_id,
    reportedAt: row.reported_at,
    description: row.description,
    diagnostics: row.diagnostics,
  };
}

export function salesforceOrgRecord(row: SalesforceOrgRow): SalesforceOrgRecord {
  return {
    orgId: row.org_id,
    name: row.name,
    apiKeySha256: row.api_key_sha256,
    instanceUrl: row.instance_url,
    siteIds: row.site_ids,
    updatedAt: row.updated_at,
  };
}

export function sessionLinkRecord(row: SessionLinkRow): SalesforceSessionLink {
  return {
    sessionId: row.session_id,
    orgId: row.org_id,
    siteId: row.site_id,
    contactId: row.contact_id,
    agentUserId: row.agent_user_id,
    createdAt: row.created_at,
  };
}

export function outboxEntry(r: SalesforceOutboxRow): SalesforceOutboxEntry {
  return {
    id: r.id,
    orgId: r.org_id,
    sobject: r.sobject,
    externalId: r.external_id,
    payload: r.payload,
    createdAt: r.created_at,
    status: r.delivered_at !== null ? 'delivered' : r.parked_at !== null ? 'parked' : 'pending',
    attempts: r.attempts,
    recordFailures: r.record_failures,
    nextAttemptAt: r.next_attempt_at,
    deliveredAt: r.delivered_at,
    parkedAt: r.parked_at,
    lastError: r.last_error,
    omittedFields: r.omitted_fields,
  };
}
