import { Value } from '@sinclair/typebox/value';
import { PostgresStoreConfig, SqliteStoreConfig } from '../store/configSchema';
import { settingName } from './settingName';

/* The `store` block is one of two shapes (store/configSchema.ts); the schema alone would only say "expected union
 * value". These checks name the setting that is wrong, and never repeat the database URL: it holds a password. */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const POSTGRES_ONLY = ['url', 'schema', 'poolSize'] as const;

/** Both variables name a store: which one is meant is not guessed. */
export function storeEnvProblem(env: NodeJS.ProcessEnv): string | undefined {
  if (env.TANDEM_DATABASE_URL && env.TANDEM_SQLITE_PATH) {
    return 'TANDEM_DATABASE_URL and TANDEM_SQLITE_PATH are both set: set TANDEM_DATABASE_URL for PostgreSQL or TANDEM_SQLITE_PATH for SQLite, not both';
  }
  return undefined;
}

export function storeSettingProblem(merged: Json): string | undefined {
  const store = merged.store;
  if (!isObject(store))
    return `invalid setting ${settingName('store')}: must be an object with "kind": "sqlite" or "postgres"`;
  if (store.kind === 'sqlite') {
    const stray = POSTGRES_ONLY.find((key) => key in store);
    if (stray !== undefined) {
      return `invalid setting ${settingName(`store.${stray}`)}: applies to PostgreSQL only; set TANDEM_DATABASE_URL to use PostgreSQL`;
    }
  }
  const shape =
    store.kind === 'sqlite' ? SqliteStoreConfig : store.kind === 'postgres' ? PostgresStoreConfig : undefined;
  if (!shape) return `invalid setting ${settingName('store.kind')}: must be "sqlite" or "postgres"`;
  const first = Value.Errors(shape, store).First();
  // TypeBox's messages name the rule broken (a pattern, a range), not the value.
  if (first) return `invalid setting ${settingName(`store${first.path.replace(/\//g, '.')}`)}: ${first.message}`;
  if (store.kind === 'postgres') return urlProblem(store.url as string);
  return undefined;
}

function urlProblem(url: string): string | undefined {
  try {
    new URL(url);
    return undefined;
  } catch {
    // Node's error carries the input, password and all: not passed on.
    return `invalid setting ${settingName('store.url')}: not a URL like postgres://user:password@host:5432/database`;
  }
}
