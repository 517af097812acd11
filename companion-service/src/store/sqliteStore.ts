import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type {
  EventRecord,
  ParticipantRecord,
  ProblemReportRecord,
  SessionRecord,
  Store,
  TermsAcceptanceRecord,
} from './store';
import { SQLITE_MIGRATIONS } from './sqliteMigrations';

interface SessionRow {
  id: string;
  code: string;
  status: SessionRecord['status'];
  created_at: number;
  ended_at: number | null;
  end_reason: string | null;
}
interface ParticipantRow {
  id: string;
  session_id: string;
  role: ParticipantRecord['role'];
  identity: string;
  name: string | null;
  joined_at: number;
  left_at: number | null;
  leave_reason: string | null;
}
interface EventRow {
  session_id: string;
  at: number;
  kind: string;
  participant_id: string | null;
  detail: string | null;
}

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

  async createSession(r: Omit<SessionRecord, 'endedAt' | 'endReason'>): Promise<void> {
    this.db
      .prepare('INSERT INTO sessions (id, code, status, created_at) VALUES (?, ?, ?, ?)')
      .run(r.id, r.code, r.status, r.createdAt);
  }

  async updateSessionStatus(id: string, status: SessionRecord['status'], endedAt?: number, endReason?: string) {
    this.db
      .prepare('UPDATE sessions SET status = ?, ended_at = COALESCE(?, ended_at), end_reason = COALESCE(?, end_reason) WHERE id = ?')
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
    return row && {
      id: row.id,
      code: row.code,
      status: row.status,
      createdAt: row.created_at,
      endedAt: row.ended_at,
      endReason: row.end_reason,
    };
  }

  async listParticipants(sessionId: string): Promise<ParticipantRecord[]> {
    const rows = this.db
      .prepare('SELECT * FROM participants WHERE session_id = ? ORDER BY joined_at, id')
      .all(sessionId) as ParticipantRow[];
    return rows.map((r) => ({
      id: r.id,
      sessionId: r.session_id,
      role: r.role,
      identity: r.identity,
      name: r.name,
      joinedAt: r.joined_at,
      leftAt: r.left_at,
      leaveReason: r.leave_reason,
    }));
  }

  async listEvents(sessionId: string): Promise<EventRecord[]> {
    const rows = this.db.prepare('SELECT * FROM events WHERE session_id = ? ORDER BY seq').all(sessionId) as EventRow[];
    return rows.map((r) => ({
      sessionId: r.session_id,
      at: r.at,
      kind: r.kind,
      participantId: r.participant_id,
      detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
    }));
  }

  async recordTermsAcceptance(r: TermsAcceptanceRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO terms_acceptances (visitor_id, session_id, terms_version, text_sha256, accepted_at, ip, user_agent)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.visitorId, r.sessionId, r.termsVersion, r.textSha256, r.acceptedAt, r.ip, r.userAgent);
  }

  async getTermsAcceptance(sessionId: string): Promise<TermsAcceptanceRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM terms_acceptances WHERE session_id = ?').get(sessionId) as
      | { visitor_id: string; session_id: string; terms_version: string; text_sha256: string; accepted_at: number; ip: string; user_agent: string }
      | undefined;
    return row && {
      visitorId: row.visitor_id,
      sessionId: row.session_id,
      termsVersion: row.terms_version,
      textSha256: row.text_sha256,
      acceptedAt: row.accepted_at,
      ip: row.ip,
      userAgent: row.user_agent,
    };
  }

  async saveProblemReport(r: ProblemReportRecord): Promise<void> {
    this.db
      .prepare('INSERT INTO problem_reports (id, session_id, participant_id, reported_at, description, diagnostics) VALUES (?, ?, ?, ?, ?, ?)')
      .run(r.id, r.sessionId, r.participantId, r.reportedAt, r.description, JSON.stringify(r.diagnostics));
  }

  async getProblemReport(id: string): Promise<ProblemReportRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM problem_reports WHERE id = ?').get(id) as
      | { id: string; session_id: string; participant_id: string; reported_at: number; description: string; diagnostics: string }
      | undefined;
    return row && {
      id: row.id,
      sessionId: row.session_id,
      participantId: row.participant_id,
      reportedAt: row.reported_at,
      description: row.description,
      diagnostics: JSON.parse(row.diagnostics) as Record<string, unknown>,
    };
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    // Fold the write-ahead log into the database file so a stopped service leaves one consistent file.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}
