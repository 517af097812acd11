import { CloseCode } from '../../src/protocol/codes';
import type {
  ClientMessage,
  ErrorMessage,
  ReplyOf,
  RequestType,
  ServerMessage,
  ServerMessageOf,
} from '../../src/protocol/messages';
import { Backoff } from './backoff';

type Handler<T extends ServerMessage['type']> = (message: ServerMessageOf<T>) => void;

/** A request as the caller writes it: `request` gives it its id. */
export type RequestMessage<T extends RequestType> = { type: T } & (Extract<ClientMessage, { type: T }> extends infer M
  ? M extends unknown
    ? Omit<M, 'id'>
    : never
  : never);

/** A request waiting for its answer, and the socket it went out on. */
interface Pending {
  socket: WebSocket;
  resolve(message: ServerMessage): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Close codes after which reconnecting is pointless: the server ended or refused this participant. */
const FINAL_CLOSES = new Set<number>([CloseCode.SessionEnded, CloseCode.Replaced, CloseCode.PolicyViolation]);

/** The browser side of the signaling socket: typed messages, and automatic resume after a dropped connection
 * (with backoff) using the resume token the server issued. */
export class SignalingClient {
  private socket: WebSocket | undefined;
  private readonly handlers = new Map<string, Set<(m: ServerMessage) => void>>();
  private resumeToken: string | undefined;
  /** Reconnect waits: 0.5 s, 1 s, 2 s, 4 s ... capped at 5 s, well inside the server's grace period. */
  private readonly reconnects = new Backoff(500, 5000);
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Inbound messages kept while the page is not ready for them (see holdMessages). */
  private held: ServerMessage[] | undefined;
  private readonly pending = new Map<string, Pending>();
  private requests = 0;
  onStateChange: (state: ConnectionState, detail?: string) => void = () => {};

  constructor(private readonly url: string) {}

  /** Opens the socket and sends `first` (start, join or resume) once it is open. */
  connect(first: ClientMessage): void {
    this.stopped = false;
    // A resume (e.g. after a page load) keeps retrying through a dropped socket like any other resume.
    if (first.type === 'session.resume') this.resumeToken = first.resumeToken;
    this.open(first);
  }

  /** Takes over a socket another part of the page opened: the widget's presence socket, which becomes the call's
   * socket when the visitor accepts an invitation (the server answers the acceptance on it), or the one the console's
   * first script sent agent.join on (console/boot.ts). Nothing is sent; every message from now on is this client's
   * (its previous owner must have let go of it, in the same task). `earlier`: what that owner received on it and
   * kept for this client, in order; `closedWith`: how it closed, if it did before. */
  adopt(socket: WebSocket, earlier: readonly string[] = [], closedWith?: { code: number; reason: string }): void {
    this.stopped = false;
    this.attach(socket);
    for (const text of earlier) this.receive(text);
    if (closedWith) this.closed(socket, closedWith.code, closedWith.reason);
  }

  on<T extends ServerMessage['type']>(type: T, handler: Handler<T>): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    const h = handler as (m: ServerMessage) => void;
    set.add(h);
    return () => set.delete(h);
  }

  send(message: ClientMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Sends a request with a fresh `id` and resolves with the server's direct answer to it, the message whose `replyTo`
   * is that id: one of the request's replies (`Replies` in protocol/messages.ts) or an `error` (resolved, not
   * rejected: a refusal is an answer). Rejects when the socket is not open, when it closes first, or after
   * `timeoutMs` without an answer. The answer is also dispatched to `on` handlers as usual, and is not held by
   * holdMessages. Requests without a reply of their own (media.set, guest.admit, ...) are only answered when
   * refused: send those, then `request({ type: 'probe' })` to learn that they were taken (messages on a socket are
   * handled and answered in order).
   *
   *   const answer = await client.request({ type: 'guest.invite.create' });
   *   if (answer.type === 'error') show(answer.message);
   *   else showLink(answer.url);
   */
  request<T extends RequestType>(message: RequestMessage<T>, timeoutMs = 10_000): Promise<ReplyOf<T> | ErrorMessage> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN)
      return Promise.reject(new Error(`not connected: "${message.type}" was not sent`));
    const id = `r${++this.requests}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer to "${message.type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { socket, resolve: resolve as (m: ServerMessage) => void, reject, timer });
      socket.send(JSON.stringify({ ...message, id }));
    });
  }

  /** Keeps inbound messages, in order, until releaseMessages(): a page can join while it is still getting ready
   * (the console's camera) without missing or reordering anything the session says meanwhile. */
  holdMessages(): void {
    this.held ??= [];
  }

  releaseMessages(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const message of held) this.dispatch(message);
  }

  /** Closes for good: no resume. */
  close(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.close(1000, 'client closed');
    this.onStateChange('closed');
  }

  private answered(id: string, message: ServerMessage): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(message);
  }

  /** The socket closed: what was asked on it will not be answered (a new socket does not know those ids). */
  private abandon(socket: WebSocket, reason: string): void {
    for (const [id, pending] of this.pending) {
      if (pending.socket !== socket) continue;
      this.pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(new Error(`the connection closed before the answer${reason ? ` (${reason})` : ''}`));
    }
  }

  private dispatch(message: ServerMessage): void {
    for (const handler of this.handlers.get(message.type) ?? []) handler(message);
  }

  private open(first: ClientMessage): void {
    this.onStateChange(this.reconnects.fresh ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(this.url);
    socket.onopen = () => {
      socket.send(JSON.stringify(first));
    };
    this.attach(socket);
  }

  private attach(socket: WebSocket): void {
    this.socket = socket;
    socket.onmessage = (event) => this.receive(String(event.data));
    socket.onclose = (event) => this.closed(socket, event.code, event.reason);
  }

  private receive(text: string): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    if (message.type === 'session.created' || message.type === 'session.joined') {
      this.resumeToken = message.resumeToken;
      this.reconnects.reset();
      this.onStateChange('open');
    }
    if (message.type === 'session.ended') this.stopped = true;
    const replyTo = (message as { replyTo?: unknown }).replyTo;
    if (typeof replyTo === 'string') this.answered(replyTo, message);
    if (this.held) this.held.push(message);
    else this.dispatch(message);
  }

  private closed(socket: WebSocket, code: number, reason: string): void {
    this.abandon(socket, reason);
    if (this.socket !== socket) return;
    if (this.stopped || FINAL_CLOSES.has(code) || !this.resumeToken) {
      this.stopped = true;
      this.onStateChange('closed', reason);
      return;
    }
    // An instance stopping for a deploy (1012) is no failure: resume at once on another, spread over a quarter of a
    // second so that its clients don't all arrive together. Otherwise back off.
    const restart = code === CloseCode.ServiceRestart && this.reconnects.fresh;
    const delay = restart ? Math.random() * 250 : this.reconnects.next();
    this.onStateChange('reconnecting');
    this.retryTimer = setTimeout(() => this.open({ type: 'session.resume', resumeToken: this.resumeToken! }), delay);
  }
}

// Its own file, for the widget's loader, which has no SignalingClient.
export { socketUrl } from './socketUrl';
