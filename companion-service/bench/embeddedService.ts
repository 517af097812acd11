import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type DeepPartial } from '../src/config/load';
import type { Config } from '../src/config/schema';
import { buildServer } from '../src/server';
import { ServerChild } from './serverChild';
import { serviceNodeFlags } from './serviceNodeFlags';

/* The real service for the browser benchmarks, in this process: its embedded defaults (config/default.json: SQLite,
 * the in-process bus, the demo site, development sign-in), none of the shell's TANDEM_* variables (the figures must
 * not depend on them), a SQLite file of its own and a random loopback port. `BENCH_LOG=info` shows its log. */

export interface EmbeddedService {
  readonly baseUrl: string;
  readonly config: Config;
  stop(): Promise<void>;
}

export async function startEmbeddedService(
  options: {
    overrides?: DeepPartial<Config>;
    /** The bench's own pages, served from the service's origin: a page the browser got from a route interception
     * would count as public and be refused the loopback WebSocket by Local Network Access checks. */
    routes?: (app: FastifyInstance) => void;
  } = {},
): Promise<EmbeddedService> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-bench-'));
  const config = loadConfig({
    env: {},
    overrides: {
      ...options.overrides,
      host: '127.0.0.1',
      port: 0,
      logLevel: (process.env.BENCH_LOG ?? 'silent') as 'silent',
      store: { kind: 'sqlite', sqlitePath: path.join(dir, 'bench.db') },
    },
  });
  const server = await buildServer(config);
  options.routes?.(server.app);
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = server.app.server.address() as AddressInfo;
  return {
    baseUrl: `http://localhost:${port}`,
    config,
    async stop() {
      await server.app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The same service in a child process (embeddedServiceChild.ts) run with `npm start`'s node flags, for a browser
 * benchmark that times page loads and sockets against the service: in this process Playwright's work (a new window is
 * tens of CDP messages) would hold up the service's answers, as nothing does when it is deployed. */
export async function startEmbeddedServiceProcess(
  overrides: DeepPartial<Config> = {},
): Promise<Pick<EmbeddedService, 'baseUrl' | 'stop'>> {
  const entry = path.join(__dirname, 'embeddedServiceChild.ts');
  const { child, port } = await ServerChild.start(
    'service',
    entry,
    [...serviceNodeFlags(), '--import', 'tsx'],
    [JSON.stringify(overrides)],
  );
  return { baseUrl: `http://localhost:${port}`, stop: () => child.stop() };
}
