import { startServiceProcess, type ServiceProcess } from '../../scripts/serviceProcess';
import { startHaproxy, type Haproxy } from '../helpers/haproxy';
import { TestClient } from '../helpers/wsClient';

/* The documented HAProxy configuration (docs/deploy.md) in front of two real service processes: WebSocket upgrades
 * pass through it, and an instance that is gone is taken out by the /readyz health checks so new connections reach
 * the other one. */

jest.setTimeout(60_000);

let instances: ServiceProcess[] = [];
let proxy: Haproxy | undefined;
const clients: TestClient[] = [];

beforeAll(async () => {
  instances = await Promise.all([startServiceProcess({}), startServiceProcess({})]);
  proxy = await startHaproxy(instances.map((instance, i) => ({ name: `tandem${i + 1}`, port: Number(new URL(instance.baseUrl).port) })));
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await proxy?.stop();
  await Promise.all(instances.map((i) => i.kill()));
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

it('stops sending new connections to an instance that is gone, within its health checks', async () => {
  await instances[0]!.kill();
  await proxy!.waitForServer('tandem1', 'DOWN');
  for (let i = 0; i < 6; i++) expect(await visitorThroughProxy()).toMatch(/^\d+$/);
});
