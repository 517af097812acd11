/** Schema versions, applied in order; PRAGMA user_version records how many have run. Never edit a released one:
 * add a new entry. */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('inviting', 'waiting', 'active', 'ended')),
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
  `
  CREATE TABLE terms_acceptances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    visitor_id TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    terms_version TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    accepted_at INTEGER NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    UNIQUE (session_id)
  );
  CREATE TABLE problem_reports (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    participant_id TEXT NOT NULL,
    reported_at INTEGER NOT NULL,
    description TEXT NOT NULL,
    diagnostics TEXT NOT NULL
  );
  `,
  `
  CREATE TABLE salesforce_orgs (
    org_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    api_key_sha256 TEXT NOT NULL,
    instance_url TEXT NOT NULL,
    site_id TEXT,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE salesforce_users (
    user_id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    seen_at INTEGER NOT NULL
  );
  CREATE TABLE salesforce_session_links (
    session_id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    contact_id TEXT,
    agent_user_id TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE salesforce_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL,
    sobject TEXT NOT NULL,
    external_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    leased_until INTEGER,
    delivered_at INTEGER,
    last_error TEXT,
    UNIQUE (org_id, sobject, external_id)
  );
  CREATE INDEX salesforce_outbox_due ON salesforce_outbox (delivered_at, next_attempt_at);
  `,
  // Records Salesforce refuses for themselves are retried alone, then parked for an admin (status parked).
  `
  ALTER TABLE salesforce_outbox ADD COLUMN record_failures INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE salesforce_outbox ADD COLUMN parked_at INTEGER;
  ALTER TABLE salesforce_outbox ADD COLUMN omitted_fields TEXT NOT NULL DEFAULT '[]';
  CREATE INDEX salesforce_outbox_org ON salesforce_outbox (org_id, parked_at, delivered_at);
  `,
  // Tenants: a logged-in visitor is the pair (site, visitor id) in acceptances and Salesforce session links; a
  // session remembers the site its page was on; an org is linked to a list of sites (site_id stays, unused).
  `
  ALTER TABLE terms_acceptances ADD COLUMN site_id TEXT;
  ALTER TABLE salesforce_session_links ADD COLUMN site_id TEXT;
  ALTER TABLE sessions ADD COLUMN site_id TEXT;
  ALTER TABLE salesforce_orgs ADD COLUMN site_ids TEXT NOT NULL DEFAULT '[]';
  UPDATE salesforce_orgs SET site_ids = json_array(site_id) WHERE site_id IS NOT NULL;
  `,
];
