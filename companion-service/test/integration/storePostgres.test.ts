import { PostgresStore } from '../../src/store/postgresStore';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgresMigrations';
import { dropSchema, freshSchema, postgresConfig, sql } from '../helpers/postgres';
import { storeContract } from '../store/storeContract';

// Every test in a schema of its own (random, dropped after it); each open() is another instance with its own pool.
storeContract('PostgreSQL', async () => {
  const schema = freshSchema();
  return {
    async open() {
      const store = new PostgresStore(postgresConfig(schema));
      await store.migrate();
      return store;
    },
    dispose: () => dropSchema(schema),
  };
});

describe('PostgreSQL migrations', () => {
  let schema: string;
  beforeEach(() => {
    schema = freshSchema();
  });
  afterEach(() => dropSchema(schema));

  it('creates the schema, records each version once, and applies nothing the second time', async () => {
    const store = new PostgresStore(postgresConfig(schema));
    await store.migrate();
    await store.migrate();
    await store.close();
    const versions = await sql(schema, 'SELECT version FROM tandem_schema_versions ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1));
    const tables = await sql(
      undefined,
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'events',
      'participants',
      'problem_reports',
      'salesforce_orgs',
      'salesforce_outbox',
      'salesforce_session_links',
      'salesforce_users',
      'sessions',
      'tandem_schema_versions',
      'terms_acceptances',
    ]);
  });

  it('lets several instances start at once on a new database: one migrates, the others wait and find it done', async () => {
    const stores = Array.from({ length: 6 }, () => new PostgresStore(postgresConfig(schema, { poolSize: 1 })));
    await Promise.all(stores.map((s) => s.migrate()));
    await Promise.all(
      stores.map((s) => s.createSession({ id: `s-${Math.random()}`, code: '1', status: 'waiting', createdAt: 1 })),
    );
    await Promise.all(stores.map((s) => s.close()));
    expect(await sql(schema, 'SELECT count(*)::int AS n FROM tandem_schema_versions')).toEqual([
      { n: POSTGRES_MIGRATIONS.length },
    ]);
    expect(await sql(schema, 'SELECT count(*)::int AS n FROM sessions')).toEqual([{ n: 6 }]);
  });

  it('keeps times as bigint milliseconds and JSON as written', async () => {
    const store = new PostgresStore(postgresConfig(schema));
    await store.migrate();
    const at = Date.UTC(2100, 0, 1);
    await store.createSession({ id: 's1', code: '1', status: 'waiting', createdAt: at });
    await store.appendEvent({ sessionId: 's1', at, kind: 'k', participantId: null, detail: { b: 1, a: 2 } });
    await store.close();
    const columns = await sql(
      undefined,
      `SELECT table_name || '.' || column_name AS c FROM information_schema.columns
       WHERE table_schema = $1 AND data_type <> 'bigint' AND (column_name LIKE '%\\_at' OR column_name = 'at')`,
      [schema],
    );
    expect(columns).toEqual([]);
    expect(await sql(schema, 'SELECT created_at::text AS t FROM sessions')).toEqual([{ t: String(at) }]);
    // Key order kept, as SQLite's text keeps it.
    expect(await sql(schema, 'SELECT detail::text AS d FROM events')).toEqual([{ d: '{"b":1,"a":2}' }]);
  });

  it('refuses a version newer than it knows, without touching the schema', async () => {
    const store = new PostgresStore(postgresConfig(schema));
    await store.migrate();
    await sql(schema, 'INSERT INTO tandem_schema_versions (version, applied_at) VALUES ($1, 0)', [
      POSTGRES_MIGRATIONS.length + 1,
    ]);
    await expect(store.migrate()).rejects.toThrow(/newer than this service knows/);
    await store.close();
  });
});
