import { types as pgTypes, type CustomTypesConfig } from 'pg';
import type { ParticipantRecord, SalesforceOutboxEntry, SessionRecord } from './store';

/* Values between JavaScript and PostgreSQL for the PostgreSQL store: parameters going in, rows coming out. */

const INT8_OID = 20;

/** bigint columns (times in ms, ids) come back as numbers, as SQLite's do; pg would give strings to be safe for values
 * beyond 2^53, which these never reach: one that did would be refused rather than rounded. */
export const types: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid !== INT8_OID) return pgTypes.getTypeParser(oid, format ?? 'text');
    return (text: string) => {
      const value = Number(text);
      if (!Number.isSafeInteger(value)) throw new RangeError(`bigint ${text} does not fit a JavaScript number`);
      return value;
    };
  }) as CustomTypesConfig['getTypeParser'],
};

/** PostgreSQL text cannot hold U+0000, which SQLite keeps; it is the one character stored differently (as U+FFFD)
 * rather than failing the whole write. */
export function param(value: unknown): unknown {
  return typeof value === 'string' && value.includes('\u0000') ? value.replace(/\u0000/g, '\uFFFD') : value;
}

export const json = (value: unknown): string => JSON.stringify(value);

/** Milliseconds as the bigint columns take them: a whole number. */
export function ms(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new TypeError(`${what} must be a whole number of milliseconds`);
  return value;
}

export function count(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`${what} must be a whole number, 0 or more`);
  return value;
}

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
