import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket, RawData } from 'ws';
import { Channels, type Bus, type BusPayload, type ControlMessage } from '../bus/bus';
import type { Config } from '../config/schema';
import { CloseCode, ErrorCode } from '../protocol/codes';
import type { ClientMessage, Role, ServerMessage } from '../protocol/messages';
import { readCanonicalSignal } from '../protocol/canonicalSignal';
import { parseClientMessage } from '../protocol/validate';
import { RedisUnavailableError } from '../redis/unavailable';
import { SessionContendedError } from '../sessions/sessionCommands';
import type { SessionService } from '../sessions/sessionService';
import { errorText } from '../protocol/errorText';
import type { Answer, ConnectionContext, MessageRouter } from './router';
import { TokenBucket } from './tokenBucket';
import type { ServiceMetrics } from '../metrics/serviceMetrics';

export interface ConnectionDeps {
  config: Config;
  sessions: SessionService;
  router: MessageRouter;
  bus: Bus;
  log: FastifyBaseLogger;
  /** Called once the socket has closed, so the owner can stop tracking the connection. */
  forget(connection: SignalingConnection): void;
  /** Counts what this socket receives, drops and refuses (metrics/serviceMetrics.ts). */
  metrics: ServiceMetrics;
  /** Takes one of the address's session starts (limits.sessionsPerAddressPerMinute). */
  startSession(address: string): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }>;
}

const VIOLATION_WINDOW_MS = 10_000;

/** Where every connection's message queue starts: one settled promise, shared. */
const IDLE: Promise<void> = Promise.resolve();

/** ws sends Buffers as binary frames unless told otherwise; everything Tandem sends is JSON text. */
const AS_TEXT = { binary: false } as const;

/** A frame's bytes as one Buffer (ws hands over a Buffer for every frame with its default binaryType). */
function frameBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** One WebSocket: validates and rate-limits what arrives, hands it to the feature that owns its type, and delivers
 * what the bus carries for it. Bad input gets an `error` reply and changes nothing. */
export class SignalingConnection implements ConnectionContext {
  /** Random hex, made in one piece: Node's randomUUID() builds its text by concatenation, a tree of ~17 string
   * pieces that the socket would keep for its whole life. */
  readonly id = randomBytes(16).toString('hex');
  /** When the client was last heard from (any frame, or a pong): the liveness sweep pings only quiet sockets. */
  lastHeard = Date.now();
  /** When the socket opened: one that starts nothing within limits.idleSocketSeconds is closed. */
  readonly openedAt = this.lastHeard;
  participantId: string | undefined;
  visitorId: string | undefined;
  // Made on first use: most sockets never follow a channel or register a cleanup, and every object a socket keeps
  // is marked again by each full garbage collection.
  private subscriptions: Array<() => Promise<void>> | undefined;
  /** The participant's own channels, kept apart so a refused join can drop just them. */
  private participantSubscriptions: Array<() => Promise<void>> | undefined;
  /** What the participant's channels carried while the message that attached them was being handled: it goes out
   * after that message's answer (see attach and afterAnswer). */
  private heldForAnswer: Array<() => void> | undefined;
  private cleanups: Array<() => Promise<void> | void> | undefined;
  private readonly bucket: TokenBucket;
  private violations = 0;
  private violationWindowStart = Date.now();
  /** Inbound messages are handled one at a time, in order, even when a handler waits on the store. */
  private queue: Promise<void> = IDLE;
  private queued = 0;
  /** The `id` of the message being handled (the queue handles one at a time), for `reply` and `fail`. */
  private replyTo: string | undefined;
  /** Whether the handler of the message being handled refused it (the join-latency metric's outcome). */
  private refusedWhileHandling = false;
  /** Closed by the server on purpose (shutdown, session over, replaced): no grace period bookkeeping. */
  private closedQuietly = false;
  private socketGone = false;
  private readonly relay;

  constructor(
    private readonly socket: WebSocket,
    readonly ip: string,
    readonly userAgent: string,
    /** The customer's site whose page opened this socket (its Origin); null for the service's own pages. */
    readonly siteId: string | null,
    private readonly deps: ConnectionDeps,
  ) {
    const { messagesPerSecond, burst } = deps.config.socket;
    this.bucket = new TokenBucket(messagesPerSecond, burst, Date.now());
    this.relay = deps.router.handlerFor('signal');
    socket.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    socket.on('pong', () => (this.lastHeard = Date.now()));
    socket.on('close', () => {
      this.socketGone = true;
      deps.forget(this);
      void this.onSocketClosed();
    });
    socket.on('error', (err) => deps.log.debug({ err, ...this.logFields() }, 'socket error'));
  }

  /** Server shutdown: close without starting anyone's grace period. */
  shutdown(): void {
    this.closedQuietly = true;
    this.socket.close(CloseCode.GoingAway, 'server shutting down');
  }

  /** Before a deploy's close: messages that arrive from now on are not handled (those queued are dropped too; the one
   * being handled finishes and is answered). The socket stays open; the relay goes on. */
  stopTaking(): void {
    this.closedQuietly = true;
  }

  /** Resolves once the message being handled (if any) and those queued behind it are done. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** A deploy (with Redis): close without starting anyone's grace period; the client resumes on another instance. */
  restart(): void {
    this.closedQuietly = true;
    this.socket.close(CloseCode.ServiceRestart, 'service restarting');
  }

  terminate(): void {
    this.socket.terminate();
  }

  /** Whether the socket has started or joined a session, identified a visitor, or follows presence. */
  get started(): boolean {
    return this.participantId !== undefined || this.visitorId !== undefined || this.subscriptions !== undefined;
  }

  /** The socket started nothing in time: close it (it may connect again when it has something to do). */
  closeIdle(): void {
    this.closedQuietly = true;
    this.socket.close(CloseCode.Idle, 'nothing started on this connection');
  }

  get role(): Role | undefined {
    return this.participantId === undefined ? undefined : this.deps.sessions.roleOf(this.participantId);
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  startSession(): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
    return this.deps.startSession(this.ip);
  }

  ping(): void {
    this.socket.ping();
  }

  send(message: ServerMessage): void {
    this.sendRaw(JSON.stringify(message));
  }

  reply(message: Answer): void {
    const replyTo = this.replyTo;
    this.send((replyTo === undefined ? message : { ...message, replyTo }) as ServerMessage);
  }

  fail(code: ErrorCode, inReplyTo: string, retryAfterSeconds?: number): void {
    this.refusedWhileHandling = true;
    this.sendError(code, errorText(code), inReplyTo, retryAfterSeconds, this.replyTo);
  }

  async follow(channel: string, handler: (payload: BusPayload) => void): Promise<void> {
    const unsubscribe = await this.deps.bus.subscribe(channel, handler);
    (this.subscriptions ??= []).push(unsubscribe);
  }

  onClose(cleanup: () => Promise<void> | void): void {
    (this.cleanups ??= []).push(cleanup);
  }

  /** Subscribes to the participant's channels before the join takes effect (so nothing addressed to them is
   * missed), then speaks for them: an older socket for the same participant is closed as replaced. What those
   * channels carry before the join's answer has gone out waits for it (until the message being handled is done):
   * the others hear of the newcomer as the join takes effect and may signal them at once, and a client can only
   * take a peer's offer once its own session.joined has told it who that peer is. */
  async attach(participantId: string): Promise<string> {
    const bus = this.deps.bus;
    this.heldForAnswer ??= [];
    const subscriptions = [
      await bus.subscribe(
        Channels.participant(participantId),
        this.afterAnswer((payload) => this.sendRaw(payload)),
      ),
      await bus.subscribe(Channels.control(participantId), (payload) => this.onControl(payload)),
    ];
    for (const feed of this.deps.router.feeds) {
      const receiver = feed.open(this, participantId);
      const unsubscribe = await bus.subscribe(
        feed.channel(participantId),
        this.afterAnswer((payload) => receiver.receive(payload)),
      );
      subscriptions.push(() => {
        receiver.close();
        return unsubscribe();
      });
    }
    this.participantSubscriptions = [...(this.participantSubscriptions ?? []), ...subscriptions];
    this.participantId = participantId;
    const replaced = this.deps.sessions.bind(participantId, this.id);
    if (replaced) {
      const close: ControlMessage = {
        action: 'close',
        code: CloseCode.Replaced,
        reason: 'opened elsewhere',
        connectionId: replaced,
      };
      await this.deps.bus.publish(Channels.control(participantId), JSON.stringify(close));
    }
    return participantId;
  }

  async detach(): Promise<void> {
    const participantId = this.participantId;
    if (!participantId) return;
    this.deps.sessions.unbind(participantId, this.id);
    this.participantId = undefined;
    // Meant for a member this socket did not become.
    this.heldForAnswer = undefined;
    const subscriptions = this.participantSubscriptions ?? [];
    this.participantSubscriptions = undefined;
    await Promise.all(subscriptions.map((u) => u()));
  }

  /** A channel's handler that holds what it carries while a join's answer is pending (heldForAnswer), and otherwise
   * delivers it at once: made once per subscription, so a relayed message makes nothing while no join is pending. */
  private afterAnswer(deliver: (payload: BusPayload) => void): (payload: BusPayload) => void {
    return (payload) => {
      if (this.heldForAnswer) this.heldForAnswer.push(() => deliver(payload));
      else deliver(payload);
    };
  }

  /** The message that attached the participant has been answered (or refused): what waited for that goes out. */
  private releaseHeld(): void {
    const held = this.heldForAnswer;
    if (!held) return;
    this.heldForAnswer = undefined;
    for (const deliver of held) deliver();
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    const now = Date.now();
    this.lastHeard = now;
    if (!this.bucket.take(now)) return this.violation(ErrorCode.RateLimited, 'Too many messages; slow down.', now);
    const frame = frameBytes(data);
    if (frame.length > this.deps.config.socket.maxMessageBytes) {
      return this.violation(
        ErrorCode.TooLarge,
        `message is larger than ${this.deps.config.socket.maxMessageBytes} bytes`,
        now,
      );
    }
    if (isBinary) return this.violation(ErrorCode.BadMessage, 'binary frames are not accepted', now);
    const text = frame.toString();
    // The relay is the hot path: with nothing queued it runs synchronously, which keeps the order.
    const relayNow = this.queued === 0 ? this.relay : undefined;
    if (relayNow) {
      const signal = readCanonicalSignal(text);
      if (signal) {
        this.deps.metrics.received('signal', frame.length);
        return void relayNow(this, signal, frame);
      }
    }
    const parsed = parseClientMessage(text);
    if (!parsed.ok) return this.violation(parsed.code, parsed.message, now, parsed.type, parsed.id);
    const message = parsed.message;
    this.deps.metrics.received(message.type, frame.length);
    if (message.type === 'signal' && relayNow) return void relayNow(this, message, frame);
    this.enqueue(message, frame);
  }

  private enqueue(message: ClientMessage, frame: Buffer): void {
    this.queued++;
    const id = 'id' in message ? message.id : undefined;
    this.queue = this.queue
      .then(async () => {
        if (this.closedQuietly) return;
        this.replyTo = id;
        this.refusedWhileHandling = false;
        const timed = this.deps.metrics.handling(message.type);
        await this.deps.router.dispatch(this, message, frame);
        timed?.(this.refusedWhileHandling);
      })
      .catch((err: unknown) => {
        // Redis away, or a session that kept changing under the command: nothing was done, and trying again may work.
        if (err instanceof RedisUnavailableError || err instanceof SessionContendedError) {
          this.deps.log.warn(
            { err: { message: (err as Error).message }, ...this.logFields(), type: message.type },
            'message not handled for now',
          );
          return this.sendError(ErrorCode.Unavailable, errorText(ErrorCode.Unavailable), message.type, 1, id);
        }
        this.deps.log.error({ err, ...this.logFields(), type: message.type }, 'message handler failed');
        this.sendError(ErrorCode.Internal, errorText(ErrorCode.Internal), message.type, undefined, id);
      })
      .finally(() => {
        this.releaseHeld();
        this.replyTo = undefined;
        this.queued--;
        // The socket closed while a join was being stored: start the participant's grace period now.
        if (this.socketGone && this.queued === 0 && this.participantId) void this.onSocketClosed(true);
      });
  }

  /** What every log line about this socket carries: the socket, and the participant and session it speaks for. */
  private logFields(): { connection: string; participantId?: string; sessionId?: string } {
    const participantId = this.participantId;
    if (participantId === undefined) return { connection: this.id };
    const sessionId = this.deps.sessions.sessionOf(participantId)?.id;
    return sessionId === undefined
      ? { connection: this.id, participantId }
      : { connection: this.id, participantId, sessionId };
  }

  private violation(code: ErrorCode, text: string, now: number, inReplyTo?: string, replyTo?: string): void {
    this.deps.metrics.droppedMessage(code);
    if (now - this.violationWindowStart > VIOLATION_WINDOW_MS) {
      this.violationWindowStart = now;
      this.violations = 0;
    }
    if (++this.violations > this.deps.config.socket.violationsBeforeClose) {
      this.deps.log.warn({ ...this.logFields(), ip: this.ip, code }, 'closing abusive socket');
      this.socket.close(CloseCode.PolicyViolation, 'too many invalid or excess messages');
      return;
    }
    this.sendError(code, text, inReplyTo, undefined, replyTo);
  }

  private onControl(payload: BusPayload): void {
    const control = JSON.parse(payload.toString()) as ControlMessage;
    if (control.connectionId !== undefined && control.connectionId !== this.id) return;
    if (control.except === this.id) return;
    this.closedQuietly = true;
    // Nothing more for the participant reaches this socket from now: its close may take a while (a half-open socket
    // waits out the closing handshake), and while this instance follows their channels it takes signals meant for
    // their new socket (redisBus.ts: a channel held here is delivered here only).
    const subscriptions = this.participantSubscriptions ?? [];
    this.participantSubscriptions = undefined;
    this.heldForAnswer = undefined;
    for (const unsubscribe of subscriptions) void unsubscribe();
    this.socket.close(control.code, control.reason);
  }

  /** Never rejects: what could not be done is logged (the session service retries what matters, sessionService.ts). */
  private onSocketClosed(afterJoin = false): Promise<void> {
    return this.closeDown(afterJoin).catch((err: unknown) =>
      this.deps.log.error({ err, connection: this.id }, 'socket close not fully handled'),
    );
  }

  private async closeDown(afterJoin: boolean): Promise<void> {
    const subscriptions = [...(this.subscriptions ?? []), ...(this.participantSubscriptions ?? [])];
    const cleanups = this.cleanups ?? [];
    this.subscriptions = this.participantSubscriptions = this.cleanups = undefined;
    await Promise.all(subscriptions.map((u) => u()));
    for (const cleanup of cleanups) await cleanup();
    const participantId = this.participantId;
    const quiet = this.closedQuietly && !afterJoin;
    this.closedQuietly = true;
    if (!participantId) return;
    if (quiet) this.deps.sessions.unbind(participantId, this.id);
    else await this.deps.sessions.connectionLost(participantId, this.id);
  }

  sendRaw(payload: BusPayload): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(payload, AS_TEXT);
  }

  private sendError(
    code: ErrorCode,
    message: string,
    inReplyTo?: string,
    retryAfterSeconds?: number,
    replyTo?: string,
  ): void {
    this.deps.metrics.errorSent(code);
    const error: ServerMessage = { type: 'error', code, message };
    if (inReplyTo !== undefined) error.inReplyTo = inReplyTo;
    if (replyTo !== undefined) error.replyTo = replyTo;
    if (retryAfterSeconds !== undefined) error.retryAfterSeconds = retryAfterSeconds;
    this.send(error);
  }
}
