import type { IncomingHttpHeaders } from 'node:http';
import WebSocket from 'ws';
import { CloseCode } from '../../src/protocol/codes';
import type { ClientMessage, ServerMessage, ServerMessageOf } from '../../src/protocol/messages';
import { Changes, eventually } from './eventually';

/* A participant's client that resumes as the browser's does (web/shared/signalingClient.ts): when its socket closes
 * with anything but a final code (session ended, replaced, policy), it opens a new one to the same address (through
 * the load balancer: any instance) after the same backoff (0.5 s, 1 s, 2 s ... 5 s at most) and sends
 * `session.resume` with the last resume token the server gave it. Everything it receives, on any of its sockets, is
 * in one list; each socket's instance (its upgrade's `x-tandem-instance`) and close are kept. For tests of many calls
 * at once without a browser per participant. */

/** The same as the browser's FINAL_CLOSES. */
const FINAL_CLOSES = new Set<number>([CloseCode.SessionEnded, CloseCode.Replaced, CloseCode.PolicyViolation]);

export interface SocketRecord {
  /** The instance's tag (`x-tandem-instance`), once the upgrade was answered. */
  tag: string | undefined;
  openedAt: number;
  closedAt?: number;
  closeCode?: number;
  closeReason?: string;
}

export class ResumingClient {
  /** Everything received, on every socket, in order. `next` takes messages out; `log` keeps them all. */
  readonly received: ServerMessage[] = [];
  readonly log: Array<{ at: number; message: ServerMessage }> = [];
  readonly sockets: SocketRecord[] = [];
  resumeToken: string | undefined;
  participantId: string | undefined;
  /** Closed for good: by the test, a final close code, `session.ended`, or a resume the server refused. */
  stopped = false;
  private socket: WebSocket | undefined;
  private attempts = 0;
  private retry: NodeJS.Timeout | undefined;
  private probes = 0;
  private readonly changes = new Changes();
  /** Resolves at the next message, close or reconnection. */
  readonly changed = this.changes.next;

  private constructor(private readonly url: string) {}

  /** Opens the first socket (nothing sent yet). */
  static async connect(url: string): Promise<ResumingClient> {
    const client = new ResumingClient(url);
    await client.open();
    return client;
  }

  /** The instance tag of the socket open now. */
  get tag(): string | undefined {
    return this.socket?.readyState === WebSocket.OPEN ? this.sockets.at(-1)?.tag : undefined;
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  send(message: ClientMessage | Record<string, unknown>): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Waits for the next message of this type not taken yet (from any socket), and takes it. */
  async next<T extends ServerMessage['type']>(type: T, timeoutMs = 5000): Promise<ServerMessageOf<T>> {
    const i = await eventually(
      () => this.received.findIndex((m) => m.type === type),
      (n) => n >= 0,
      `a "${type}" message`,
      timeoutMs,
      this.changed,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}; received: ${JSON.stringify(this.received).slice(0, 400)}; sockets: ${JSON.stringify(this.sockets)}`,
      );
    });
    return this.received.splice(i, 1)[0] as ServerMessageOf<T>;
  }

  /** Messages of this type received so far (taken or not), with when they arrived. */
  all<T extends ServerMessage['type']>(type: T): Array<{ at: number; message: ServerMessageOf<T> }> {
    return this.log.filter((e) => e.message.type === type) as Array<{ at: number; message: ServerMessageOf<T> }>;
  }

  /** The server's answer to a probe on the socket open now: everything it sent this socket before is in `received`. */
  async probe(timeoutMs = 5000): Promise<void> {
    const id = `probe-${++this.probes}`;
    if (!this.send({ type: 'probe', id })) throw new Error('not connected');
    const i = await eventually(
      () => this.received.findIndex((m) => m.type === 'probe' && m.replyTo === id),
      (n) => n >= 0,
      `the answer to probe "${id}"`,
      timeoutMs,
      this.changed,
    );
    this.received.splice(i, 1);
  }

  /** Waits until this client is connected again after a drop (a `session.joined` that is a resume, after `since`). */
  async resumedSince(since: number, timeoutMs = 10_000): Promise<{ at: number; tag: string | undefined }> {
    const found = await eventually(
      () => this.all('session.joined').find((e) => e.at >= since && e.message.resumed),
      (e) => e !== undefined || this.stopped,
      'a resume',
      timeoutMs,
      this.changed,
    );
    if (!found) {
      const said = this.log.filter(
        (e) =>
          e.at >= since &&
          !(e.message.type === 'signal' || (e.message.type === 'error' && e.message.inReplyTo === 'signal')),
      );
      throw new Error(
        `not resumed (the client stopped): sockets ${JSON.stringify(this.sockets)}; since ${since} the server said ${JSON.stringify(said)}`,
      );
    }
    return { at: found.at, tag: this.tag };
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.socket?.close(1000, 'client closed');
  }

  private open(): Promise<void> {
    const record: SocketRecord = { tag: undefined, openedAt: Date.now() };
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.once('upgrade', (response: { headers: IncomingHttpHeaders }) => {
      const tag = response.headers['x-tandem-instance'];
      record.tag = typeof tag === 'string' ? tag : undefined;
    });
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (message.type === 'session.created' || message.type === 'session.joined') {
        this.resumeToken = message.resumeToken;
        this.participantId = message.self.id;
        this.attempts = 0;
      }
      if (message.type === 'session.ended') this.stopped = true;
      // A resume refused: the browser would show the call as over.
      if (message.type === 'error' && message.inReplyTo === 'session.resume') this.stopped = true;
      this.received.push(message);
      this.log.push({ at: Date.now(), message });
      this.changes.notify();
    });
    socket.on('close', (code, reason) => {
      record.closedAt = Date.now();
      record.closeCode = code;
      record.closeReason = reason.toString();
      this.changes.notify();
      if (this.socket !== socket) return;
      if (this.stopped || FINAL_CLOSES.has(code) || !this.resumeToken) {
        this.stopped = true;
        return;
      }
      this.reconnect();
    });
    return new Promise<void>((resolve, reject) => {
      socket.once('open', () => {
        this.sockets.push(record);
        this.changes.notify();
        resolve();
      });
      socket.once('error', (err) => {
        // A failed attempt closes the socket too, which schedules the next one.
        reject(err);
      });
    });
  }

  private reconnect(): void {
    const delay = Math.min(5000, 500 * 2 ** this.attempts++);
    this.retry = setTimeout(() => {
      if (this.stopped) return;
      this.open().then(
        () => this.send({ type: 'session.resume', resumeToken: this.resumeToken! }),
        () => undefined,
      );
    }, delay);
  }
}
