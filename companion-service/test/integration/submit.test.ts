import WebSocket from 'ws';
import { ErrorCode } from '../../src/protocol/codes';
import type { ClientMessage, ErrorMessage } from '../../src/protocol/messages';
import { SignalingClient, type ConnectionState } from '../../web/shared/signalingClient';
import { refusalsOf, submit } from '../../web/shared/submit';
import { serviceSuite } from '../helpers/serviceSuite';

/* The browsers' submit and refusalsOf (web/shared/submit.ts), over real sockets against the service: a message with
 * no answer of its own learns whether it was taken, and its refusal finds the caller that sent it. Node 20 has no
 * WebSocket of its own, so ws stands in for the browser's. */

const suite = serviceSuite();
const hadWebSocket = 'WebSocket' in globalThis;
const browserSocket = (globalThis as { WebSocket?: unknown }).WebSocket;

beforeAll(() => {
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

async function connected(first: ClientMessage): Promise<SignalingClient> {
  const client = new SignalingClient(suite.server.wsUrl);
  opened.push(client);
  const open = new Promise<void>((resolve, reject) => {
    client.onStateChange = (state: ConnectionState, detail?: string) => {
      if (state === 'open') resolve();
      if (state === 'closed') reject(new Error(`closed: ${detail}`));
    };
  });
  client.connect(first);
  await open;
  return client;
}

describe('submit', () => {
  it('resolves undefined once the service has taken the message', async () => {
    const visitor = await connected({ type: 'visitor.start' });
    expect(await submit(visitor, { type: 'media.set', video: false })).toBeUndefined();
  });

  it('resolves with the refusal of that message, carrying its id', async () => {
    const visitor = await connected({ type: 'visitor.start' });
    const refusal = await submit(visitor, { type: 'guest.admit', code: '123456' });
    expect(refusal).toMatchObject({
      type: 'error',
      code: ErrorCode.Forbidden,
      replyTo: expect.stringMatching(/^s\d+$/),
    });
  });

  it('rejects when the socket is not open', async () => {
    await expect(submit(new SignalingClient(suite.server.wsUrl), { type: 'session.leave' })).rejects.toThrow(
      'not connected',
    );
  });
});

describe('refusalsOf', () => {
  it('hands the refusals of its own stream to its caller, and nobody else\u2019s', async () => {
    const visitor = await connected({ type: 'visitor.start' });
    const mine: ErrorMessage[] = [];
    const stream = refusalsOf(visitor, (m) => mine.push(m));
    // A visitor may not drive remote control: each of these is refused.
    stream.send({ type: 'control.navigate', action: 'back' });
    const other = await submit(visitor, { type: 'guest.admit', code: '123456' });
    expect(other).toBeDefined();
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ type: 'error', code: ErrorCode.Forbidden, inReplyTo: 'control.navigate' });
    stream.stop();
    stream.send({ type: 'control.navigate', action: 'back' });
    await submit(visitor, { type: 'media.set', video: true });
    expect(mine).toHaveLength(1);
  });
});
