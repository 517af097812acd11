import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load';
import { repoRoot } from '../src/paths';
import { buildServer } from '../src/server';

/* Writes docs/openapi.json: the HTTP API as the service describes it from its route schemas, with the embedded
 * defaults (a temporary SQLite file, nothing from the environment) plus Sign in with Salesforce switched on, so its
 * routes are described too. `npm run docs:openapi`; a test fails when the file is stale. */

export const OPENAPI_DOC = path.join(repoRoot, 'docs', 'openapi.json');

export async function openApiDocument(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-openapi-'));
  try {
    const config = loadConfig({
      env: {},
      overrides: {
        logLevel: 'silent',
        store: { kind: 'sqlite', sqlitePath: path.join(dir, 'tandem.db') },
        salesforce: { oauth: { enabled: true, clientId: 'documented-client-id' } },
      } as never,
    });
    const { app } = await buildServer(config);
    try {
      await app.ready();
      return JSON.stringify(app.swagger(), null, 2) + '\n';
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void openApiDocument().then((text) => {
    writeFileSync(OPENAPI_DOC, text);
    console.log(`wrote ${path.relative(process.cwd(), OPENAPI_DOC)}`);
  });
}
