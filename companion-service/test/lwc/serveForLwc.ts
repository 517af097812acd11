import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { buildServer } from '../../src/server';
import { orgConfig, PORTAL_SITE } from '../helpers/salesforceFixtures';

/* A real service for the LWC tests that run in jsdom (companion-service/test/lwc/*.test.js): started as a child
 * process, it prints {"baseUrl": ...} once listening and stops when its standard input closes. The public URL is
 * its real address, so the socket address it hands the component is reachable. */

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function main(): Promise<void> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tandem-lwc-'));
  const config = loadConfig({
    env: {},
    overrides: {
      host: '127.0.0.1',
      port,
      publicUrl: `http://127.0.0.1:${port}`,
      logLevel: 'silent',
      sites: [PORTAL_SITE],
      devSignInSiteIds: [PORTAL_SITE.id],
      store: { kind: 'sqlite', sqlitePath: path.join(dataDir, 'tandem.db') },
      terms: { version: 'lwc-1', text: 'Terms for the component test.', promptSeconds: 30, agentWaitSeconds: 60 },
      salesforce: { orgs: [orgConfig()], outbox: { enabled: false } },
    } as never,
  });
  const server = await buildServer(config);
  await server.app.listen({ host: config.host, port });
  const stop = async () => {
    await server.app.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
  process.on('SIGTERM', () => void stop());
  process.stdout.write(`${JSON.stringify({ baseUrl: config.publicUrl })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
