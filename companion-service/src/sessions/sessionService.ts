import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Bus, ControlMessage } from '../bus/bus';
import { Channels } from '../bus/bus';
import type { Config } from '../config/schema';
import { CloseCode, ErrorCode, LeaveReason } from '../protocol/codes';
import type { ServerMessage, SignalData } from '../protocol/messages';
import type { Store } from '../store/store';
import { generateCode } from './codes';
import { SessionDirectory } from './directory';
import * as rules from './model';
import type { Effect, Session, SessionRules } from './model';
import { effectToMessage } from './wireEffects';

export type Result<T> = ({ ok: true } & T) | { ok: false; code: ErrorCode };

export interface Membership {
  session: Session;
  participantId: string;
  resumeToken: string;
}

export interface AgentIdentity {
  sub: string;
  name: string;
}

export interface SessionServiceDeps {
  config: Config;
  store: Store;
  bus: Bus;
  log: FastifyBaseLogger;
  now?: () => number;
}

const newId = () => randomUUID().replace(/-/g, '');
/** Participant ids are made by the caller when it must subscribe to the participant's channel before joining,
 * so no message addressed to the newcomer can be missed. */
export const newParticipantId = newId;

/** Runs the session rules against live state and performs their I/O: records in the store, messages on the bus,
 * timers for expiry. Sockets never touch sessions directly; they call this. */
export class SessionService {
  readonly directory = new SessionDirectory();
  private readonly rules: SessionRules;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Which connection currently speaks for a participant; a stale socket's close must not mark them away. */
  private readonly bindings = new Map<string, string>();
  private readonly now: () => number;

  constructor(private readonly deps: SessionServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.rules = {
      maxParticipants: deps.config.session.maxParticipants,
      resumeGraceMs: deps.config.session.resumeGraceSeconds * 1000,
    };
  }

  /** An anonymous visitor starts a session and gets its code. */
  async startVisitor(participantId: string = newParticipantId()): Promise<Membership> {
    const now = this.now();
    const { codeLength, codeTtlSeconds } = this.deps.config.session;
    const code = generateCode(codeLength, (c) => this.directory.isCodeTaken(c), () => randomInt(10));
    const session = rules.createSession({ sessionId: newId(), participantId, code, now, codeTtlMs: codeTtlSeconds * 1000 });
    await this.deps.store.createSession({ id: session.id, code, status: session.status, createdAt: now });
    await this.deps.store.addParticipant({ id: participantId, sessionId: session.id, role: 'visitor', identity: 'anonymous', name: null, joinedAt: now });
    await this.record(session.id, 'session.created', participantId);
    this.directory.put(session);
    this.schedule(session);
    return { session, participantId, resumeToken: this.issueResumeToken(participantId) };
  }

  /** A session that an agent could join with this code right now, if any. */
  findJoinable(code: string): Result<{ session: Session }> {
    const session = this.directory.findByCode(code);
    if (!session) return { ok: false, code: ErrorCode.InvalidCode };
    if (session.status === 'waiting' && this.now() >= session.codeExpiresAt) return { ok: false, code: ErrorCode.CodeExpired };
    return { ok: true, session };
  }

  async joinAgent(
    sessionId: string,
    agent: AgentIdentity,
    participantId: string = newParticipantId(),
  ): Promise<Result<Membership>> {
    const session = this.directory.get(sessionId);
    if (!session) return { ok: false, code: ErrorCode.SessionEnded };
    const now = this.now();
    const outcome = rules.admitAgent(session, { participantId, identity: agent.sub, name: agent.name, now }, this.rules);
    if (!outcome.ok) return outcome;
    await this.deps.store.addParticipant({ id: participantId, sessionId, role: 'agent', identity: agent.sub, name: agent.name, joinedAt: now });
    if (session.status !== outcome.session.status) await this.deps.store.updateSessionStatus(sessionId, outcome.session.status);
    await this.record(sessionId, 'agent.joined', participantId, { agent: agent.sub });
    const resumeToken = this.issueResumeToken(participantId);
    await this.commit(outcome.session, outcome.effects);
    return { ok: true, session: outcome.session, participantId, resumeToken };
  }

  participantForResumeToken(resumeToken: string): string | undefined {
    return this.directory.participantForResumeToken(resumeToken);
  }

  /** A participant whose socket dropped comes back with their resume token within the grace period. */
  async resume(resumeToken: string): Promise<Result<Membership>> {
    const participantId = this.directory.participantForResumeToken(resumeToken);
    const session = participantId === undefined ? undefined : this.directory.sessionOf(participantId);
    if (!participantId || !session) return { ok: false, code: ErrorCode.ResumeFailed };
    const outcome = rules.markBack(session, participantId, this.now(), this.rules);
    if (!outcome.ok) return outcome;
    if (outcome.effects.length) await this.record(session.id, 'participant.back', participantId);
    await this.commit(outcome.session, outcome.effects);
    return { ok: true, session: outcome.session, participantId, resumeToken };
  }

  /** Hot path: forwards one simple-peer signal to its recipient, unchanged, if both are in the same session.
   * Signals for an older generation of the pair are dropped: they belong to a peer connection that is gone. */
  relaySignal(from: string, to: string, gen: number, data: SignalData): ErrorCode | undefined {
    const session = this.directory.sessionOf(from);
    if (!session) return ErrorCode.NotInSession;
    if (!rules.canRelay(session, from, to)) return ErrorCode.UnknownPeer;
    if (gen !== rules.pairGeneration(session, from, to)) return undefined;
    void this.deps.bus.publish(Channels.participant(to), JSON.stringify({ type: 'signal', from, gen, data }));
    return undefined;
  }

  async restartPair(participantId: string, peerId: string): Promise<ErrorCode | undefined> {
    return this.run(participantId, (s) => rules.restartPair(s, participantId, peerId), 'pair.restarted', { peerId });
  }

  async hangUp(participantId: string): Promise<ErrorCode | undefined> {
    const now = this.now();
    return this.run(participantId, (s) => rules.leave(s, participantId, LeaveReason.Hangup, now), 'participant.hangup');
  }

  async end(participantId: string): Promise<ErrorCode | undefined> {
    const now = this.now();
    return this.run(participantId, (s) => rules.endByAgent(s, participantId, now), 'session.end.requested');
  }

  /** Marks which connection speaks for the participant. Returns the connection it replaced, if any. */
  bind(participantId: string, connectionId: string): string | undefined {
    const previous = this.bindings.get(participantId);
    this.bindings.set(participantId, connectionId);
    return previous !== connectionId ? previous : undefined;
  }

  unbind(participantId: string, connectionId: string): void {
    if (this.bindings.get(participantId) === connectionId) this.bindings.delete(participantId);
  }

  /** A socket closed. Only the participant's current connection counts; the grace period starts. */
  async connectionLost(participantId: string, connectionId: string): Promise<void> {
    if (this.bindings.get(participantId) !== connectionId) return;
    this.bindings.delete(participantId);
    const now = this.now();
    await this.run(participantId, (s) => rules.markAway(s, participantId, now), 'participant.away');
  }

  sessionOf(participantId: string): Session | undefined {
    return this.directory.sessionOf(participantId);
  }

  /** Sends one message to one participant's socket, wherever it is connected. */
  async send(participantId: string, message: ServerMessage): Promise<void> {
    await this.deps.bus.publish(Channels.participant(participantId), JSON.stringify(message));
  }

  /** Stops timers; live sessions are left as they are in the store (their sockets are being closed). */
  shutdown(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async run(
    participantId: string,
    apply: (session: Session) => rules.Outcome,
    eventKind: string,
    detail?: Record<string, unknown>,
  ): Promise<ErrorCode | undefined> {
    const session = this.directory.sessionOf(participantId);
    if (!session) return ErrorCode.NotInSession;
    const outcome = apply(session);
    if (!outcome.ok) return outcome.code;
    if (outcome.session !== session) await this.record(session.id, eventKind, participantId, detail);
    await this.commit(outcome.session, outcome.effects);
    return undefined;
  }

  /** Stores the new state, records departures and endings, tells everyone affected, and re-arms the timer. */
  private async commit(session: Session, effects: Effect[]): Promise<void> {
    const previous = this.directory.get(session.id);
    const now = this.now();
    const departed = (previous?.participants ?? []).filter((p) => !session.participants.some((q) => q.id === p.id));
    for (const p of departed) {
      const left = effects.find((e) => e.kind === 'peer-left' && e.peerId === p.id);
      const reason = left?.kind === 'peer-left' ? left.reason : 'left';
      await this.deps.store.participantLeft(p.id, now, reason);
    }
    if (session.status === 'ended') {
      await this.deps.store.updateSessionStatus(session.id, 'ended', session.endedAt, session.endReason);
      for (const p of session.participants) await this.deps.store.participantLeft(p.id, now, session.endReason ?? 'ended');
      await this.record(session.id, 'session.ended', null, { reason: session.endReason });
      this.directory.remove(session.id);
      this.clearTimer(session.id);
    } else {
      this.directory.put(session);
      this.schedule(session);
    }
    for (const effect of effects) await this.send(effect.to, effectToMessage(effect));
    if (session.status === 'ended') {
      const close: ControlMessage = { action: 'close', code: CloseCode.SessionEnded, reason: 'session ended' };
      for (const p of session.participants) {
        this.bindings.delete(p.id);
        await this.deps.bus.publish(Channels.control(p.id), JSON.stringify(close));
      }
    }
    for (const p of departed) this.bindings.delete(p.id);
  }

  private schedule(session: Session): void {
    this.clearTimer(session.id);
    const deadline = rules.nextDeadline(session, this.rules);
    if (deadline === undefined) return;
    const timer = setTimeout(() => void this.expire(session.id), Math.max(0, deadline - this.now()));
    timer.unref();
    this.timers.set(session.id, timer);
  }

  private clearTimer(sessionId: string): void {
    const timer = this.timers.get(sessionId);
    if (timer) clearTimeout(timer);
    this.timers.delete(sessionId);
  }

  private async expire(sessionId: string): Promise<void> {
    this.timers.delete(sessionId);
    const session = this.directory.get(sessionId);
    if (!session) return;
    try {
      const outcome = rules.expire(session, this.now(), this.rules);
      if (outcome.ok) await this.commit(outcome.session, outcome.effects);
    } catch (err) {
      this.deps.log.error({ err, sessionId }, 'session expiry failed');
    }
  }

  private issueResumeToken(participantId: string): string {
    const token = randomBytes(24).toString('base64url');
    this.directory.setResumeToken(participantId, token);
    return token;
  }

  private async record(sessionId: string, kind: string, participantId: string | null, detail?: Record<string, unknown>) {
    await this.deps.store.appendEvent({ sessionId, at: this.now(), kind, participantId, detail: detail ?? null });
  }
}
