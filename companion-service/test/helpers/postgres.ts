import { randomBytes } from 'node:crypto';
import { Client, type QueryResultRow } from 'pg';
import type { PostgresStoreConfig } from '../../src/store/configSchema';

/* The tests' PostgreSQL: the real server (TANDEM_TEST_DATABASE_URL, by default the local one with trust auth). Each
 * test run works in a schema of its own, random, dropped afterwards, so runs in parallel never see each other's rows. */

export const TEST_DATABASE_URL = process.env.TANDEM_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other run uses. */
export function freshSchema(): string {
  return `tandem_test_${randomBytes(6).toString('hex')}`;
}

/** A store configuration in its own schema; small pools, since many test stores share one server's connections. */
export function postgresConfig(schema: string, options: { url?: string; poolSize?: number } = {}): PostgresStoreConfig {
  return { kind: 'postgres', url: options.url ?? TEST_DATABASE_URL, schema, poolSize: options.poolSize ?? 3 };
}

/** One statement on a connection of its own (not the store's), looking at what PostgreSQL holds. */
export async function sql<R extends QueryResultRow = QueryResultRow>(
  schema: string | undefined,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new Client({
    connectionString: TEST_DATABASE_URL,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  if (!/^tandem_test_[0-9a-f]+$/.test(schema)) throw new Error(`not a test schema: ${schema}`);
  await sql(undefined, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}
