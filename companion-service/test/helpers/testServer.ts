import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { loadConfig, type DeepPartial } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { buildServer, type TandemServer } from '../../src/server';
import { storeForTest } from './testStore';
import { TEST_CLIENT_HEADER, type TestClient } from './wsClient';

export interface RunningServer extends TandemServer {
  config: Config;
  baseUrl: string;
  wsUrl: string;
  dataDir: string;
  /** Resolves once the service has handled the close of this test socket: everything the close causes (a peer told
   * the participant is away, a visitor's presence going offline) has been sent by then. A client's own `close` event
   * can come before the server's. */
  closeHandled(client: TestClient): Promise<void>;
  stop(): Promise<void>;
}

/** A free loopback port, for tests whose config must name its own address before the server starts. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** How the configuration is read: a profile file (e.g. "production") and environment variables, as in production;
 * none by default. */
export interface StartOptions {
  profile?: string;
  env?: NodeJS.ProcessEnv;
  /** Receives the service's log lines (with the config's logLevel, which tests set to 'silent' unless they override it). */
  logStream?: { write(line: string): void };
}

/** A real service on a random loopback port with a store of its own: the test's, or a SQLite file (a PostgreSQL
 * schema with TANDEM_TEST_STORE=postgres: test/helpers/testStore.ts). */
export async function startServer(
  overrides: DeepPartial<Config> = {},
  options: StartOptions = {},
): Promise<RunningServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tandem-test-'));
  const ownStore = overrides.store ? undefined : storeForTest(dataDir);
  const config = loadConfig({
    ...(options.profile ? { profile: options.profile } : {}),
    env: options.env ?? {},
    overrides: {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      ...overrides,
      // Every test client comes from 127.0.0.1: the per-address caps (tested on their own in test/security) would
      // otherwise count a whole test file's clients as one abusive visitor.
      limits: { socketsPerAddress: 10_000, sessionsPerAddressPerMinute: 10_000, ...overrides.limits },
      // With Redis a stopping server waits this long for a load balancer before it closes its sockets: none here
      // unless a test is about that.
      shutdown: { drainSeconds: 0, handoverSeconds: 0, ...overrides.shutdown },
      store: overrides.store ?? ownStore?.config,
    },
  });
  const server = await buildServer(config, options.logStream ? { logStream: options.logStream } : {}).catch(
    async (err: unknown) => {
      await ownStore?.drop();
      throw err;
    },
  );
  // Port 0 (a random one) unless the test needs to know it in advance, e.g. for a publicUrl.
  await server.app.listen({ host: config.host, port: config.port });
  const { port } = server.app.server.address() as AddressInfo;
  // The TCP socket's 'close' listener, added before the upgrade is handled, runs before the WebSocket's; waiting for
  // the next turn of the event loop lets the service's close handling finish. That holds while the handling waits on
  // no I/O: the memory presence registry, and SQLite (synchronous). With TANDEM_TEST_STORE=postgres, store writes a
  // close makes (a participant marked away) may land later: an absence checked after it is then weaker, never wrong.
  const closes = new Map<string, Promise<void>>();
  server.app.server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    const id = request.headers[TEST_CLIENT_HEADER];
    if (typeof id === 'string')
      closes.set(id, new Promise((resolve) => socket.once('close', () => setImmediate(resolve))));
  });
  let stopped = false;
  return {
    ...server,
    config,
    dataDir,
    baseUrl: `http://localhost:${port}`,
    wsUrl: `ws://localhost:${port}/ws`,
    closeHandled(client) {
      const closed = closes.get(client.id);
      if (!closed) throw new Error('not a socket of this server');
      return closed;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.app.close();
      await ownStore?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An agent token from development sign-in, with the given privileges (all of them when not given). */
export async function devToken(
  server: Pick<RunningServer, 'baseUrl'>,
  name = 'Ana Agent',
  privileges?: string[],
): Promise<string> {
  const response = await fetch(`${server.baseUrl}/api/dev/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(privileges ? { name, privileges } : { name }),
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** A console ticket for the session with this code, as the join page gets one. */
export async function consoleTicket(
  server: Pick<RunningServer, 'baseUrl'>,
  token: string,
  code: string,
): Promise<string> {
  const response = await fetch(`${server.baseUrl}/api/agent/console-tickets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ code }),
  });
  if (response.status !== 201) throw new Error(`console ticket refused: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { ticket: string }).ticket;
}
