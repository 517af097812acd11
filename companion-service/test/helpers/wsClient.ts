import WebSocket from 'ws';
import type { ClientMessage, ServerMessage, ServerMessageOf } from '../../src/protocol/messages';

/** A test participant: a real WebSocket that records everything the server sends. */
export class TestClient {
  readonly received: ServerMessage[] = [];
  /** The text each received message arrived as. */
  private readonly texts = new WeakMap<ServerMessage, string>();
  private waiters: Array<() => void> = [];
  closeInfo: { code: number; reason: string } | undefined;
  /** Everything the server sends is JSON text: a binary frame would reach a browser as a Blob. */
  binaryFrames = 0;
  private probes = 0;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) this.binaryFrames++;
      const text = data.toString();
      const message = JSON.parse(text) as ServerMessage;
      this.texts.set(message, text);
      this.received.push(message);
      this.wake();
    });
    socket.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      this.wake();
    });
  }

  static async connect(url: string, headers?: Record<string, string>): Promise<TestClient> {
    const socket = new WebSocket(url, headers ? { headers } : undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new TestClient(socket);
  }

  send(message: ClientMessage | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  /** Waits for the next message of this type that has not been taken yet, and takes it. */
  async next<T extends ServerMessage['type']>(type: T, timeoutMs = 3000): Promise<ServerMessageOf<T>> {
    const found = await this.until(() => this.received.findIndex((m) => m.type === type), (i) => i >= 0, timeoutMs, `a "${type}" message`);
    return this.received.splice(found, 1)[0] as ServerMessageOf<T>;
  }

  /** Like `next`, but the message's text exactly as it arrived. */
  async nextRaw(type: ServerMessage['type'], timeoutMs = 3000): Promise<string> {
    const message = await this.next(type, timeoutMs);
    return this.texts.get(message) ?? '';
  }

  async closed(timeoutMs = 3000): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closeInfo, (c) => c !== undefined, timeoutMs, 'the socket to close') as Promise<{ code: number; reason: string }>;
  }

  /** Asserts that nothing of this type arrives within the window. */
  async nothing(type: ServerMessage['type'], windowMs = 200): Promise<void> {
    await new Promise((r) => setTimeout(r, windowMs));
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
    const found = await this.until(() => this.received.findIndex(isAnswer), (i) => i >= 0, timeoutMs, `the answer to probe "${id}"`);
    this.received.splice(found, 1);
  }

  close(): void {
    this.socket.close();
  }

  private async until<V>(probe: () => V, done: (v: V) => boolean, timeoutMs: number, what: string): Promise<V> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (done(value)) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; received: ${JSON.stringify(this.received).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
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
