import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import WebSocket from 'ws';
import type { ClientMessage, ServerMessage, ServerMessageOf } from '../../src/protocol/messages';
import { Changes, eventually } from './eventually';

/** The request header naming a test socket, so that the test server can tell when it has handled its close
 * (`RunningServer.closeHandled`). */
export const TEST_CLIENT_HEADER = 'x-test-client';

/** What may have caused a message: a socket whose messages could have (its probe's answer means the server handled
 * everything it sent before), or a promise that resolves once the cause was handled (e.g. the server handling a
 * socket's close: `RunningServer.closeHandled`). */
export type Cause = TestClient | Promise<unknown>;

/** A test participant: a real WebSocket that records everything the server sends. */
export class TestClient {
  readonly received: ServerMessage[] = [];
  /** The text each received message arrived as. */
  private readonly texts = new WeakMap<ServerMessage, string>();
  private readonly changes = new Changes();
  /** Resolves at the next message or close: a pause for `eventually` on what this socket received. */
  readonly changed = this.changes.next;
  closeInfo: { code: number; reason: string } | undefined;
  /** Everything the server sends is JSON text: a binary frame would reach a browser as a Blob. */
  binaryFrames = 0;
  /** The headers of the server's answer to the upgrade (behind a load balancer, `x-tandem-instance` says which instance
   * took the socket). */
  upgradeHeaders: IncomingHttpHeaders = {};
  private probes = 0;

  private constructor(
    readonly socket: WebSocket,
    /** This socket's name in the `x-test-client` header of its upgrade request. */
    readonly id: string,
  ) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) this.binaryFrames++;
      const text = data.toString();
      const message = JSON.parse(text) as ServerMessage;
      this.texts.set(message, text);
      this.received.push(message);
      this.changes.notify();
    });
    socket.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      this.changes.notify();
    });
  }

  static async connect(url: string, headers?: Record<string, string>): Promise<TestClient> {
    const id = randomUUID();
    const socket = new WebSocket(url, { headers: { ...headers, [TEST_CLIENT_HEADER]: id } });
    let upgradeHeaders: IncomingHttpHeaders = {};
    socket.once('upgrade', (response) => (upgradeHeaders = response.headers));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const client = new TestClient(socket, id);
    client.upgradeHeaders = upgradeHeaders;
    return client;
  }

  send(message: ClientMessage | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  /** Waits for the next message of this type that has not been taken yet, and takes it. */
  async next<T extends ServerMessage['type']>(type: T, timeoutMs = 3000): Promise<ServerMessageOf<T>> {
    const found = await this.until(
      () => this.received.findIndex((m) => m.type === type),
      (i) => i >= 0,
      timeoutMs,
      `a "${type}" message`,
    );
    return this.received.splice(found, 1)[0] as ServerMessageOf<T>;
  }

  /** Like `next`, but the message's text exactly as it arrived. */
  async nextRaw(type: ServerMessage['type'], timeoutMs = 3000): Promise<string> {
    const message = await this.next(type, timeoutMs);
    return this.texts.get(message) ?? '';
  }

  async closed(timeoutMs = 3000): Promise<{ code: number; reason: string }> {
    return this.until(
      () => this.closeInfo,
      (c) => c !== undefined,
      timeoutMs,
      'the socket to close',
    ) as Promise<{ code: number; reason: string }>;
  }

  /** Asserts that nothing of this type has come: not in answer to anything this socket sent, nor caused by `after`,
   * the actions that could have caused it. Each socket there is probed first (its answer means what it sent before
   * was handled, and the in-process bus has put whatever that caused for this socket in this socket's queue) and
   * each promise awaited; then this socket's own probe, whose answer comes after everything queued for it before. */
  async nothing(type: ServerMessage['type'], { after }: { after: Cause | readonly Cause[] }): Promise<void> {
    for (const cause of Array.isArray(after) ? after : [after]) {
      if (cause instanceof TestClient) {
        if (cause !== this) await cause.probe();
      } else {
        await cause;
      }
    }
    await this.probe();
    const found = this.received.find((m) => m.type === type);
    if (found) throw new Error(`unexpected ${type}: ${JSON.stringify(found)}`);
  }

  /** Sends a probe and waits for its answer, which it takes out of `received`. The server handles and answers a
   * socket's messages in order, so by then `received` holds everything the server sent this socket in answer to
   * what it sent before, and everything other sockets caused before their own answers arrived. */
  async probe(timeoutMs = 3000): Promise<void> {
    const id = `probe-${++this.probes}`;
    this.send({ type: 'probe', id });
    const isAnswer = (m: ServerMessage) => m.type === 'probe' && m.replyTo === id;
    const found = await this.until(
      () => this.received.findIndex(isAnswer),
      (i) => i >= 0,
      timeoutMs,
      `the answer to probe "${id}"`,
    );
    this.received.splice(found, 1);
  }

  close(): void {
    this.socket.close();
  }

  private async until<V>(probe: () => V, done: (v: V) => boolean, timeoutMs: number, what: string): Promise<V> {
    try {
      return await eventually(probe, done, what, timeoutMs, this.changed);
    } catch (err) {
      throw new Error(`${(err as Error).message}; received: ${JSON.stringify(this.received).slice(0, 500)}`);
    }
  }
}

/** A visitor that has started a session, and an agent that joined it with the code. */
export async function startCall(wsUrl: string, token: string) {
  const visitor = await TestClient.connect(wsUrl);
  visitor.send({ type: 'visitor.start' });
  const created = await visitor.next('session.created');
  const agent = await TestClient.connect(wsUrl);
  agent.send({ type: 'agent.join', token, code: created.code });
  const joined = await agent.next('session.joined');
  const announced = await visitor.next('peer.joined');
  return { visitor, agent, created, joined, announced, visitorId: created.self.id, agentId: joined.self.id };
}

/** The invite token in a `guest.invite` message's link: its fragment, read as the guest page reads it. */
export function inviteTokenOf(invite: { url: string }): string {
  const token = new URLSearchParams(new URL(invite.url).hash.slice(1)).get('invite');
  if (!token) throw new Error(`no invite token in ${invite.url}`);
  return token;
}
