import { CloseCode, ErrorCode } from '../../src/protocol/codes';
import type { ServerMessage } from '../../src/protocol/messages';
import { serviceSuite } from '../helpers/serviceSuite';
import { devToken, startServer } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';

const suite = serviceSuite();
let token: string;

beforeAll(async () => {
  token = await devToken(suite.server);
});

/** The types of what a socket receives from now on, in the order it arrives. */
function arrivals(client: TestClient): string[] {
  const types: string[] = [];
  client.socket.on('message', (data) => types.push((JSON.parse(data.toString()) as ServerMessage).type));
  return types;
}

describe('probe', () => {
  it('is answered with its id and nothing else', async () => {
    const client = await suite.connect();
    client.send({ type: 'probe', id: 'first_probe-1' });
    expect(JSON.parse(await client.nextRaw('probe'))).toEqual({ type: 'probe', replyTo: 'first_probe-1' });
    await client.probe();
    expect(client.received).toEqual([]);
  });

  it('is answered after the answers to everything sent before it, even those that wait on the store', async () => {
    const { visitor, agent } = await suite.call(token);
    const order = arrivals(agent);
    agent.send({ type: 'problem.report', description: 'The picture froze.', diagnostics: {} });
    agent.send({ type: 'agent.join', token, code: '000000' });
    await agent.probe();
    expect(order).toEqual(['problem.reported', 'error', 'probe']);
    expect(agent.received.find((m) => m.type === 'error')).toMatchObject({
      code: ErrorCode.AlreadyInSession,
      inReplyTo: 'agent.join',
    });
    // The visitor's socket is answered too; the agent's report and refusal were not sent to it.
    await visitor.probe();
    expect(visitor.received).toEqual([]);
  });

  it('is answered for a socket in any state and changes nothing', async () => {
    const client = await suite.connect();
    await client.probe();
    client.send({ type: 'visitor.start' });
    const created = await client.next('session.created');
    await client.probe();
    // Still the same session: a probe neither ends nor restarts anything.
    expect(suite.server.sessions.sessionOf(created.self.id)?.id).toBe(created.sessionId);
    client.send({ type: 'session.leave' });
    expect((await client.next('session.ended')).reason).toBe('visitor_hangup');
    expect(client.received).toEqual([]);
  });

  it('must carry a well-formed id', async () => {
    const client = await suite.connect();
    for (const id of [undefined, '', 'x'.repeat(41), 'has space']) {
      client.send(id === undefined ? { type: 'probe' } : { type: 'probe', id });
      expect(await client.next('error')).toMatchObject({ code: ErrorCode.BadMessage, inReplyTo: 'probe' });
    }
    await client.probe();
    expect(client.received).toEqual([]);
  });
});

describe('probe limits', () => {
  it('counts against the message rate like any message', async () => {
    const server = await startServer({ socket: { messagesPerSecond: 1, burst: 3, violationsBeforeClose: 100 } });
    const client = await TestClient.connect(server.wsUrl);
    try {
      for (let i = 0; i < 5; i++) client.send({ type: 'probe', id: `p${i}` });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const answered = client.received.filter((m) => m.type === 'probe').map((m) => m.type === 'probe' && m.replyTo);
      expect(answered).toEqual(['p0', 'p1', 'p2']);
      expect(client.received.filter((m) => m.type === 'error' && m.code === ErrorCode.RateLimited)).toHaveLength(2);
    } finally {
      client.close();
      await server.stop();
    }
  });

  it('does not keep a socket that starts nothing from being closed as idle', async () => {
    const server = await startServer({ limits: { idleSocketSeconds: 1 }, socket: { pingIntervalSeconds: 1 } });
    const client = await TestClient.connect(server.wsUrl);
    try {
      const probing = setInterval(() => void client.probe().catch(() => undefined), 200);
      const closed = await client.closed(5000).finally(() => clearInterval(probing));
      expect(closed.code).toBe(CloseCode.Idle);
    } finally {
      client.close();
      await server.stop();
    }
  });
});
