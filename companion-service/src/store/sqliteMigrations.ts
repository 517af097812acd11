/** Schema versions, applied in order; PRAGMA user_version records how many have run. Never edit a released one:
 * add a new entry. */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'active', 'ended')),
    created_at INTEGER NOT NULL,
    ended_at INTEGER,
    end_reason TEXT
  );
  CREATE INDEX sessions_status ON sessions (status);
  CREATE TABLE participants (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    role TEXT NOT NULL,
    identity TEXT NOT NULL,
    name TEXT,
    joined_at INTEGER NOT NULL,
    left_at INTEGER,
    leave_reason TEXT
  );
  CREATE INDEX participants_session ON participants (session_id);
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    participant_id TEXT,
    detail TEXT
  );
  CREATE INDEX events_session ON events (session_id, seq);
  `,
];
