import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket, RawData } from 'ws';
import type { AgentAdmission } from '../auth/agentAdmission';
import { verifyAgentToken, type AgentClaims } from '../auth/agentToken';
import type { ConsoleTicketBook } from '../auth/consoleTickets';
import { Channels, type Bus, type ControlMessage } from '../bus/bus';
import type { Config } from '../config/schema';
import { iceServersFor } from '../ice/iceServers';
import { CloseCode, ErrorCode } from '../protocol/codes';
import type { ClientMessage, ServerMessage } from '../protocol/messages';
import { parseClientMessage } from '../protocol/validate';
import { linksFor } from '../sessions/model';
import { newParticipantId, type Membership, type SessionService } from '../sessions/sessionService';
import { TokenBucket } from './tokenBucket';

export interface SignalingDeps {
  config: Config;
  sessions: SessionService;
  admission: AgentAdmission;
  tickets: ConsoleTicketBook;
  bus: Bus;
  log: FastifyBaseLogger;
}

const VIOLATION_WINDOW_MS = 10_000;

const ERROR_TEXT: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.InvalidCode]: 'No session has that key. Check the digits with the visitor.',
  [ErrorCode.CodeExpired]: 'That key has expired. Ask the visitor to start a new session.',
  [ErrorCode.RateLimited]: 'Too many attempts. Wait a moment and try again.',
  [ErrorCode.Unauthorized]: 'Your sign-in is not valid. Sign in again.',
  [ErrorCode.TokenExpired]: 'Your sign-in has expired. Sign in again.',
  [ErrorCode.InvalidTicket]: 'This console link has already been used or has expired. Join again.',
  [ErrorCode.SessionEnded]: 'This session has ended.',
  [ErrorCode.SessionFull]: 'This session is full.',
  [ErrorCode.AgentPresent]: 'Another agent is already in this session.',
  [ErrorCode.AlreadyInSession]: 'This connection is already in a session.',
  [ErrorCode.NotInSession]: 'Join a session first.',
  [ErrorCode.UnknownPeer]: 'That participant is not in your session.',
  [ErrorCode.Forbidden]: 'You are not allowed to do that.',
  [ErrorCode.ResumeFailed]: 'The session could not be resumed.',
};

export function errorText(code: ErrorCode): string {
  return ERROR_TEXT[code] ?? code.replace(/_/g, ' ');
}

/** One WebSocket: validates and rate-limits what arrives, hands it to the session service, and delivers what the
 * bus carries for its participant. Bad input gets an `error` reply and changes nothing. */
export class SignalingConnection {
  readonly id = randomUUID();
  alive = true;
  private participantId: string | undefined;
  private unsubscribe: Array<() => Promise<void>> = [];
  private readonly bucket: TokenBucket;
  private violations = 0;
  private violationWindowStart = Date.now();
  /** Inbound messages are handled one at a time, in order, even when a handler waits on the store. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private socketGone = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly ip: string,
    private readonly deps: SignalingDeps,
  ) {
    const { messagesPerSecond, burst } = deps.config.socket;
    this.bucket = new TokenBucket(messagesPerSecond, burst, Date.now());
    socket.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    socket.on('pong', () => (this.alive = true));
    socket.on('close', () => {
      this.socketGone = true;
      void this.onClose();
    });
    socket.on('error', (err) => deps.log.debug({ err, connection: this.id }, 'socket error'));
  }

  /** Server shutdown: no grace-period bookkeeping, just close. */
  shutdown(): void {
    this.closed = true;
    this.socket.close(CloseCode.GoingAway, 'server shutting down');
  }

  terminate(): void {
    this.socket.terminate();
  }

  ping(): void {
    this.alive = false;
    this.socket.ping();
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    const now = Date.now();
    if (!this.bucket.take(now)) return this.violation(ErrorCode.RateLimited, 'Too many messages; slow down.', now);
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (size > this.deps.config.socket.maxMessageBytes) {
      return this.violation(ErrorCode.TooLarge, `message is larger than ${this.deps.config.socket.maxMessageBytes} bytes`, now);
    }
    if (isBinary) return this.violation(ErrorCode.BadMessage, 'binary frames are not accepted', now);
    const parsed = parseClientMessage(data.toString());
    if (!parsed.ok) return this.violation(parsed.code, parsed.message, now, parsed.type);
    const message = parsed.message;
    // The relay is the hot path: when nothing is queued it runs synchronously, keeping order with the queue.
    if (message.type === 'signal' && this.idle) return this.handleSignal(message);
    this.enqueue(message);
  }

  private idle = true;

  private enqueue(message: ClientMessage): void {
    this.idle = false;
    const run = this.queue.then(() => this.handle(message));
    this.queue = run.catch((err: unknown) => {
      this.deps.log.error({ err, connection: this.id, type: message.type }, 'message handler failed');
      this.sendError(ErrorCode.Internal, 'Something went wrong on the server.', message.type);
    });
    const settled = this.queue;
    void settled.then(() => {
      if (this.queue === settled) this.idle = true;
    });
  }

  private violation(code: ErrorCode, text: string, now: number, inReplyTo?: string): void {
    if (now - this.violationWindowStart > VIOLATION_WINDOW_MS) {
      this.violationWindowStart = now;
      this.violations = 0;
    }
    this.violations++;
    if (this.violations > this.deps.config.socket.violationsBeforeClose) {
      this.deps.log.warn({ connection: this.id, ip: this.ip, code }, 'closing abusive socket');
      this.socket.close(CloseCode.PolicyViolation, 'too many invalid or excess messages');
      return;
    }
    this.sendError(code, text, inReplyTo);
  }

  private async handle(message: ClientMessage): Promise<void> {
    if (this.closed) return;
    switch (message.type) {
      case 'visitor.start':
        return this.onVisitorStart();
      case 'agent.join':
        return 'ticket' in message ? this.onJoinWithTicket(message.ticket) : this.onJoinWithCode(message.token, message.code);
      case 'session.resume':
        return this.onResume(message.resumeToken);
      case 'signal':
        return this.handleSignal(message);
      case 'pair.restart':
        return this.reply(message.type, this.participantId && (await this.deps.sessions.restartPair(this.participantId, message.peerId)));
      case 'session.leave':
        return this.reply(message.type, this.participantId && (await this.deps.sessions.hangUp(this.participantId)));
      case 'session.end':
        return this.reply(message.type, this.participantId && (await this.deps.sessions.end(this.participantId)));
    }
  }

  /** Sends an error when an operation was refused; a connection not yet in a session gets not_in_session. */
  private reply(inReplyTo: string, result: ErrorCode | undefined | '' | 0): void {
    if (result === undefined && this.participantId) return;
    const code = (result || ErrorCode.NotInSession) as ErrorCode;
    this.sendError(code, errorText(code), inReplyTo);
  }

  private handleSignal(message: Extract<ClientMessage, { type: 'signal' }>): void {
    if (!this.participantId) return this.sendError(ErrorCode.NotInSession, errorText(ErrorCode.NotInSession), 'signal');
    const refused = this.deps.sessions.relaySignal(this.participantId, message.to, message.gen, message.data);
    if (refused) this.sendError(refused, errorText(refused), 'signal');
  }

  private async onVisitorStart(): Promise<void> {
    if (this.refuseIfInSession('visitor.start')) return;
    const participantId = await this.attach(newParticipantId());
    const membership = await this.deps.sessions.startVisitor(participantId);
    this.send({
      type: 'session.created',
      sessionId: membership.session.id,
      code: membership.session.code,
      codeExpiresAt: membership.session.codeExpiresAt,
      self: { id: membership.participantId, role: 'visitor' },
      resumeToken: membership.resumeToken,
      iceServers: iceServersFor(membership.participantId, this.deps.config.ice, Date.now()),
    });
    await this.settleIfGone();
  }

  private async onJoinWithCode(token: string, code: string): Promise<void> {
    if (this.refuseIfInSession('agent.join')) return;
    const verified = verifyAgentToken(token, this.deps.config.agentTokenSecret, Date.now());
    if (!verified.ok) return this.sendError(verified.code, errorText(verified.code), 'agent.join');
    const admitted = this.deps.admission.checkCode(verified.claims, code, this.ip);
    if (!admitted.ok) return this.sendError(admitted.code, errorText(admitted.code), 'agent.join', admitted.retryAfterSeconds);
    await this.joinAsAgent(admitted.session.id, verified.claims);
  }

  private async onJoinWithTicket(ticket: string): Promise<void> {
    if (this.refuseIfInSession('agent.join')) return;
    const redeemed = this.deps.tickets.redeem(ticket, Date.now());
    if (!redeemed) return this.sendError(ErrorCode.InvalidTicket, errorText(ErrorCode.InvalidTicket), 'agent.join');
    await this.joinAsAgent(redeemed.sessionId, redeemed.claims);
  }

  private async joinAsAgent(sessionId: string, claims: AgentClaims): Promise<void> {
    const participantId = await this.attach(newParticipantId());
    const joined = await this.deps.sessions.joinAgent(sessionId, { sub: claims.sub, name: claims.name }, participantId);
    if (!joined.ok) {
      await this.detach();
      return this.sendError(joined.code, errorText(joined.code), 'agent.join');
    }
    this.sendJoined(joined, false);
    await this.settleIfGone();
  }

  private async onResume(resumeToken: string): Promise<void> {
    if (this.refuseIfInSession('session.resume')) return;
    const known = this.deps.sessions.participantForResumeToken(resumeToken);
    if (known) await this.attach(known);
    const resumed = await this.deps.sessions.resume(resumeToken);
    if (!resumed.ok) {
      await this.detach();
      return this.sendError(resumed.code, errorText(resumed.code), 'session.resume');
    }
    this.sendJoined(resumed, true);
    await this.settleIfGone();
  }

  /** The socket closed while a join was being stored: start the participant's grace period now. */
  private async settleIfGone(): Promise<void> {
    if (this.socketGone && this.participantId) await this.onClose(true);
  }

  private sendJoined(m: Membership, resumed: boolean): void {
    const self = m.session.participants.find((p) => p.id === m.participantId);
    if (!self) return;
    this.send({
      type: 'session.joined',
      sessionId: m.session.id,
      code: m.session.code,
      self: { id: self.id, role: self.role },
      resumeToken: m.resumeToken,
      iceServers: iceServersFor(self.id, this.deps.config.ice, Date.now()),
      peers: linksFor(m.session, self.id),
      resumed,
    });
  }

  private refuseIfInSession(type: string): boolean {
    if (!this.participantId) return false;
    this.sendError(ErrorCode.AlreadyInSession, errorText(ErrorCode.AlreadyInSession), type);
    return true;
  }

  /** Subscribes to the participant's channels before the join takes effect, then takes over delivery for them:
   * any older socket for the same participant is closed as replaced. */
  private async attach(participantId: string): Promise<string> {
    this.unsubscribe.push(
      await this.deps.bus.subscribe(Channels.participant(participantId), (payload) => this.sendRaw(payload)),
      await this.deps.bus.subscribe(Channels.control(participantId), (payload) => this.onControl(payload)),
    );
    this.participantId = participantId;
    const replaced = this.deps.sessions.bind(participantId, this.id);
    if (replaced) {
      const close: ControlMessage & { connectionId: string } = { action: 'close', code: CloseCode.Replaced, reason: 'opened elsewhere', connectionId: replaced };
      await this.deps.bus.publish(Channels.control(participantId), JSON.stringify(close));
    }
    return participantId;
  }

  /** Undoes attach after a refused join, leaving the socket usable for another attempt. */
  private async detach(): Promise<void> {
    const subscriptions = this.unsubscribe;
    this.unsubscribe = [];
    if (this.participantId) this.deps.sessions.unbind(this.participantId, this.id);
    this.participantId = undefined;
    await Promise.all(subscriptions.map((u) => u()));
  }

  private onControl(payload: string): void {
    const control = JSON.parse(payload) as ControlMessage & { connectionId?: string };
    if (control.connectionId !== undefined && control.connectionId !== this.id) return;
    this.closed = true;
    this.socket.close(control.code, control.reason);
  }

  private async onClose(force = false): Promise<void> {
    const subscriptions = this.unsubscribe;
    this.unsubscribe = [];
    await Promise.all(subscriptions.map((u) => u()));
    const participantId = this.participantId;
    const quiet = this.closed && !force;
    this.closed = true;
    if (participantId && !quiet) await this.deps.sessions.connectionLost(participantId, this.id);
  }

  private send(message: ServerMessage): void {
    this.sendRaw(JSON.stringify(message));
  }

  private sendRaw(payload: string): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(payload);
  }

  private sendError(code: ErrorCode, message: string, inReplyTo?: string, retryAfterSeconds?: number): void {
    const error: ServerMessage = { type: 'error', code, message };
    if (inReplyTo !== undefined) error.inReplyTo = inReplyTo;
    if (retryAfterSeconds !== undefined) error.retryAfterSeconds = retryAfterSeconds;
    this.send(error);
  }
}
