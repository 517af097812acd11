import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { AttemptLimiter } from '../auth/attemptLimiter';
import type { Bus, ControlMessage } from '../bus/bus';
import { Channels } from '../bus/bus';
import type { Config } from '../config/schema';
import { iceServersFor } from '../ice/iceServers';
import { CloseCode, EndReason, ErrorCode, LeaveReason } from '../protocol/codes';
import type { ServerMessage, SessionJoined, VisitorDevice } from '../protocol/messages';
import type { SignalHeader } from '../protocol/canonicalSignal';
import type { Store } from '../store/store';
import { generateCode } from './codes';
import { SessionDirectory } from './directory';
import * as rules from './model';
import { relayRoutesFrom, routeTo } from './relayRoutes';
import type { Effect, GuestRules, Session, SessionRules } from './model';
import { effectToMessage } from './wireEffects';
import { parseVisitorKey } from '../tenancy/visitorIdentity';

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

/** What other features (the Salesforce outbox) learn when a session is over. Plain data. */
export interface EndedSessionSummary {
  sessionId: string;
  code: string;
  startedAt: number;
  endedAt: number;
  outcome: string;
  /** The logged-in visitor's id (e.g. the Salesforce Contact id); undefined for an anonymous code visitor. */
  visitorId: string | undefined;
  /** The agent's user id, if an agent joined. */
  agentId: string | undefined;
  guestNames: string[];
}

export type EndedListener = (summary: EndedSessionSummary) => Promise<void> | void;

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

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Runs the session rules against live state and performs their I/O: records in the store, messages on the bus,
 * timers for expiry. Sockets never touch sessions directly; they call this. */
export class SessionService {
  readonly directory = new SessionDirectory();
  private readonly rules: SessionRules;
  private readonly guestRules: GuestRules;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Which connection currently speaks for a participant; a stale socket's close must not mark them away. */
  private readonly bindings = new Map<string, string>();
  /** The visitor's device as seen by the server (from the socket's User-Agent), for Customer Info. */
  private readonly devices = new Map<string, VisitorDevice>();
  private readonly wrongGuestCodes: AttemptLimiter;
  readonly termsHash: string;
  private readonly now: () => number;
  private readonly endedListeners: EndedListener[] = [];
  /** Everyone who was ever a member, kept until the session ends, for the ended summary. */
  private readonly history = new Map<string, { visitorId?: string; agentId?: string; guestNames: string[] }>();

  constructor(private readonly deps: SessionServiceDeps) {
    this.now = deps.now ?? Date.now;
    const { session, guests, terms } = deps.config;
    this.rules = { maxParticipants: session.maxParticipants, resumeGraceMs: session.resumeGraceSeconds * 1000 };
    this.guestRules = { codeTtlMs: guests.codeTtlSeconds * 1000, maxExtensions: guests.maxExtensions, maxPending: deps.config.limits.pendingGuestsPerSession };
    this.wrongGuestCodes = new AttemptLimiter(guests.wrongCodesPerSession, 60_000);
    this.termsHash = sha256Hex(terms.text);
  }

  /** Called after a session has ended and its records are stored. */
  onEnded(listener: EndedListener): void {
    this.endedListeners.push(listener);
  }

  // --- joining -----------------------------------------------------------------------------------------------

  /** An anonymous visitor starts a session and gets its code. */
  async startVisitor(participantId: string, siteId: string | null, device?: VisitorDevice): Promise<Membership> {
    const now = this.now();
    const { codeTtlSeconds } = this.deps.config.session;
    const session = rules.createSession({ sessionId: newId(), participantId, code: this.newSessionCode(), now, codeTtlMs: codeTtlSeconds * 1000, siteId });
    await this.deps.store.createSession({ id: session.id, code: session.code, status: session.status, createdAt: now, siteId });
    await this.deps.store.addParticipant({ id: participantId, sessionId: session.id, role: 'visitor', identity: 'anonymous', name: null, joinedAt: now });
    await this.record(session.id, 'session.created', participantId);
    if (device) this.devices.set(participantId, device);
    this.directory.put(session);
    this.schedule(session);
    return { session, participantId, resumeToken: this.issueResumeToken(participantId, session.id) };
  }

  /** 1-click connect: the agent invites a logged-in visitor; the visitor's answer to the terms decides. */
  async createInvitation(visitorId: string, agent: AgentIdentity): Promise<{ session: Session; invitationId: string }> {
    const now = this.now();
    const invitationId = newId();
    const session = rules.createInvitation({
      sessionId: newId(),
      invitationId,
      code: this.newSessionCode(),
      visitorIdentity: visitorId,
      siteId: parseVisitorKey(visitorId)?.siteId ?? null,
      agentIdentity: agent.sub,
      agentName: agent.name,
      now,
      promptTtlMs: this.deps.config.terms.promptSeconds * 1000,
    });
    await this.deps.store.createSession({ id: session.id, code: session.code, status: session.status, createdAt: now, siteId: session.siteId });
    await this.record(session.id, 'invitation.sent', null, { visitorId, agent: agent.sub });
    this.directory.put(session);
    this.schedule(session);
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
    await this.deps.store.recordTermsAcceptance({
      visitorId: input.visitorId,
      sessionId: session.id,
      termsVersion: this.deps.config.terms.version,
      textSha256: this.termsHash,
      acceptedAt: now,
      ip: input.ip,
      userAgent: input.userAgent.slice(0, 512),
    });
    await this.deps.store.addParticipant({ id: input.participantId, sessionId: session.id, role: 'visitor', identity: input.visitorId, name: null, joinedAt: now });
    await this.deps.store.updateSessionStatus(session.id, outcome.session.status);
    await this.record(session.id, 'terms.accepted', input.participantId, { version: this.deps.config.terms.version });
    if (input.device) this.devices.set(input.participantId, input.device);
    const resumeToken = this.issueResumeToken(input.participantId, session.id);
    await this.commit(outcome.session, outcome.effects);
    await this.sendSessionInfoToAgents(outcome.session);
    return { ok: true, session: outcome.session, participantId: input.participantId, resumeToken };
  }

  async declineTerms(invitationId: string, visitorId: string): Promise<ErrorCode | undefined> {
    const session = this.directory.findByInvitation(invitationId);
    if (!session) return ErrorCode.InvalidInvitation;
    const outcome = rules.declineTerms(session, { invitationId, visitorIdentity: visitorId, now: this.now() });
    if (!outcome.ok) return outcome.code;
    await this.record(session.id, 'terms.declined', null);
    await this.commit(outcome.session, outcome.effects);
    return undefined;
  }

  /** A session that an agent could join with this code right now, if any. */
  findJoinable(code: string): Result<{ session: Session }> {
    const session = this.directory.findByCode(code);
    // 1-click sessions are joined by their own agent through a ticket, never by code.
    if (!session || session.invitation) return { ok: false, code: ErrorCode.InvalidCode };
    if (session.status === 'waiting' && this.now() >= session.codeExpiresAt) return { ok: false, code: ErrorCode.CodeExpired };
    return { ok: true, session };
  }

  async joinAgent(sessionId: string, agent: AgentIdentity, participantId: string = newParticipantId()): Promise<Result<Membership>> {
    const session = this.directory.get(sessionId);
    if (!session) return { ok: false, code: ErrorCode.SessionEnded };
    const now = this.now();
    const outcome = rules.admitAgent(session, { participantId, identity: agent.sub, name: agent.name, privileges: agent.privileges, now }, this.rules);
    if (!outcome.ok) return outcome;
    await this.deps.store.addParticipant({ id: participantId, sessionId, role: 'agent', identity: agent.sub, name: agent.name, joinedAt: now });
    if (session.status !== outcome.session.status) await this.deps.store.updateSessionStatus(sessionId, outcome.session.status);
    await this.record(sessionId, 'agent.joined', participantId, { agent: agent.sub });
    const resumeToken = this.issueResumeToken(participantId, sessionId);
    await this.commit(outcome.session, outcome.effects);
    return { ok: true, session: outcome.session, participantId, resumeToken };
  }

  /** The end reason of the stored session a resume token names, if that session has ended. */
  private async endedSessionOf(resumeToken: string): Promise<string | undefined> {
    const sessionId = resumeToken.slice(32);
    if (!/^[0-9a-f]{32}$/.test(sessionId)) return undefined;
    const record = await this.deps.store.getSession(sessionId);
    return record?.status === 'ended' ? (record.endReason ?? 'ended') : undefined;
  }

  /** At start: a session the store holds open was held by a process that is gone (killed, crashed, cut off), and
   * nothing can resume it. Each ends with reason service_restart, its participants are marked left, and it goes to
   * the ended listeners (the Salesforce outbox) like any session that ends. Its end time is the restart's: when the
   * process died is not known. Returns how many were ended. */
  async recoverAbandoned(): Promise<number> {
    let ended = 0;
    for (const record of await this.deps.store.listOpenSessions()) {
      if (this.directory.get(record.id)) continue;
      const now = this.now();
      const participants = await this.deps.store.listParticipants(record.id);
      for (const p of participants) if (p.leftAt === null) await this.deps.store.participantLeft(p.id, now, EndReason.ServiceRestart);
      await this.deps.store.updateSessionStatus(record.id, 'ended', now, EndReason.ServiceRestart);
      await this.record(record.id, 'session.ended', null, { reason: EndReason.ServiceRestart, abandoned: true });
      const visitor = participants.find((p) => p.role === 'visitor' && p.identity !== 'anonymous');
      await this.notifyEnded({
        sessionId: record.id,
        code: record.code,
        startedAt: record.createdAt,
        endedAt: now,
        outcome: EndReason.ServiceRestart,
        visitorId: visitor?.identity,
        agentId: participants.find((p) => p.role === 'agent')?.identity,
        guestNames: participants.filter((p) => p.role === 'guest' && p.name !== null).map((p) => p.name as string),
      });
      ended++;
    }
    return ended;
  }

  /** The service is going away and holds every live session in this process: each ends for everyone (they are told,
   * their records are written and sent to Salesforce), so none is left open with nobody holding it. */
  async endAll(): Promise<void> {
    for (const session of [...this.directory.all()]) {
      const outcome = rules.endForShutdown(session, this.now());
      if (outcome.ok) await this.commit(outcome.session, outcome.effects);
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
    if (outcome.effects.length) await this.record(session.id, 'participant.back', participantId);
    await this.commit(outcome.session, outcome.effects);
    if (device && rules.findParticipant(session, participantId)?.role === 'visitor') {
      this.devices.set(participantId, device);
      await this.sendSessionInfoToAgents(outcome.session);
    }
    return { ok: true, session: outcome.session, participantId, resumeToken: this.issueResumeToken(participantId, session.id) };
  }

  /** The `session.joined` message for a member: who they are, everyone to connect to, ICE servers. */
  joinedMessage(m: Membership, resumed: boolean): SessionJoined | undefined {
    const self = rules.findParticipant(m.session, m.participantId);
    if (!self) return undefined;
    return {
      type: 'session.joined',
      sessionId: m.session.id,
      code: m.session.code,
      self: { id: self.id, role: self.role, media: self.media, privileges: self.privileges },
      resumeToken: m.resumeToken,
      iceServers: iceServersFor(self.id, this.deps.config.ice, this.now()),
      peers: rules.linksFor(m.session, self.id),
      resumed,
      maskSelectors: this.deps.config.cobrowse.maskSelectors,
      control: m.session.control.state,
    };
  }

  /** Customer Info for agents: the session code and the visitor's device. */
  sessionInfo(session: Session): ServerMessage {
    const visitor = session.participants.find((p) => p.role === 'visitor');
    return { type: 'session.info', code: session.code, visitor: (visitor && this.devices.get(visitor.id)) ?? null };
  }

  private async sendSessionInfoToAgents(session: Session): Promise<void> {
    for (const agent of session.participants.filter((p) => p.role === 'agent')) await this.send(agent.id, this.sessionInfo(session));
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

  async setVideo(participantId: string, video: boolean): Promise<ErrorCode | undefined> {
    return this.run(participantId, (s) => rules.setVideo(s, participantId, video), video ? 'video.on' : 'video.off');
  }

  async reportProblem(participantId: string, description: string, diagnostics: Record<string, unknown>): Promise<Result<{ referenceId: string }>> {
    const session = this.directory.sessionOf(participantId);
    if (!session) return { ok: false, code: ErrorCode.NotInSession };
    if (rules.findParticipant(session, participantId)?.role !== 'agent') return { ok: false, code: ErrorCode.Forbidden };
    // Short enough to read out over the phone to support.
    const referenceId = `TP-${randomBytes(5).toString('hex').toUpperCase()}`;
    await this.deps.store.saveProblemReport({ id: referenceId, sessionId: session.id, participantId, reportedAt: this.now(), description, diagnostics });
    await this.record(session.id, 'problem.reported', participantId, { referenceId });
    return { ok: true, referenceId };
  }

  // --- remote control ----------------------------------------------------------------------------------------

  async requestControl(agentId: string): Promise<ErrorCode | undefined> {
    return this.run(agentId, (s) => rules.requestControl(s, agentId), 'control.requested');
  }

  async answerControl(visitorId: string, granted: boolean): Promise<ErrorCode | undefined> {
    return this.run(visitorId, (s) => rules.answerControl(s, visitorId, granted), granted ? 'control.granted' : 'control.declined');
  }

  async releaseControl(participantId: string): Promise<ErrorCode | undefined> {
    return this.run(participantId, (s) => rules.releaseControl(s, participantId), 'control.released');
  }

  // --- guests ------------------------------------------------------------------------------------------------

  async createGuestInvite(agentId: string): Promise<Result<{ url: string; expiresAt: number }>> {
    const token = randomBytes(24).toString('base64url');
    const now = this.now();
    const ttlMs = this.deps.config.guests.inviteTtlSeconds * 1000;
    const refused = await this.run(agentId, (s) => rules.createGuestInvite(s, agentId, { token, now, ttlMs }), 'guest.invite.created');
    if (refused) return { ok: false, code: refused };
    return { ok: true, url: new URL(`/guest#invite=${token}`, this.deps.config.publicUrl).toString(), expiresAt: now + ttlMs };
  }

  /** A guest with an invite asks to join: they get a code to read to the agent. */
  async requestGuest(invite: string, name: string, guestId: string): Promise<Result<{ code: string; expiresAt: number; extensionsLeft: number }>> {
    const session = this.directory.findByInvite(invite);
    if (!session) return { ok: false, code: ErrorCode.InvalidInvite };
    const taken = new Set(session.pendingGuests.map((g) => g.code));
    const code = generateCode(this.deps.config.guests.codeLength, (c) => taken.has(c), () => randomInt(10));
    const outcome = rules.requestGuest(session, { invite, participantId: guestId, name, code, now: this.now() }, { ...this.rules, ...this.guestRules });
    if (!outcome.ok) return outcome;
    await this.record(session.id, 'guest.requested', guestId, { name });
    await this.commit(outcome.session, outcome.effects);
    const pending = rules.pendingGuest(outcome.session, guestId)!;
    return { ok: true, code: pending.code, expiresAt: pending.expiresAt, extensionsLeft: pending.extensionsLeft };
  }

  async extendGuestCode(guestId: string): Promise<Result<{ code: string; expiresAt: number; extensionsLeft: number }>> {
    const session = this.directory.sessionOfPendingGuest(guestId);
    if (!session) return { ok: false, code: ErrorCode.NotInSession };
    const outcome = rules.extendGuestCode(session, guestId, this.now(), this.guestRules);
    if (!outcome.ok) return outcome;
    await this.commit(outcome.session, outcome.effects);
    const pending = rules.pendingGuest(outcome.session, guestId)!;
    return { ok: true, code: pending.code, expiresAt: pending.expiresAt, extensionsLeft: pending.extensionsLeft };
  }

  /** Admit: the agent types the guest's code. Wrong codes are limited per session. */
  async admitGuest(agentId: string, code: string): Promise<Result<Record<never, never>>> {
    const session = this.directory.sessionOf(agentId);
    if (!session) return { ok: false, code: ErrorCode.NotInSession };
    const now = this.now();
    const wait = this.wrongGuestCodes.retryAfterSeconds(session.id, now);
    if (wait > 0) return { ok: false, code: ErrorCode.RateLimited, retryAfterSeconds: wait };
    const outcome = rules.admitGuest(session, agentId, code, now, this.rules);
    if (!outcome.ok) {
      if (outcome.code === ErrorCode.InvalidCode || outcome.code === ErrorCode.GuestCodeExpired) this.wrongGuestCodes.recordFailure(session.id, now);
      return outcome;
    }
    const guest = outcome.session.participants[outcome.session.participants.length - 1]!;
    await this.deps.store.addParticipant({ id: guest.id, sessionId: session.id, role: 'guest', identity: guest.identity, name: guest.name ?? null, joinedAt: now });
    await this.record(session.id, 'guest.admitted', guest.id, { by: agentId });
    this.issueResumeToken(guest.id, session.id);
    await this.commit(outcome.session, outcome.effects);
    return { ok: true };
  }

  async ejectGuest(agentId: string, guestId: string): Promise<ErrorCode | undefined> {
    return this.run(agentId, (s) => rules.ejectGuest(s, agentId, guestId), 'guest.ejected', { guestId });
  }

  async pauseGuest(agentId: string, guestId: string, paused: boolean): Promise<ErrorCode | undefined> {
    return this.run(agentId, (s) => rules.pauseGuest(s, agentId, guestId, paused), paused ? 'guest.paused' : 'guest.resumed', { guestId });
  }

  // --- sockets -----------------------------------------------------------------------------------------------

  /** Marks which connection speaks for the participant. Returns the connection it replaced, if any. */
  bind(participantId: string, connectionId: string): string | undefined {
    const previous = this.bindings.get(participantId);
    this.bindings.set(participantId, connectionId);
    return previous !== connectionId ? previous : undefined;
  }

  unbind(participantId: string, connectionId: string): void {
    if (this.bindings.get(participantId) === connectionId) this.bindings.delete(participantId);
  }

  /** A socket closed. Only the participant's current connection counts: a member's grace period starts; a guest
   * still waiting for admission is withdrawn. */
  async connectionLost(participantId: string, connectionId: string): Promise<void> {
    if (this.bindings.get(participantId) !== connectionId) return;
    this.bindings.delete(participantId);
    const pendingIn = this.directory.sessionOfPendingGuest(participantId);
    if (pendingIn) {
      const outcome = rules.withdrawGuest(pendingIn, participantId);
      if (outcome.ok) await this.commit(outcome.session, outcome.effects);
      return;
    }
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

  // --- internals ---------------------------------------------------------------------------------------------

  private newSessionCode(): string {
    return generateCode(this.deps.config.session.codeLength, (c) => this.directory.isCodeTaken(c), () => randomInt(10));
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
      const left = effects.find((e) => (e.kind === 'peer-left' || e.kind === 'removed') && (e.kind === 'removed' ? e.to : e.peerId) === p.id);
      const reason = left && 'reason' in left ? left.reason : 'left';
      await this.deps.store.participantLeft(p.id, now, reason);
    }
    this.remember(session);
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
    for (const effect of effects) await this.deliver(session, effect);
    if (session.status === 'ended') {
      const stillWaiting = previous?.pendingGuests.map((g) => g.id) ?? [];
      for (const id of [...session.participants.map((p) => p.id), ...stillWaiting]) {
        this.bindings.delete(id);
        this.devices.delete(id);
        await this.close(id, CloseCode.SessionEnded, 'session ended');
      }
    }
    for (const p of departed) {
      this.bindings.delete(p.id);
      this.devices.delete(p.id);
    }
    if (session.status === 'ended') await this.announceEnded(session);
  }

  private remember(session: Session): void {
    let seen = this.history.get(session.id);
    if (!seen) this.history.set(session.id, (seen = { guestNames: [] }));
    for (const p of session.participants) {
      if (p.role === 'visitor' && p.identity !== 'anonymous') seen.visitorId = p.identity;
      if (p.role === 'agent') seen.agentId = p.identity;
      if (p.role === 'guest' && p.name !== undefined && !seen.guestNames.includes(p.name)) seen.guestNames.push(p.name);
    }
    if (session.invitation && !seen.visitorId) seen.visitorId = session.invitation.visitorIdentity;
  }

  private async announceEnded(session: Session): Promise<void> {
    const seen = this.history.get(session.id) ?? { guestNames: [] };
    this.history.delete(session.id);
    await this.notifyEnded({
      sessionId: session.id,
      code: session.code,
      startedAt: session.createdAt,
      endedAt: session.endedAt ?? this.now(),
      outcome: session.endReason ?? 'ended',
      visitorId: seen.visitorId,
      agentId: seen.agentId,
      guestNames: seen.guestNames,
    });
  }

  private async notifyEnded(summary: EndedSessionSummary): Promise<void> {
    for (const listener of this.endedListeners) {
      try {
        await listener(summary);
      } catch (err) {
        this.deps.log.error({ err, sessionId: summary.sessionId }, 'ended-session listener failed');
      }
    }
  }

  private async deliver(session: Session, effect: Effect): Promise<void> {
    switch (effect.kind) {
      case 'admitted': {
        const resumeToken = this.directory.resumeTokenOf(effect.to);
        const joined = resumeToken && this.joinedMessage({ session, participantId: effect.to, resumeToken }, false);
        if (joined) await this.send(effect.to, joined);
        return;
      }
      case 'removed':
        await this.send(effect.to, { type: 'guest.removed', reason: effect.reason });
        await this.close(effect.to, CloseCode.Removed, 'removed by the agent');
        return;
      default:
        await this.send(effect.to, effectToMessage(effect));
    }
  }

  private async close(participantId: string, code: number, reason: string): Promise<void> {
    const close: ControlMessage = { action: 'close', code, reason };
    await this.deps.bus.publish(Channels.control(participantId), JSON.stringify(close));
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

  /** 32 random characters, then the session's id (32 hex digits): a token this process does not hold (one issued
   * before a restart) still says which session it was for, so its owner can be told that session ended, and why. */
  private issueResumeToken(participantId: string, sessionId: string): string {
    const token = randomBytes(24).toString('base64url') + sessionId;
    this.directory.setResumeToken(participantId, token);
    return token;
  }

  private async record(sessionId: string, kind: string, participantId: string | null, detail?: Record<string, unknown>) {
    await this.deps.store.appendEvent({ sessionId, at: this.now(), kind, participantId, detail: detail ?? null });
  }
}
