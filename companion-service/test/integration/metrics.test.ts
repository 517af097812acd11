import { ErrorCode } from '../../src/protocol/codes';
import { freePort, devToken, startServer, type RunningServer } from '../helpers/testServer';
import { startCall, TestClient } from '../helpers/wsClient';

/* Prometheus metrics over real HTTP after a real call: /metrics needs the token on the service's port, is open on
 * its own listener, and the figures say what happened (sockets by role, sessions by state, joins and their time,
 * messages by type, drops and errors by code, co-browse bytes, the outbox, the store's and the event loop's timing). */

jest.setTimeout(30_000);

const TOKEN = 'metrics-token-for-the-test-0123456789';
let server: RunningServer;
let metricsPort: number;
const clients: TestClient[] = [];

beforeAll(async () => {
  metricsPort = await freePort();
  server = await startServer({ metrics: { token: TOKEN, port: metricsPort, host: '127.0.0.1' } } as never);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.stop();
});

/** name{labels} → value, from the Prometheus text format. */
function parse(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  expect(response.status).toBe(200);
  return parse(await response.text());
}

it('answers on the service port only with the token', async () => {
  expect((await fetch(`${server.baseUrl}/metrics`)).status).toBe(401);
  expect(
    (
      await fetch(`${server.baseUrl}/metrics`, {
        headers: { authorization: 'Bearer wrong-token-of-the-same-size-012345' },
      })
    ).status,
  ).toBe(401);
  const allowed = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(allowed.status).toBe(200);
  expect(allowed.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(await allowed.text()).toContain('tandem_sockets');
});

it('is not served at all without a token or a port', async () => {
  const plain = await startServer();
  try {
    expect((await fetch(`${plain.baseUrl}/metrics`)).status).toBe(404);
  } finally {
    await plain.stop();
  }
});

it('counts a call: sockets, sessions, joins, messages, refusals, co-browse bytes, store calls', async () => {
  const before = await scrape();
  const call = await startCall(server.wsUrl, await devToken(server));
  clients.push(call.visitor, call.agent);
  const events = {
    type: 'cobrowse.events',
    seq: 0,
    part: 0,
    parts: 1,
    snapshot: true,
    encoding: 'json',
    data: JSON.stringify([{ type: 4, data: { href: 'x' } }]),
  };
  call.visitor.send(events);
  await call.agent.next('cobrowse.events');
  const stranger = await TestClient.connect(server.wsUrl);
  clients.push(stranger);
  stranger.send({ type: 'agent.join', token: await devToken(server), code: '000000000' });
  expect((await stranger.next('error')).code).toBe(ErrorCode.InvalidCode);
  stranger.send({ type: 'no.such.message' });
  await stranger.next('error');
  const after = await scrape();
  const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);

  expect(after.get('tandem_sockets{role="visitor"}')).toBe(1);
  expect(after.get('tandem_sockets{role="agent"}')).toBe(1);
  expect(after.get('tandem_sockets{role="none"}')).toBe(1);
  expect(after.get('tandem_sessions{state="active"}')).toBe(1);
  expect(delta('tandem_join_seconds_count{type="visitor.start",outcome="ok"}')).toBe(1);
  expect(delta('tandem_join_seconds_count{type="agent.join",outcome="ok"}')).toBe(1);
  expect(delta('tandem_join_seconds_count{type="agent.join",outcome="refused"}')).toBe(1);
  expect(delta('tandem_messages_received_total{type="agent.join"}')).toBe(2);
  expect(delta('tandem_messages_received_total{type="cobrowse.events"}')).toBe(1);
  expect(delta('tandem_cobrowse_bytes_total')).toBeGreaterThan(JSON.stringify(events).length - 1);
  expect(delta(`tandem_errors_total{code="${ErrorCode.InvalidCode}"}`)).toBe(1);
  expect(delta(`tandem_messages_dropped_total{reason="${ErrorCode.UnknownType}"}`)).toBe(1);
  expect(delta('tandem_store_seconds_count{operation="createSession"}')).toBe(1);
  expect(after.get('tandem_outbox_records{status="pending"}')).toBe(0);
  expect(after.has('nodejs_eventloop_lag_seconds')).toBe(true);
  expect(delta('tandem_bus_publish_seconds_count')).toBeGreaterThan(0);
});
