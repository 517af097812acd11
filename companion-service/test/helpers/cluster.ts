import { spawn, type ChildProcess } from 'node:child_process';
import type { IncomingHttpHeaders } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Redis } from 'ioredis';
import type { QueryResultRow } from 'pg';
import { startServiceProcess, type ServiceProcess } from '../../scripts/serviceProcess';
import { INSTANCE_HEADER } from '../../src/health/instanceHeader';
import { launchBrowser, newContext } from './browser';
import { eventually } from './eventually';
import { startHaproxy, type Haproxy } from './haproxy';
import { startPausableProxy } from './pausableProxy';
import { dropSchema, freshSchema, sql, TEST_DATABASE_URL } from './postgres';
import { dropKeys, testKeyPrefix, TEST_REDIS_URL } from './redis';
import { freePort } from './testServer';

/* A cluster as docs/deploy.md describes one, on loopback: N real service processes (scripts/serviceProcess.ts) sharing
 * one PostgreSQL schema of their own and one Redis key prefix of their own, behind the documented HAProxy
 * configuration (helpers/haproxy.ts), with TANDEM_TRUST_PROXY=1 and their public address the balancer's. The
 * instances reach Redis and PostgreSQL through proxies the test can cut (helpers/pausableProxy.ts), so a test can
 * take either away from the whole cluster without disturbing anyone else using those servers; with
 * `dedicatedRedis` the cluster runs a redis-server of its own, which a test can stop and start (empty, as a Redis without
 * persistence comes back).
 *
 * Which instance holds a socket: every instance names itself in the `x-tandem-instance` header of its WebSocket
 * upgrades and health answers (src/health/instanceHeader.ts); the harness asks each instance directly at start, so a
 * tag maps to the instance (and to the process: the tag is new at each start). Node clients read it from their
 * upgrade's answer (`tagOf(headers)`), Chromium pages through the DevTools protocol (`followSockets`). To put sockets
 * where a test wants them, `only(...)` drains the other instances in HAProxy (they keep what they hold, take nothing
 * new) until `spread()`.
 *
 * `stop()` kills what is left, and drops the schema and every key under the prefix. */

export interface ClusterOptions {
  /** How many instances (default 3). */
  size?: number;
  /** More settings for every instance (TANDEM_* variables), over the cluster's own. */
  env?: Record<string, string>;
  /** A redis-server of the cluster's own on a free port, which `stopRedis()` and `startRedis()` restart; the tests' shared Redis
   * otherwise. */
  dedicatedRedis?: boolean;
}

export interface ClusterInstance {
  /** HAProxy's name for it: tandem1, tandem2, ... */
  readonly name: string;
  readonly port: number;
  /** Its own address, not through HAProxy. */
  readonly baseUrl: string;
  readonly wsUrl: string;
  /** The `x-tandem-instance` tag of the process running now (or last run). */
  readonly tag: string;
  running(): boolean;
  /** What the process running now (or last run) wrote. */
  log(): string;
  /** kill -9: no shutdown at all. */
  kill(): Promise<void>;
  /** SIGTERM, as a deploy stops it; resolves with its exit code once it has exited. */
  stop(): Promise<number | null>;
  /** Starts it again on the same port (a new process, a new tag), and waits until HAProxy's checks find it up. */
  start(): Promise<void>;
}

export interface Cluster {
  readonly instances: readonly ClusterInstance[];
  readonly haproxy: Haproxy;
  /** Through HAProxy: http://127.0.0.1:<port>. */
  readonly baseUrl: string;
  readonly wsUrl: string;
  /** The instances' TANDEM_PUBLIC_URL: HAProxy's address by another name (localhost), as links point to it. */
  readonly publicUrl: string;
  readonly schema: string;
  readonly keyPrefix: string;
  /** A client of the cluster's Redis, directly (not through the proxy the instances use). */
  readonly redis: Redis;
  /** The instance whose process (now or before a restart) answered with this tag. */
  byTag(tag: string): ClusterInstance;
  /** Only these instances take new connections through HAProxy (the others drain) until `spread()`. */
  only(...instances: ClusterInstance[]): Promise<void>;
  spread(): Promise<void>;
  /** Redis away for every instance, or for the given ones only: connections reset, new ones refused (`stall`: nothing
   * answers); back. */
  cutRedis(mode?: 'refuse' | 'stall', only?: readonly ClusterInstance[]): void;
  restoreRedis(only?: readonly ClusterInstance[]): void;
  /** With `dedicatedRedis`: redis-server killed (kill -9), and started again on its port, empty. */
  stopRedis(): Promise<void>;
  startRedis(): Promise<void>;
  /** PostgreSQL away for every instance, and back. */
  cutPostgres(mode?: 'refuse' | 'stall'): void;
  restorePostgres(): void;
  /** One statement on the cluster's schema, on a connection of the test's own. */
  sql<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  /** `/readyz` of every instance that runs: status and body, by name. */
  readiness(): Promise<Record<string, string>>;
  /** Waits until every instance that runs is ready and HAProxy sends it connections again (its checks passed). */
  serving(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The instance tag in an upgrade's (or any answer's) headers. */
export function tagOf(headers: IncomingHttpHeaders | Headers | Record<string, string>): string | undefined {
  const value = headers instanceof Headers ? headers.get(INSTANCE_HEADER) : headers[INSTANCE_HEADER];
  return typeof value === 'string' && value ? value : undefined;
}

/** A redis-server of the test's own: no persistence, so a restart comes back empty. */
class OwnRedis {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await eventually(
      () => {
        if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
        return output;
      },
      (text) => text.includes('Ready to accept connections'),
      'redis-server to be ready',
      10_000,
      50,
    );
  }

  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const size = options.size ?? 3;
  const schema = freshSchema();
  const keyPrefix = testKeyPrefix();
  const ownRedis = options.dedicatedRedis ? new OwnRedis(await freePort()) : undefined;
  await ownRedis?.start();
  const redisUrl = new URL(ownRedis?.url ?? TEST_REDIS_URL);
  // One proxy per instance, so that a test can take Redis away from one instance or from all of them.
  const redisProxies = await Promise.all(
    Array.from({ length: size }, () =>
      startPausableProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) }),
    ),
  );
  const database = new URL(TEST_DATABASE_URL);
  const postgresProxy = await startPausableProxy({ host: database.hostname, port: Number(database.port || 5432) });
  const redis = new Redis(redisUrl.toString(), { maxRetriesPerRequest: 1 });
  const proxyPort = await freePort();
  const publicUrl = `http://localhost:${proxyPort}`;
  const env: Record<string, string> = {
    TANDEM_REDIS_KEY_PREFIX: keyPrefix,
    TANDEM_REDIS_INSTANCE_TTL_SECONDS: '2',
    TANDEM_DATABASE_URL: postgresProxy.via(TEST_DATABASE_URL),
    TANDEM_DATABASE_SCHEMA: schema,
    TANDEM_DATABASE_POOL_SIZE: '3',
    TANDEM_TRUST_PROXY: '1',
    TANDEM_PUBLIC_URL: publicUrl,
    // Every test client comes from 127.0.0.1, as one address would: the per-address caps are tested elsewhere.
    TANDEM_SOCKETS_PER_ADDRESS: '10000',
    TANDEM_SESSIONS_PER_ADDRESS_PER_MINUTE: '10000',
    ...options.env,
  };

  const tags = new Map<string, ClusterInstance>();
  let haproxy: Haproxy | undefined;

  const makeInstance = async (index: number): Promise<ClusterInstance> => {
    const name = `tandem${index + 1}`;
    const port = await freePort();
    let process: ServiceProcess | undefined;
    let tag = '';
    const instance: ClusterInstance = {
      name,
      port,
      baseUrl: `http://127.0.0.1:${port}`,
      wsUrl: `ws://127.0.0.1:${port}/ws`,
      get tag() {
        return tag;
      },
      running: () => process !== undefined && process.exited() === undefined,
      log: () => process?.log() ?? '',
      kill: async () => process?.kill(),
      stop: async () => (process ? process.stop() : null),
      async start() {
        if (instance.running()) throw new Error(`${name} is running`);
        process = await startServiceProcess(
          { TANDEM_REDIS_URL: redisProxies[index]!.via(redisUrl.toString()), ...env },
          port,
        );
        const answer = await fetch(`${instance.baseUrl}/healthz`);
        const found = tagOf(answer.headers);
        if (!found) throw new Error(`${name} answered without ${INSTANCE_HEADER}: is Redis configured?`);
        tag = found;
        tags.set(tag, instance);
        // Up again for HAProxy's checks (or drained, if the test drained it: then it takes nothing new, as asked).
        if (haproxy) await waitForState(haproxy, name, (status) => status === 'UP' || status === 'DRAIN');
      },
    };
    await instance.start();
    return instance;
  };

  const instances: ClusterInstance[] = [];
  try {
    instances.push(...(await Promise.all(Array.from({ length: size }, (_, i) => makeInstance(i)))));
    haproxy = await startHaproxy(
      instances.map((i) => ({ name: i.name, port: i.port })),
      { port: proxyPort },
    );
  } catch (err) {
    await Promise.all(instances.map((i) => i.kill()));
    await Promise.all([...redisProxies.map((p) => p.close()), postgresProxy.close()]);
    await ownRedis?.kill();
    redis.disconnect();
    throw err;
  }
  const proxy = haproxy;

  return {
    instances,
    haproxy: proxy,
    baseUrl: proxy.baseUrl,
    wsUrl: proxy.wsUrl,
    publicUrl,
    schema,
    keyPrefix,
    redis,
    byTag(tag) {
      const found = tags.get(tag);
      if (!found) throw new Error(`no instance of this cluster answered as ${tag}`);
      return found;
    },
    async only(...chosen) {
      for (const i of instances) await proxy.setState(i.name, chosen.includes(i) ? 'ready' : 'drain');
    },
    async spread() {
      for (const i of instances) await proxy.setState(i.name, 'ready');
    },
    cutRedis(mode = 'refuse', only = instances) {
      for (const i of only) {
        const proxy = redisProxies[instances.indexOf(i)]!;
        if (mode === 'refuse') proxy.pause();
        else proxy.stall();
      }
    },
    restoreRedis(only = instances) {
      for (const i of only) redisProxies[instances.indexOf(i)]!.resume();
    },
    async stopRedis() {
      if (!ownRedis) throw new Error('stopRedis needs a cluster started with dedicatedRedis');
      await ownRedis.kill();
    },
    async startRedis() {
      if (!ownRedis) throw new Error('startRedis needs a cluster started with dedicatedRedis');
      await ownRedis.start();
    },
    cutPostgres: (mode = 'refuse') => (mode === 'refuse' ? postgresProxy.pause() : postgresProxy.stall()),
    restorePostgres: () => postgresProxy.resume(),
    sql: (text, values) => sql(schema, text, values),
    async readiness() {
      const answers: Record<string, string> = {};
      for (const i of instances) {
        if (!i.running()) continue;
        const response = await fetch(`${i.baseUrl}/readyz`).catch(() => undefined);
        answers[i.name] = response
          ? `${response.status} ${((await response.json()) as { status: string }).status}`
          : 'no answer';
      }
      return answers;
    },
    async serving(timeoutMs = 30_000) {
      const running = () => instances.filter((i) => i.running());
      await eventually(
        async () => Promise.all(running().map(async (i) => `${i.name} ${await serverStatus(proxy, i.name)}`)),
        (states) => states.every((s) => s.endsWith(' UP') || s.endsWith(' DRAIN')),
        'every instance up for HAProxy',
        timeoutMs,
        100,
      );
    },
    async stop() {
      await Promise.all(instances.map((i) => i.kill()));
      await proxy.stop();
      await Promise.all([...redisProxies.map((p) => p.close()), postgresProxy.close()]);
      await dropKeys(redis, keyPrefix).catch(() => undefined);
      redis.disconnect();
      await ownRedis?.kill();
      await dropSchema(schema);
    },
  };
}

/** HAProxy's view of a server (`show stat`'s status: UP, DOWN, DRAIN, MAINT, or a transition such as "UP 1/2"). */
export async function serverStatus(haproxy: Haproxy, name: string): Promise<string> {
  const rows = (await haproxy.command('show stat')).split('\n').map((line) => line.split(','));
  return rows.find((row) => row[0] === 'tandem' && row[1] === name)?.[17] ?? 'unknown';
}

async function waitForState(haproxy: Haproxy, name: string, check: (status: string) => boolean): Promise<void> {
  await eventually(() => serverStatus(haproxy, name), check, `HAProxy to send ${name} connections`, 15_000, 100);
}

// --- browsers --------------------------------------------------------------------------------------------------------

/** The sockets a Chromium page opens, each with the instance that took it (read through the DevTools protocol from
 * the upgrade's answer). Start following before the page opens them (right after the page is made). */
export interface PageSockets {
  /** The instances of the page's sockets, in the order they opened, with whether each is still open. */
  all(): Array<{ url: string; instance: ClusterInstance | undefined; open: boolean; openedAt: number }>;
  /** The instance of the page's newest open socket to /ws. */
  current(): ClusterInstance | undefined;
}

export async function followSockets(page: Page, cluster: Cluster): Promise<PageSockets> {
  const cdp = await page.context().newCDPSession(page);
  const sockets = new Map<string, { url: string; tag: string | undefined; open: boolean; openedAt: number }>();
  cdp.on('Network.webSocketCreated', ({ requestId, url }) =>
    sockets.set(requestId, { url, tag: undefined, open: true, openedAt: Date.now() }),
  );
  cdp.on('Network.webSocketHandshakeResponseReceived', ({ requestId, response }) => {
    const socket = sockets.get(requestId);
    if (socket) socket.tag = tagOf(response.headers as Record<string, string>);
  });
  cdp.on('Network.webSocketClosed', ({ requestId }) => {
    const socket = sockets.get(requestId);
    if (socket) socket.open = false;
  });
  await cdp.send('Network.enable');
  const instanceOf = (tag: string | undefined) => (tag === undefined ? undefined : cluster.byTag(tag));
  return {
    all: () =>
      [...sockets.values()].map((s) => ({
        url: s.url,
        instance: instanceOf(s.tag),
        open: s.open,
        openedAt: s.openedAt,
      })),
    current() {
      const open = [...sockets.values()].filter(
        (s) => s.open && s.tag !== undefined && new URL(s.url).pathname === '/ws',
      );
      return instanceOf(open.at(-1)?.tag);
    },
  };
}

// --- a test file's cluster and browser ---------------------------------------------------------------------------------

export interface ClusterSuite {
  /** The running cluster (from beforeAll on). */
  readonly cluster: Cluster;
  readonly browser: Browser;
  /** For helpers/people.ts: people open the cluster's public address (HAProxy's, as localhost). */
  readonly server: { readonly baseUrl: string };
  /** A page in a new context, recording its peer connections (and, with `recordSockets`, its WebSockets), whose
   * sockets' instances are followed from the start (`socketsOf`). */
  newPage(options?: { recordSockets?: boolean }): Promise<Page>;
  socketsOf(page: Page): PageSockets;
  /** Closes these clients after the test. */
  track(...clients: Array<{ close(): void }>): void;
}

/** Registers the file's hooks: a cluster (and, unless `browser: false`, one headless Chromium) for the whole file; pages
 * and tracked clients closed after each test; everything stopped and cleaned up after the file. */
export function clusterSuite(options: ClusterOptions & { browser?: boolean } = {}): ClusterSuite {
  let cluster: Cluster | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const clients: Array<{ close(): void }> = [];
  const followed = new WeakMap<Page, PageSockets>();

  beforeAll(async () => {
    cluster = await startCluster(options);
    if (options.browser !== false) browser = await launchBrowser('allow');
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const c of contexts.splice(0)) await c.close();
  });
  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  const suite: ClusterSuite = {
    get cluster() {
      if (!cluster) throw new Error('the cluster starts in beforeAll');
      return cluster;
    },
    get browser() {
      if (!browser) throw new Error('no browser: the suite was made with browser: false, or beforeAll has not run');
      return browser;
    },
    get server() {
      return { baseUrl: suite.cluster.publicUrl };
    },
    async newPage({ recordSockets } = {}) {
      const context = await newContext(suite.browser, { recordSockets });
      contexts.push(context);
      const page = await context.newPage();
      followed.set(page, await followSockets(page, suite.cluster));
      return page;
    },
    socketsOf(page) {
      const sockets = followed.get(page);
      if (!sockets) throw new Error('not a page of this suite');
      return sockets;
    },
    track(...opened) {
      clients.push(...opened);
    },
  };
  return suite;
}
