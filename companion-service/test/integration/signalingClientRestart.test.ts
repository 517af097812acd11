import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { CloseCode } from '../../src/protocol/codes';
import { SignalingClient } from '../../web/shared/signalingClient';

/* The browsers' SignalingClient when its socket closes: an instance stopping for a deploy (1012, Service Restart) is
 * resumed from at once (within a quarter of a second), any other drop after the backoff's first half second. A server
 * of the test's own plays the instance (ws stands in for the browser's WebSocket, which Node 20 lacks). */

const hadWebSocket = 'WebSocket' in globalThis;
const browserSocket = (globalThis as { WebSocket?: unknown }).WebSocket;
let server: WebSocketServer;
let url: string;
/** Each connection's first message and when it came. */
const firsts: Array<{ at: number; message: { type: string; resumeToken?: string } }> = [];
let closeWith = 1000;

beforeAll(async () => {
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  server.on('connection', (socket) => {
    socket.once('message', (data) => {
      firsts.push({ at: Date.now(), message: JSON.parse(data.toString()) as { type: string } });
      // The first connection starts a session and is then closed as the test says; the resumes are left open.
      if (firsts.length > 1) return;
      socket.send(
        JSON.stringify({
          type: 'session.created',
          sessionId: 's',
          code: '123456',
          codeExpiresAt: 0,
          self: { id: 'v', role: 'visitor', media: { video: true, paused: false }, privileges: [] },
          resumeToken: 'token-1',
          iceServers: [],
          maskSelectors: [],
        }),
      );
      setTimeout(() => socket.close(closeWith, 'bye'), 20);
    });
  });
});

afterAll(async () => {
  if (hadWebSocket) (globalThis as { WebSocket?: unknown }).WebSocket = browserSocket;
  else delete (globalThis as { WebSocket?: unknown }).WebSocket;
  for (const socket of server.clients) socket.terminate();
  await new Promise((resolve) => server.close(resolve));
});

/** Connects, lets the server close the first socket with `code`, and returns how long until the resume arrived. */
async function resumeDelay(code: number): Promise<number> {
  firsts.length = 0;
  closeWith = code;
  const client = new SignalingClient(url);
  let closedAt = 0;
  client.onStateChange = (state) => {
    if (state === 'reconnecting' && closedAt === 0) closedAt = Date.now();
  };
  client.connect({ type: 'visitor.start' });
  const deadline = Date.now() + 3_000;
  while (firsts.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  client.close();
  expect(firsts[1]?.message).toEqual({ type: 'session.resume', resumeToken: 'token-1' });
  return firsts[1]!.at - closedAt;
}

describe('SignalingClient after its socket closes', () => {
  it('resumes at once from an instance that stops for a deploy (1012)', async () => {
    for (let i = 0; i < 5; i++) expect(await resumeDelay(CloseCode.ServiceRestart)).toBeLessThan(400);
  });

  it('backs off after any other drop', async () => {
    expect(await resumeDelay(CloseCode.GoingAway)).toBeGreaterThanOrEqual(450);
  });
});
