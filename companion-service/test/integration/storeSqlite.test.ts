import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqliteStore';
import { storeContract } from '../store/storeContract';

// A file, not ":memory:", so that a second store on it is another instance's view of the same records.
storeContract('SQLite', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-store-'));
  return {
    async open() {
      const store = new SqliteStore(path.join(dir, 'tandem.db'), dir);
      await store.migrate();
      return store;
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
