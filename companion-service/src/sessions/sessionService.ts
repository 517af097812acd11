import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Bus } from '../bus/bus';
import type { Config } from '../config/schema';
import { ErrorCode } from '../protocol/codes';
import type { ServerMessage, SessionCreated, SessionJoined, VisitorDevice } from '../protocol/messages';
import type { SignalHeader } from '../protocol/canonicalSignal';
import type { Store } from '../store/store';
import { parseVisitorKey } from '../tenancy/visitorIdentity';
import { generateCode } from './codes';
import { GuestDesk } from './guestDesk';
import { SessionDirectory } from './directory';
import { EndedSessions, type EndedListener } from './endedSessions';
import * as rules from './model';
import type { Session, SessionRules } from './model';
import { ParticipantSockets } from './participantSockets';
import { relayRoutesFrom, routeTo } from './relayRoutes';
import { issueResumeToken, sessionIdInResumeToken } from './resumeTokens';
import { SessionTimers } from './sessionTimers';
import { SessionWriter } from './sessionWriter';
import { createdMessage, joinedMessage, sessionInfoMessage } from './welcome';
import { sha256Hex } from '../shared/sha256Hex';

export type { EndedListener, EndedSessionSummary } from './endedSessions';

export type Result<T> = ({ ok: true } & T) | { ok: false; code: ErrorCode; retryAfterSeconds?: number };

export interface Membership {
  session: Session;
  participantId: string;
  resumeToken: string;
}

export interface AgentIdentity {
  sub: string;
  name: string;
  privileges: string[];
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


/** Runs the session commands (model.ts) against live state and has their results written through (sessionWriter.ts):
 * the store, the bus, the timers. Sockets never touch sessions directly; they call this. */
export class SessionService {
  readonly directory = new SessionDirectory();
  readonly termsHash: string;
  private readonly rules: SessionRules;
  private readonly now: () => number;
  private readonly sockets = new ParticipantSockets();
  private readonly ended: EndedSessions;
  private readonly timers: SessionTimers;
  private readonly writer: SessionWriter;
  /** Guest links, codes, Admit, Eject, Pause. */
  readonly guests: GuestDesk;

  constructor(private readonly deps: SessionServiceDeps) {
    this.now = deps.now ?? Date.now;
    const { session, terms } = deps.config;
    this.rules = { maxParticipants: session.maxParticipants, resumeGraceMs: session.resumeGraceSeconds * 1000 };
    this.termsHash = sha256Hex(terms.text);
    this.ended = new EndedSessions(deps.store, deps.log, this.now);
    this.timers = new SessionTimers((sessionId) => void this.expire(sessionId), this.now);
    const { directory, sockets, ended, timers, now } = this;
    this.writer = new SessionWriter({ ...deps, directory, sockets, ended, timers, rules: this.rules, now });
    this.guests = new GuestDesk({ config: deps.config, directory, writer: this.writer, rules: this.rules, now });
  }

  /** Called after a session has ended and its records are stored. */
  onEnded(listener: EndedListener): void {
    this.ended.onEnded(listener);
  }

  // --- joining -----------------------------------------------------------------------------------------------

  /** An anonymous visitor starts a session and gets its code. */
  async startVisitor(participantId: string, siteId: string | null, device?: VisitorDevice): Promise<Membership> {
    const { codeTtlSeconds } = this.deps.config.session;
    const session = rules.createSession({ sessionId: newId(), participantId, code: this.newSessionCode(), now: this.now(), codeTtlMs: codeTtlSeconds * 1000, siteId });
    if (device) this.sockets.setDevice(participantId, device);
    await this.writer.commit(session, []);
    await this.writer.record(session.id, 'session.created', participantId);
    return { session, participantId, resumeToken: issueResumeToken(this.directory, participantId, session.id) };
  }

  /** 1-click connect: the agent invites a logged-in visitor; the visitor's answer to the terms decides. */
  async createInvitation(visitorId: string, agent: AgentIdentity): Promise<{ session: Session; invitationId: string }> {
    const invitationId = newId();
    const session = rules.createInvitation({
      sessionId: newId(),
      invitationId,
      code: this.newSessionCode(),
      visitorIdentity: visitorId,
      siteId: parseVisitorKey(visitorId)?.siteId ?? null,
      agentIdentity: agent.sub,
      agentName: agent.name,
      now: this.now(),
      promptTtlMs: this.deps.config.terms.promptSeconds * 1000,
    });
    await this.writer.commit(session, []);
    await this.writer.record(session.id, 'invitation.sent', null, { visitorId, agent: agent.sub });
    return { session, invitationId };
  }

  /** The visitor accepted. The acceptance is stored durably before the session goes on. */
  async acceptTerms(input: {
    invitationId: string;
    visitorId: string;
    termsHash: string;
    participantId: string;
    ip: string;
    userAgent: string;
    device?: VisitorDevice;
  }): Promise<Result<Membership>> {
    const session = this.directory.findByInvitation(input.invitationId);
    if (!session) return { ok: false, code: ErrorCode.InvalidInvitation };
    if (input.termsHash !== this.termsHash) return { ok: false, code: ErrorCode.TermsChanged };
    const now = this.now();
    const outcome = rules.acceptTerms(session, {
      invitationId: input.invitationId,
      visitorIdentity: input.visitorId,
      participantId: input.participantId,
      now,
      agentWaitMs: this.deps.config.terms.agentWaitSeconds * 1000,
    });
    if (!outcome.ok) return outcome;
    const { version, text } = this.deps.config.terms;
    const acceptance = { visitorId: input.visitorId, sessionId: session.id, termsVersion: version, textSha256: sha256Hex(text), acceptedAt: now };
    await this.deps.store.recordTermsAcceptance({ ...acceptance, ip: input.ip, userAgent: input.userAgent.slice(0, 512) });
    await this.writer.record(session.id, 'terms.accepted', input.participantId, { version });
    if (input.device) this.sockets.setDevice(input.participantId, input.device);
    const resumeToken = issueResumeToken(this.directory, input.participantId, session.id);
    await this.writer.commit(outcome.session, outcome.effects);
    await this.sendSessionInfoToAgents(outcome.session);
    return { ok: true, session: outcome.session, participantId: input.participantId, resumeToken };
  }

  async declineTerms(invitationId: string, visitorId: string): Promise<ErrorCode | undefined> {
    const session = this.directory.findByInvitation(invitationId);
    if (!session) return ErrorCode.InvalidInvitation;
    const outcome = rules.declineTerms(session, { invitationId, visitorIdentity: visitorId, now: this.now() });
    if (!outcome.ok) return outcome.code;
    await this.writer.record(session.id, 'terms.declined', null);
    await this.writer.commit(outcome.session, outcome.effects);
    return undefined;
  }

  /** A session that an agent could join with this code right now, if any. */
  findJoinable(code: string): Result<{ session: Session }> {
    const session = this.directory.findByCode(code);
    if (!session) return { ok: false, code: ErrorCode.InvalidCode };
    const refused = rules.codeJoinRefusal(session, this.now());
    return refused ? { ok: false, code: refused } : { ok: true, session };
  }

  async joinAgent(sessionId: string, agent: AgentIdentity, participantId: string = newParticipantId()): Promise<Result<Membership>> {
    const session = this.directory.get(sessionId);
    if (!session) return { ok: false, code: ErrorCode.SessionEnded };
    const outcome = rules.admitAgent(session, { participantId, identity: agent.sub, name: agent.name, privileges: agent.privileges, now: this.now() }, this.rules);
    if (!outcome.ok) return outcome;
    await this.writer.record(sessionId, 'agent.joined', participantId, { agent: agent.sub });
    const resumeToken = issueResumeToken(this.directory, participantId, sessionId);
    await this.writer.commit(outcome.session, outcome.effects);
    return { ok: true, session: outcome.session, participantId, resumeToken };
  }

  /** At start: ends the sessions the store holds open that no process holds (endedSessions.ts). */
  async recoverAbandoned(): Promise<number> {
    return this.ended.recoverAbandoned((sessionId) => this.directory.get(sessionId) !== undefined);
  }

  /** The service is going away and holds every live session in this process: each ends for everyone (they are told,
   * their records are written and sent to Salesforce), so none is left open with nobody holding it. */
  async endAll(): Promise<void> {
    for (const session of [...this.directory.all()]) {
      const outcome = rules.endForShutdown(session, this.now());
      if (outcome.ok) await this.writer.commit(outcome.session, outcome.effects);
    }
  }

  participantForResumeToken(resumeToken: string): string | undefined {
    return this.directory.participantForResumeToken(resumeToken);
  }

  /** A participant whose socket dropped comes back with their resume token within the grace period. The token is
   * used up: the answer carries a new one (a token copied from the page's storage works once at most, and not after
   * its owner's next resume). A token of a session that has ended (also one ended by a restart of the service) gets
   * that session's end reason. */
  async resume(resumeToken: string, device?: VisitorDevice): Promise<Result<Membership> | { ok: false; code: ErrorCode; endReason: string }> {
    const participantId = this.directory.participantForResumeToken(resumeToken);
    const session = participantId === undefined ? undefined : this.directory.sessionOf(participantId);
    if (!participantId || !session) {
      const ended = await this.endedSessionOf(resumeToken);
      return ended ? { ok: false, code: ErrorCode.SessionEnded, endReason: ended } : { ok: false, code: ErrorCode.ResumeFailed };
    }
    const outcome = rules.markBack(session, participantId, this.now(), this.rules);
    if (!outcome.ok) return outcome;
    if (outcome.effects.length) await this.writer.record(session.id, 'participant.back', participantId);
    await this.writer.commit(outcome.session, outcome.effects);
    if (device && rules.findParticipant(session, participantId)?.role === 'visitor') {
      this.sockets.setDevice(participantId, device);
      await this.sendSessionInfoToAgents(outcome.session);
    }
    return { ok: true, session: outcome.session, participantId, resumeToken: issueResumeToken(this.directory, participantId, session.id) };
  }

  /** The end reason of the stored session a resume token names, if that session has ended. */
  private async endedSessionOf(resumeToken: string): Promise<string | undefined> {
    const sessionId = sessionIdInResumeToken(resumeToken);
    const record = sessionId === undefined ? undefined : await this.deps.store.getSession(sessionId);
    return record?.status === 'ended' ? (record.endReason ?? 'ended') : undefined;
  }

  /** The `session.created` answer for a visitor who started a session. */
  createdMessage(m: Membership): SessionCreated | undefined {
    return createdMessage(m, this.deps.config, this.now());
  }

  /** The `session.joined` message for a member: who they are, everyone to connect to, ICE servers. */
  joinedMessage(m: Membership, resumed: boolean): SessionJoined | undefined {
    return joinedMessage(m, resumed, this.deps.config, this.now());
  }

  /** Customer Info for agents: the session code and the visitor's device. */
  sessionInfo(session: Session): ServerMessage {
    return sessionInfoMessage(session, (id) => this.sockets.deviceOf(id));
  }

  private async sendSessionInfoToAgents(session: Session): Promise<void> {
    for (const agent of rules.agentsOf(session)) await this.send(agent.id, this.sessionInfo(session));
  }

  // --- during the session ------------------------------------------------------------------------------------

  /** Hot path: forwards one simple-peer signal to its recipient if both are in the same session and the signal names
   * its real sender. The recipient gets the sender's validated frame byte for byte, as a bare relay would send it:
   * no copy, no re-encoding. Signals for an older generation of the pair are dropped: they belong to a peer
   * connection that is gone. */
  relaySignal(senderId: string, signal: SignalHeader, signalFrame: Buffer): ErrorCode | undefined {
    if (signal.from !== senderId) return ErrorCode.WrongSender;
    const seat = this.directory.seatOf(senderId);
    if (!seat) return ErrorCode.NotInSession;
    seat.relayRoutes ??= relayRoutesFrom(seat.session, senderId, (name) => this.deps.bus.channel(name));
    const route = routeTo(seat.relayRoutes, signal.to);
    if (!route) return ErrorCode.UnknownPeer;
    if (signal.gen !== route.gen) return undefined;
    void route.channel.publish(signalFrame);
    return undefined;
  }

  async restartPair(participantId: string, peerId: string): Promise<ErrorCode | undefined> {
    return this.writer.runFor(participantId, (s) => rules.restartPair(s, participantId, peerId), 'pair.restarted', { peerId });
  }

  async hangUp(participantId: string): Promise<ErrorCode | undefined> {
    const now = this.now();
    return this.writer.runFor(participantId, (s) => rules.leave(s, participantId, now), 'participant.hangup');
  }

  async end(participantId: string): Promise<ErrorCode | undefined> {
    const now = this.now();
    return this.writer.runFor(participantId, (s) => rules.endByAgent(s, participantId, now), 'session.end.requested');
  }

  async setVideo(participantId: string, video: boolean): Promise<ErrorCode | undefined> {
    return this.writer.runFor(participantId, (s) => rules.setVideo(s, participantId, video), video ? 'video.on' : 'video.off');
  }

  /** The agent pauses (or resumes) the customer's or a guest's video for everyone. */
  async pauseVideo(agentId: string, peerId: string, paused: boolean): Promise<ErrorCode | undefined> {
    return this.writer.runFor(agentId, (s) => rules.pauseVideo(s, agentId, peerId, paused), paused ? 'video.paused' : 'video.resumed', { peerId });
  }

  /** Stores an agent's problem report (the router lets only agents send one). */
  async reportProblem(participantId: string, description: string, diagnostics: Record<string, unknown>): Promise<Result<{ referenceId: string }>> {
    const session = this.directory.sessionOf(participantId);
    if (!session) return { ok: false, code: ErrorCode.NotInSession };
    // Short enough to read out over the phone to support.
    const referenceId = `TP-${randomBytes(5).toString('hex').toUpperCase()}`;
    await this.deps.store.saveProblemReport({ id: referenceId, sessionId: session.id, participantId, reportedAt: this.now(), description, diagnostics });
    await this.writer.record(session.id, 'problem.reported', participantId, { referenceId });
    return { ok: true, referenceId };
  }

  // --- remote control ----------------------------------------------------------------------------------------

  async requestControl(agentId: string): Promise<ErrorCode | undefined> {
    return this.writer.runFor(agentId, (s) => rules.requestControl(s, agentId), 'control.requested');
  }

  async answerControl(visitorId: string, granted: boolean): Promise<ErrorCode | undefined> {
    return this.writer.runFor(visitorId, (s) => rules.answerControl(s, visitorId, granted), granted ? 'control.granted' : 'control.declined');
  }

  async releaseControl(participantId: string): Promise<ErrorCode | undefined> {
    return this.writer.runFor(participantId, (s) => rules.releaseControl(s, participantId), 'control.released');
  }

  // --- sockets -----------------------------------------------------------------------------------------------

  /** Marks which connection speaks for the participant. Returns the connection it replaced, if any. */
  bind(participantId: string, connectionId: string): string | undefined {
    return this.sockets.bind(participantId, connectionId);
  }

  unbind(participantId: string, connectionId: string): void {
    this.sockets.unbind(participantId, connectionId);
  }

  /** A socket closed. Only the participant's current connection counts: a member's grace period starts; a guest
   * still waiting for admission is withdrawn. */
  async connectionLost(participantId: string, connectionId: string): Promise<void> {
    if (!this.sockets.release(participantId, connectionId)) return;
    if (this.guests.isWaiting(participantId)) return this.guests.withdraw(participantId);
    const now = this.now();
    await this.writer.runFor(participantId, (s) => rules.markAway(s, participantId, now), 'participant.away');
  }

  /** How many live sessions this process holds in each state (for the metrics). */
  countByStatus(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const session of this.directory.all()) counts[session.status] = (counts[session.status] ?? 0) + 1;
    return counts;
  }

  sessionOf(participantId: string): Session | undefined {
    return this.directory.sessionOf(participantId);
  }

  /** The participant's role in their session; undefined for a socket in none (or a guest still waiting). */
  roleOf(participantId: string): Session['participants'][number]['role'] | undefined {
    const session = this.directory.sessionOf(participantId);
    return session && rules.findParticipant(session, participantId)?.role;
  }

  /** Sends one message to one participant's socket, wherever it is connected. */
  async send(participantId: string, message: ServerMessage): Promise<void> {
    await this.writer.send(participantId, message);
  }

  /** Stops timers; live sessions are left as they are in the store (their sockets are being closed). */
  shutdown(): void {
    this.timers.clearAll();
  }

  // --- internals ---------------------------------------------------------------------------------------------

  private newSessionCode(): string {
    return generateCode(this.deps.config.session.codeLength, (c) => this.directory.isCodeTaken(c), () => randomInt(10));
  }

  private async expire(sessionId: string): Promise<void> {
    const session = this.directory.get(sessionId);
    if (!session) return;
    try {
      const outcome = rules.expire(session, this.now(), this.rules);
      // Committed even when nothing was due, which re-arms the timer.
      if (outcome.ok) await this.writer.commit(outcome.session, outcome.effects);
    } catch (err) {
      this.deps.log.error({ err, sessionId }, 'session expiry failed');
    }
  }
}
