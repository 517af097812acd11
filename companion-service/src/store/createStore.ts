import type { Config } from '../config/schema';
import { repoRoot } from '../paths';
import { SqliteStore } from './sqliteStore';
import type { Store } from './store';

export function createStore(config: Config['store']): Store {
  switch (config.kind) {
    case 'sqlite':
      return new SqliteStore(config.sqlitePath, repoRoot);
  }
}
