import path from 'node:path';
import type { Config } from '../../src/config/schema';
import { dropSchema, freshSchema, postgresConfig } from './postgres';

/** The store of a test service whose test does not choose one: a SQLite file in the service's data directory, or,
 * with TANDEM_TEST_STORE=postgres, a PostgreSQL schema of its own (test/helpers/postgres.ts), dropped afterwards. */
export function storeForTest(dataDir: string): { config: Config['store']; drop(): Promise<void> } {
  const kind = process.env.TANDEM_TEST_STORE || 'sqlite';
  if (kind === 'postgres') {
    const schema = freshSchema();
    return { config: postgresConfig(schema), drop: () => dropSchema(schema) };
  }
  if (kind !== 'sqlite') throw new Error(`TANDEM_TEST_STORE must be sqlite or postgres, not "${kind}"`);
  return { config: { kind: 'sqlite', sqlitePath: path.join(dataDir, 'tandem.db') }, drop: async () => undefined };
}
