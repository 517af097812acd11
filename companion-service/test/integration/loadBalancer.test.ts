import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServiceProcess, type ServiceProcess } from '../../scripts/serviceProcess';
import { startHaproxy, type Haproxy } from '../helpers/haproxy';
import { TestClient } from '../helpers/wsClient';

/* The documented HAProxy configuration (docs/deploy.md) in front of two real service processes: WebSocket upgrades
 * pass through it; a connection an instance that has just died refuses goes to the other at once; and the /readyz
 * health checks take the dead one out so new connections reach the other one. */

jest.setTimeout(60_000);

let instances: ServiceProcess[] = [];
let proxy: Haproxy | undefined;
const clients: TestClient[] = [];

// Each instance on a SQLite file of its own in a temporary folder (not the checkout's data/tandem.db, which both would
// otherwise migrate at the same moment): this file is about the proxy, not shared state.
const dataDir = mkdtempSync(path.join(tmpdir(), 'tandem-lb-'));

beforeAll(async () => {
  instances = await Promise.all(
    [1, 2].map((n) => startServiceProcess({ TANDEM_SQLITE_PATH: path.join(dataDir, `tandem-${n}.db`) })),
  );
  proxy = await startHaproxy(
    instances.map((instance, i) => ({ name: `tandem${i + 1}`, port: Number(new URL(instance.baseUrl).port) })),
  );
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await proxy?.stop();
  await Promise.all(instances.map((i) => i.kill()));
  rmSync(dataDir, { recursive: true, force: true });
});

async function visitorThroughProxy(): Promise<string> {
  const visitor = await TestClient.connect(proxy!.wsUrl);
  clients.push(visitor);
  visitor.send({ type: 'visitor.start' });
  return (await visitor.next('session.created')).code;
}

it('passes WebSocket upgrades and readiness checks through', async () => {
  const ready = await fetch(`${proxy!.baseUrl}/readyz`);
  expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
  expect(await visitorThroughProxy()).toMatch(/^\d+$/);
});

/** How many connections HAProxy gave up on at this server and sent to another (`show stat`'s wredis). */
async function redispatched(server: string): Promise<number> {
  const row = (await proxy!.command('show stat'))
    .split('\n')
    .map((line) => line.split(','))
    .find((r) => r[0] === 'tandem' && r[1] === server);
  return Number(row?.[16] ?? NaN);
}

it('sends what a killed instance refuses to another at once, and stops sending it anything within its health checks', async () => {
  await instances[0]!.kill();
  // Before the health checks have noticed, leastconn still picks the dead instance (it holds nothing): each connection
  // it refuses is tried again on the other at once (retries, option redispatch 1), not three times a second apart
  // and then answered 503.
  for (let i = 0; i < 4; i++) {
    const started = Date.now();
    expect(await visitorThroughProxy()).toMatch(/^\d+$/);
    expect(Date.now() - started).toBeLessThan(1000);
  }
  expect(await redispatched('tandem1')).toBeGreaterThan(0);
  await proxy!.waitForServer('tandem1', 'DOWN');
  for (let i = 0; i < 6; i++) expect(await visitorThroughProxy()).toMatch(/^\d+$/);
});
