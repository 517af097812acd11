import type { Role } from '../protocol/messages';

/* Durable records behind one interface. SQLite is the embedded default; a PostgreSQL implementation fits the same
 * shape (every method async, plain data in and out). */

export interface SessionRecord {
  id: string;
  code: string;
  status: 'inviting' | 'waiting' | 'active' | 'ended';
  createdAt: number;
  endedAt: number | null;
  endReason: string | null;
}

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

export interface Store {
  /** Creates or upgrades the schema. */
  migrate(): Promise<void>;
  /** Cheap round trip used by readiness checks. */
  ping(): Promise<void>;
  createSession(record: Omit<SessionRecord, 'endedAt' | 'endReason'>): Promise<void>;
  updateSessionStatus(id: string, status: SessionRecord['status'], endedAt?: number, endReason?: string): Promise<void>;
  addParticipant(record: Omit<ParticipantRecord, 'leftAt' | 'leaveReason'>): Promise<void>;
  participantLeft(id: string, leftAt: number, reason: string): Promise<void>;
  appendEvent(event: EventRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  listParticipants(sessionId: string): Promise<ParticipantRecord[]>;
  listEvents(sessionId: string): Promise<EventRecord[]>;
  /** Durable before the session goes on; a second acceptance for the same session is refused by the store. */
  recordTermsAcceptance(record: TermsAcceptanceRecord): Promise<void>;
  getTermsAcceptance(sessionId: string): Promise<TermsAcceptanceRecord | undefined>;
  saveProblemReport(record: ProblemReportRecord): Promise<void>;
  getProblemReport(id: string): Promise<ProblemReportRecord | undefined>;
  /** Flushes and releases the store; further calls fail. */
  close(): Promise<void>;
}
