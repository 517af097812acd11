import type { Client } from 'pg';

/** Schema versions, applied in order; the table tandem_schema_versions records which have run. Never edit a released
 * one: add a new entry, which only adds (tables, columns, indexes), so the previous release keeps working beside it
 * during a rolling deploy (docs/deploy.md). Version 1 is what the SQLite migrations (sqliteMigrations.ts) add up to, in PostgreSQL's
 * types: times are milliseconds since the epoch (bigint), JSON is `json` (kept as written, like SQLite's text). */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    id text PRIMARY KEY,
    code text NOT NULL,
    status text NOT NULL CHECK (status IN ('inviting', 'waiting', 'active', 'ended')),
    created_at bigint NOT NULL,
    ended_at bigint,
    end_reason text,
    site_id text
  );
  CREATE INDEX sessions_open ON sessions (created_at, id) WHERE status <> 'ended';
  CREATE TABLE participants (
    id text PRIMARY KEY,
    session_id text NOT NULL REFERENCES sessions (id),
    role text NOT NULL,
    identity text NOT NULL,
    name text,
    joined_at bigint NOT NULL,
    left_at bigint,
    leave_reason text
  );
  CREATE INDEX participants_session ON participants (session_id);
  CREATE TABLE events (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id text NOT NULL REFERENCES sessions (id),
    at bigint NOT NULL,
    kind text NOT NULL,
    participant_id text,
    detail json
  );
  CREATE INDEX events_session ON events (session_id, seq);
  CREATE TABLE terms_acceptances (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id text,
    visitor_id text NOT NULL,
    session_id text NOT NULL UNIQUE REFERENCES sessions (id),
    terms_version text NOT NULL,
    text_sha256 text NOT NULL,
    accepted_at bigint NOT NULL,
    ip text NOT NULL,
    user_agent text NOT NULL
  );
  CREATE TABLE problem_reports (
    id text PRIMARY KEY,
    session_id text NOT NULL REFERENCES sessions (id),
    participant_id text NOT NULL,
    reported_at bigint NOT NULL,
    description text NOT NULL,
    diagnostics json NOT NULL
  );
  CREATE TABLE salesforce_orgs (
    org_id text PRIMARY KEY,
    name text NOT NULL,
    api_key_sha256 text NOT NULL,
    instance_url text NOT NULL,
    site_ids json NOT NULL DEFAULT '[]',
    updated_at bigint NOT NULL
  );
  CREATE TABLE salesforce_users (
    user_id text PRIMARY KEY,
    org_id text NOT NULL,
    seen_at bigint NOT NULL
  );
  CREATE TABLE salesforce_session_links (
    session_id text PRIMARY KEY,
    org_id text NOT NULL,
    site_id text,
    contact_id text,
    agent_user_id text,
    created_at bigint NOT NULL
  );
  CREATE TABLE salesforce_outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id text NOT NULL,
    sobject text NOT NULL,
    external_id text NOT NULL,
    payload json NOT NULL,
    created_at bigint NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    record_failures integer NOT NULL DEFAULT 0,
    next_attempt_at bigint NOT NULL,
    leased_until bigint,
    delivered_at bigint,
    parked_at bigint,
    last_error text,
    omitted_fields json NOT NULL DEFAULT '[]',
    UNIQUE (org_id, sobject, external_id)
  );
  -- What a claim scans: the records still to deliver, soonest first.
  CREATE INDEX salesforce_outbox_due ON salesforce_outbox (next_attempt_at, id) WHERE delivered_at IS NULL AND parked_at IS NULL;
  CREATE INDEX salesforce_outbox_org ON salesforce_outbox (org_id, id);
  `,
];

/** Serializes migrations between instances starting at once (pg_advisory_xact_lock, released at commit); the key is
 * per schema, so services sharing a database in separate schemas don't wait on each other. */
const LOCK_NAMESPACE = 'tandem.migrate';

/** Brings the schema up to date on one dedicated connection: every pending version in one transaction, under an
 * advisory lock, so several instances starting together apply each version once and a failed one leaves nothing. */
export async function migratePostgres(client: Client, schema: string | undefined): Promise<number> {
  await client.query('BEGIN');
  try {
    const target =
      schema ?? (await client.query<{ s: string | null }>('SELECT current_schema() AS s')).rows[0]?.s ?? null;
    if (target === null) throw new Error('PostgreSQL has no schema to create tables in: set TANDEM_DATABASE_SCHEMA');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${LOCK_NAMESPACE}:${target}`]);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS tandem_schema_versions (version integer PRIMARY KEY, applied_at bigint NOT NULL)`,
    );
    const { rows } = await client.query<{ v: number }>(
      'SELECT COALESCE(MAX(version), 0)::integer AS v FROM tandem_schema_versions',
    );
    const applied = rows[0]?.v ?? 0;
    if (applied > POSTGRES_MIGRATIONS.length) {
      throw new Error(
        `the database schema is at version ${applied}, newer than this service knows (${POSTGRES_MIGRATIONS.length}): run a newer service`,
      );
    }
    for (let version = applied; version < POSTGRES_MIGRATIONS.length; version++) {
      await client.query(POSTGRES_MIGRATIONS[version] as string);
      await client.query('INSERT INTO tandem_schema_versions (version, applied_at) VALUES ($1, $2)', [
        version + 1,
        Date.now(),
      ]);
    }
    await client.query('COMMIT');
    return POSTGRES_MIGRATIONS.length - applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
