import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { ErrorCode } from '../../src/protocol/codes';
import type { ClientMessage, ServerMessage, ServerMessageOf } from '../../src/protocol/messages';
import { SignalingClient, type ConnectionState } from '../../web/shared/signalingClient';
import { serviceSuite } from '../helpers/serviceSuite';
import { devToken } from '../helpers/testServer';

/* The browsers' SignalingClient.request, over real sockets: Node 20 has no WebSocket of its own, so ws stands in for
 * the browser's (same events, readyState and OPEN). */

const suite = serviceSuite();
let token: string;
const hadWebSocket = 'WebSocket' in globalThis;
const browserSocket = (globalThis as { WebSocket?: unknown }).WebSocket;

beforeAll(async () => {
  token = await devToken(suite.server);
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
});

afterAll(() => {
  if (hadWebSocket) (globalThis as { WebSocket?: unknown }).WebSocket = browserSocket;
  else delete (globalThis as { WebSocket?: unknown }).WebSocket;
});

const opened: SignalingClient[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.close();
});

/** A client connected with its first message, once the service has answered it. */
async function connected(
  url: string,
  first: ClientMessage,
): Promise<{ client: SignalingClient; received: ServerMessage[] }> {
  const client = new SignalingClient(url);
  opened.push(client);
  const received: ServerMessage[] = [];
  for (const type of ['error', 'session.created', 'session.joined', 'guest.invite', 'probe'] as const)
    client.on(type, (m) => received.push(m));
  const open = new Promise<void>((resolve, reject) => {
    client.onStateChange = (state: ConnectionState, detail?: string) => {
      if (state === 'open') resolve();
      if (state === 'closed') reject(new Error(`closed: ${detail}`));
    };
  });
  client.connect(first);
  await open;
  return { client, received };
}

describe('SignalingClient.request against the service', () => {
  it('resolves with the direct answer, which on handlers get too', async () => {
    const visitor = await connected(suite.server.wsUrl, { type: 'visitor.start' });
    const created = visitor.received.find((m): m is ServerMessageOf<'session.created'> => m.type === 'session.created');
    const agent = await connected(suite.server.wsUrl, { type: 'agent.join', token, code: created!.code });
    const invite = await agent.client.request({ type: 'guest.invite.create' });
    if (invite.type !== 'guest.invite') throw new Error(`expected a guest invite, got ${JSON.stringify(invite)}`);
    expect(new URL(invite.url).hash).toMatch(/^#invite=/);
    expect(invite.replyTo).toMatch(/^r\d+$/);
    expect(agent.received).toContainEqual(invite);
    expect(await agent.client.request({ type: 'probe' })).toEqual({
      type: 'probe',
      replyTo: expect.stringMatching(/^r\d+$/),
    });
  });

  it('resolves with the error that refuses the request', async () => {
    const visitor = await connected(suite.server.wsUrl, { type: 'visitor.start' });
    const refused = await visitor.client.request({ type: 'problem.report', description: 'No sound.', diagnostics: {} });
    expect(refused).toMatchObject({ type: 'error', code: ErrorCode.Forbidden, inReplyTo: 'problem.report' });
  });

  it('rejects at once when not connected', async () => {
    const client = new SignalingClient(suite.server.wsUrl);
    await expect(client.request({ type: 'probe' })).rejects.toThrow('not connected');
  });
});

describe('SignalingClient.request against a server that does not answer', () => {
  let mute: WebSocketServer;
  let url: string;
  /** What the mute server does with each message after the first. */
  let onRequest: (socket: WebSocket, text: string) => void;
  const heard: string[] = [];

  beforeAll(async () => {
    mute = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => mute.once('listening', resolve));
    url = `ws://127.0.0.1:${(mute.address() as AddressInfo).port}`;
    mute.on('connection', (socket) => {
      // The first message is the connect message; answered as the service would, so the client counts as open.
      socket.once('message', () => {
        socket.send(JSON.stringify({ type: 'session.created', resumeToken: 'r'.repeat(32) }));
        socket.on('message', (data) => {
          heard.push(data.toString());
          onRequest(socket, data.toString());
        });
      });
    });
  });

  afterAll(() => new Promise<void>((resolve) => mute.close(() => resolve())));

  it('rejects when no answer comes in time, having sent the request with an id', async () => {
    onRequest = () => undefined;
    const { client } = await connected(url, { type: 'visitor.start' });
    await expect(client.request({ type: 'probe' }, 100)).rejects.toThrow('no answer to "probe" within 100 ms');
    expect(JSON.parse(heard.at(-1)!)).toEqual({ type: 'probe', id: expect.stringMatching(/^r\d+$/) });
  });

  it('rejects when the socket closes before the answer, and ignores a late answer to another id', async () => {
    onRequest = (socket, text) => {
      const { id } = JSON.parse(text) as { id: string };
      socket.send(JSON.stringify({ type: 'probe', replyTo: `${id}-not` }));
      socket.close(4000, 'session ended');
    };
    const { client } = await connected(url, { type: 'visitor.start' });
    await expect(client.request({ type: 'probe' }, 5000)).rejects.toThrow(
      'the connection closed before the answer (session ended)',
    );
  });
});
