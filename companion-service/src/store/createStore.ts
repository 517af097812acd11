import type { Config } from '../config/schema';
import { repoRoot } from '../paths';
import { PostgresStore, type StoreLog } from './postgresStore';
import { SqliteStore } from './sqliteStore';
import type { Store } from './store';

export function createStore(config: Config['store'], log?: StoreLog): Store {
  switch (config.kind) {
    case 'sqlite':
      return new SqliteStore(config.sqlitePath, repoRoot);
    case 'postgres':
      return new PostgresStore(config, log);
  }
}
