import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Bus } from '../bus/bus';
import type { Config } from '../config/schema';
import { ErrorCode } from '../protocol/codes';
import type { ServerMessage, SessionCreated, SessionJoined, VisitorDevice } from '../protocol/messages';
import type { SignalHeader } from '../protocol/canonicalSignal';
import type { SharedRedis } from '../redis/shared';
import { RedisUnavailableError } from '../redis/unavailable';
import type { Store } from '../store/store';
import { sha256Hex } from '../shared/sha256Hex';
import { parseVisitorKey } from '../tenancy/visitorIdentity';
import { generateCode } from './codes';
import { SessionDirectory } from './directory';
import { EndedSessions, type EndedListener } from './endedSessions';
import { GuestDesk } from './guestDesk';
import { createLiveState, type LiveState } from './liveState';
import * as rules from './model';
import type { Session, SessionRules } from './model';
import { ParticipantSockets } from './participantSockets';
import type { PendingInvitations } from './pendingInvitations';
import { relayRoutesFrom, routeTo } from './relayRoutes';
import { newResumeToken, sessionIdInResumeToken } from './resumeTokens';
import { SessionCommands, type Won } from './sessionCommands';
import type { TokenGrant } from './liveSessions';
import { SessionWriter } from './sessionWriter';
import { createdMessage, joinedMessage, sessionInfoMessage } from './welcome';

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
  /** Shares the live sessions with every instance when set. */
  redis?: SharedRedis | undefined;
  now?: () => number;
}

const newId = () => randomUUID().replace(/-/g, '');
/** Participant ids are made by the caller when it must subscribe to the participant's channel before joining,
 * so no message addressed to the newcomer can be missed. */
export const newParticipantId = newId;

/** Runs the session commands (model.ts) against the live sessions (sessionCommands.ts: in this process, or shared
 * through Redis) and has their results written through (sessionWriter.ts). Sockets never touch sessions directly;
 * they call this. The relay and the socket guards read `local`: every session here, or with Redis the sessions that
 * have a socket on this instance, kept fresh by followedSessions.ts. */
export class SessionService {
  readonly termsHash: string;
  private readonly rules: SessionRules;
  private readonly now: () => number;
  private readonly local = new SessionDirectory();
  private readonly sockets = new ParticipantSockets();
  private readonly state: LiveState;
  private readonly ended: EndedSessions;
  private readonly writer: SessionWriter;
  private readonly commands: SessionCommands;
  /** Guest links, codes, Admit, Eject, Pause. */
  readonly guests: GuestDesk;
  /** One open 1-click invitation per visitor. */
  readonly invitations: PendingInvitations;

  constructor(private readonly deps: SessionServiceDeps) {
    this.now = deps.now ?? Date.now;
    const { session, terms } = deps.config;
    this.rules = { maxParticipants: session.maxParticipants, resumeGraceMs: session.resumeGraceSeconds * 1000 };
    this.termsHash = sha256Hex(terms.text);
    this.ended = new EndedSessions(deps.store, deps.log, this.now);
    this.state = createLiveState({
      config: deps.config,
      now: this.now,
      rules: this.rules,
      redis: deps.redis,
      local: this.local,
      sockets: this.sockets,
      bus: deps.bus,
      log: deps.log,
      onDue: (sessionId) => this.expire(sessionId),
      onGone: (participantId, instance) => this.participantGone(participantId, instance),
      onHere: (participantId) => this.participantHere(participantId),
    });
    const { live, devices, holds } = this.state;
    this.invitations = this.state.invitations;
    this.ended.fromStore = live.shared;
    const forget = (participantId: string) => {
      this.sockets.forget(participantId);
      devices.forget(participantId);
      void holds.letGo(participantId);
    };
    this.writer = new SessionWriter({ ...deps, live, ended: this.ended, forget, now: this.now });
    const followers = {
      committed: (s: Session, changed: boolean, tokens: readonly TokenGrant[]) =>
        this.state.followed?.committed(s, changed, tokens),
      persist: (won: Won) => this.writer.persist(won),
    };
    this.commands = new SessionCommands(live, followers, this.rules);
    this.guests = new GuestDesk({
      config: deps.config,
      live,
      commands: this.commands,
      holds,
      wrongCodes: this.state.wrongGuestCodes,
      rules: this.rules,
      now: this.now,
    });
  }

  /** Called after a session has ended and its records are stored. */
  onEnded(listener: EndedListener): void {
    this.ended.onEnded(listener);
  }

  /** Called when this instance stops holding a session: it ended, or (with Redis) no socket here is in it any more. */
  onGoneHere(listener: (sessionId: string) => void): void {
    this.local.onRemove(listener);
  }

  /** Starts what runs by itself (with Redis: the shared clock, the follower caches' refresh). */
  start(): void {
    this.state.start();
  }

  // --- joining -----------------------------------------------------------------------------------------------

  /** An anonymous visitor starts a session and gets its code. */
  async startVisitor(participantId: string, siteId: string | null, device?: VisitorDevice): Promise<Membership> {
    const codeTtlMs = this.deps.config.session.codeTtlSeconds * 1000;
    const won = await this.commands.create(
      () =>
        rules.createSession({
          sessionId: newId(),
          participantId,
          code: this.newSessionCode(),
          now: this.now(),
          codeTtlMs,
          siteId,
        }),
      (s) => [{ participantId, token: newResumeToken(s.id) }],
      [{ kind: 'session.created', participantId }],
    );
    if (device) await this.state.devices.set(won.session.id, participantId, device);
    await this.state.holds.hold(participantId);
    return { session: won.session, participantId, resumeToken: won.tokens[0]!.token };
  }

  /** 1-click connect: the agent invites a logged-in visitor; the visitor's answer to the terms decides. */
  async createInvitation(visitorId: string, agent: AgentIdentity): Promise<{ session: Session; invitationId: string }> {
    const invitationId = newId();
    const promptTtlMs = this.deps.config.terms.promptSeconds * 1000;
    const siteId = parseVisitorKey(visitorId)?.siteId ?? null;
    const won = await this.commands.create(
      () =>
        rules.createInvitation({
          sessionId: newId(),
          invitationId,
          code: this.newSessionCode(),
          visitorIdentity: visitorId,
          siteId,
          agentIdentity: agent.sub,
          agentName: agent.name,
          now: this.now(),
          promptTtlMs,
        }),
      () => [],
      [{ kind: 'invitation.sent', participantId: null, detail: { visitorId, agent: agent.sub } }],
    );
    return { session: won.session, invitationId };
  }

  /** The visitor accepted. The acceptance is stored durably before the session goes on (the store takes one per
   * session: a second tab's acceptance fails there). */
  async acceptTerms(input: {
    invitationId: string;
    visitorId: string;
    termsHash: string;
    participantId: string;
    ip: string;
    userAgent: string;
    device?: VisitorDevice;
  }): Promise<Result<Membership>> {
    const key = { by: 'invitation', invitationId: input.invitationId } as const;
    const session = await this.state.live.find(key);
    if (!session) return { ok: false, code: ErrorCode.InvalidInvitation };
    if (input.termsHash !== this.termsHash) return { ok: false, code: ErrorCode.TermsChanged };
    const now = this.now();
    const answer = {
      invitationId: input.invitationId,
      visitorIdentity: input.visitorId,
      participantId: input.participantId,
      now,
    };
    const accept = (s: Session) =>
      rules.acceptTerms(s, { ...answer, agentWaitMs: this.deps.config.terms.agentWaitSeconds * 1000 });
    const checked = accept(session);
    if (!checked.ok) return checked;
    const { version, text } = this.deps.config.terms;
    const acceptance = {
      visitorId: input.visitorId,
      sessionId: session.id,
      termsVersion: version,
      textSha256: sha256Hex(text),
      acceptedAt: now,
    };
    await this.deps.store.recordTermsAcceptance({
      ...acceptance,
      ip: input.ip,
      userAgent: input.userAgent.slice(0, 512),
    });
    const resumeToken = newResumeToken(session.id);
    const applied = await this.commands.run({
      key,
      missing: ErrorCode.InvalidInvitation,
      decide: accept,
      tokens: () => [{ participantId: input.participantId, token: resumeToken }],
      event: { kind: 'terms.accepted', participantId: input.participantId, detail: { version } },
    });
    if (!applied.ok) return applied;
    if (input.device) await this.state.devices.set(session.id, input.participantId, input.device);
    await this.state.holds.hold(input.participantId);
    await this.sendSessionInfoToAgents(applied.session);
    return { ok: true, session: applied.session, participantId: input.participantId, resumeToken };
  }

  async declineTerms(invitationId: string, visitorId: string): Promise<ErrorCode | undefined> {
    const now = this.now();
    const applied = await this.commands.run({
      key: { by: 'invitation', invitationId },
      missing: ErrorCode.InvalidInvitation,
      decide: (s) => rules.declineTerms(s, { invitationId, visitorIdentity: visitorId, now }),
      event: { kind: 'terms.declined', participantId: null },
    });
    return applied.ok ? undefined : applied.code;
  }

  /** A session that an agent could join with this code right now, if any. */
  async findJoinable(code: string): Promise<Result<{ session: Session }>> {
    const session = await this.state.live.find({ by: 'code', code });
    if (!session) return { ok: false, code: ErrorCode.InvalidCode };
    const refused = rules.codeJoinRefusal(session, this.now());
    return refused ? { ok: false, code: refused } : { ok: true, session };
  }

  async joinAgent(
    sessionId: string,
    agent: AgentIdentity,
    participantId: string = newParticipantId(),
    /** The agent's own choices for the start: `video` starts their camera's video at once (with the privilege). */
    choices: { video?: boolean } = {},
  ): Promise<Result<Membership>> {
    const now = this.now();
    const resumeToken = newResumeToken(sessionId);
    const applied = await this.commands.run({
      key: { by: 'id', id: sessionId },
      missing: ErrorCode.SessionEnded,
      decide: (s) =>
        rules.admitAgent(
          s,
          {
            participantId,
            identity: agent.sub,
            name: agent.name,
            privileges: agent.privileges,
            video: choices.video,
            now,
          },
          this.rules,
        ),
      tokens: () => [{ participantId, token: resumeToken }],
      event: { kind: 'agent.joined', participantId, detail: { agent: agent.sub } },
    });
    if (!applied.ok) return applied;
    await this.state.holds.hold(participantId);
    return { ok: true, session: applied.session, participantId, resumeToken };
  }

  /** At start: ends the sessions the store holds open that no instance holds (endedSessions.ts). With Redis, those
   * without a live state there: never another instance's. Not at all while Redis can't say which those are. */
  async recoverAbandoned(): Promise<number> {
    try {
      return await this.ended.recoverAbandoned((ids) => this.state.live.held(ids));
    } catch (err) {
      if (!(err instanceof RedisUnavailableError)) throw err;
      this.deps.log.warn('Redis is unreachable: sessions left open by stopped instances are not ended by this start');
      return 0;
    }
  }

  /** The only instance is going away and holds every live session: each ends for everyone (they are told, their
   * records are written and sent to Salesforce), so none is left open with nobody holding it. Not with Redis: there
   * the sessions go on, on the other instances. */
  async endAll(): Promise<void> {
    for (const session of [...this.local.all()]) {
      const now = this.now();
      await this.commands.run({
        key: { by: 'id', id: session.id },
        missing: ErrorCode.SessionEnded,
        decide: (s) => rules.endForShutdown(s, now),
      });
    }
  }

  async participantForResumeToken(resumeToken: string): Promise<string | undefined> {
    return this.state.live.participantForResumeToken(resumeToken);
  }

  /** A participant whose socket dropped comes back with their resume token within the grace period. The token is
   * used up: the answer carries a new one (a token copied from the page's storage works once at most, and not after
   * its owner's next resume). A token of a session that has ended (also one ended by a restart of the service) gets
   * that session's end reason. */
  async resume(
    resumeToken: string,
    device?: VisitorDevice,
  ): Promise<Result<Membership> | { ok: false; code: ErrorCode; endReason: string }> {
    const participantId = await this.state.live.participantForResumeToken(resumeToken);
    if (participantId !== undefined) {
      const now = this.now();
      let newToken = '';
      const applied = await this.commands.run({
        key: { by: 'member', participantId },
        missing: ErrorCode.SessionEnded,
        decide: (s) => rules.markBack(s, participantId, now, this.rules),
        tokens: (s) => [{ participantId, token: (newToken = newResumeToken(s.id)) }],
        spends: { participantId, token: resumeToken },
        event: { kind: 'participant.back', participantId },
      });
      if (applied.ok) {
        await this.state.holds.hold(participantId);
        if (device && rules.findParticipant(applied.session, participantId)?.role === 'visitor') {
          await this.state.devices.set(applied.session.id, participantId, device);
          await this.sendSessionInfoToAgents(applied.session);
        }
        return { ok: true, session: applied.session, participantId, resumeToken: newToken };
      }
      if (applied.code !== ErrorCode.SessionEnded) return applied;
    }
    const ended = await this.endedSessionOf(resumeToken);
    return ended
      ? { ok: false, code: ErrorCode.SessionEnded, endReason: ended }
      : { ok: false, code: ErrorCode.ResumeFailed };
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
  async sessionInfo(session: Session): Promise<ServerMessage> {
    const visitor = rules.visitorOf(session);
    const device = visitor && (await this.state.devices.get(session.id, visitor.id));
    return sessionInfoMessage(session, () => device);
  }

  private async sendSessionInfoToAgents(session: Session): Promise<void> {
    const agents = rules.agentsOf(session);
    if (agents.length === 0) return;
    const info = await this.sessionInfo(session);
    for (const agent of agents) await this.send(agent.id, info);
  }

  // --- during the session ------------------------------------------------------------------------------------

  /** Hot path: forwards one simple-peer signal to its recipient if both are in the same session and the signal names
   * its real sender. The recipient gets the sender's validated frame byte for byte, as a bare relay would send it:
   * no copy, no re-encoding. Signals for an older generation of the pair are dropped: they belong to a peer
   * connection that is gone. */
  relaySignal(senderId: string, signal: SignalHeader, signalFrame: Buffer): ErrorCode | undefined {
    if (signal.from !== senderId) return ErrorCode.WrongSender;
    const seat = this.local.seatOf(senderId);
    if (!seat) return ErrorCode.NotInSession;
    seat.relayRoutes ??= relayRoutesFrom(seat.session, senderId, (name) => this.deps.bus.channel(name));
    const route = routeTo(seat.relayRoutes, signal.to);
    if (!route) return ErrorCode.UnknownPeer;
    if (signal.gen !== route.gen) return undefined;
    void route.channel.publish(signalFrame);
    return undefined;
  }

  async restartPair(participantId: string, peerId: string): Promise<ErrorCode | undefined> {
    return this.commands.runFor(participantId, (s) => rules.restartPair(s, participantId, peerId), 'pair.restarted', {
      peerId,
    });
  }

  async hangUp(participantId: string): Promise<ErrorCode | undefined> {
    const now = this.now();
    return this.commands.runFor(participantId, (s) => rules.leave(s, participantId, now), 'participant.hangup');
  }

  async end(participantId: string): Promise<ErrorCode | undefined> {
    const now = this.now();
    return this.commands.runFor(participantId, (s) => rules.endByAgent(s, participantId, now), 'session.end.requested');
  }

  async setVideo(participantId: string, video: boolean, webrtc?: false): Promise<ErrorCode | undefined> {
    return this.commands.runFor(
      participantId,
      (s) => rules.setVideo(s, participantId, video, webrtc),
      video ? 'video.on' : 'video.off',
    );
  }

  /** The agent pauses (or resumes) the customer's or a guest's video for everyone. */
  async pauseVideo(agentId: string, peerId: string, paused: boolean): Promise<ErrorCode | undefined> {
    return this.commands.runFor(
      agentId,
      (s) => rules.pauseVideo(s, agentId, peerId, paused),
      paused ? 'video.paused' : 'video.resumed',
      { peerId },
    );
  }

  /** Stores an agent's problem report (the router lets only agents send one). */
  async reportProblem(
    participantId: string,
    description: string,
    diagnostics: Record<string, unknown>,
  ): Promise<Result<{ referenceId: string }>> {
    const session = this.local.sessionOf(participantId);
    if (!session) return { ok: false, code: ErrorCode.NotInSession };
    // Short enough to read out over the phone to support.
    const referenceId = `TP-${randomBytes(5).toString('hex').toUpperCase()}`;
    await this.deps.store.saveProblemReport({
      id: referenceId,
      sessionId: session.id,
      participantId,
      reportedAt: this.now(),
      description,
      diagnostics,
    });
    await this.writer.record(session.id, 'problem.reported', participantId, { referenceId });
    return { ok: true, referenceId };
  }

  // --- remote control ----------------------------------------------------------------------------------------

  async requestControl(agentId: string): Promise<ErrorCode | undefined> {
    return this.commands.runFor(agentId, (s) => rules.requestControl(s, agentId), 'control.requested');
  }

  async answerControl(visitorId: string, granted: boolean): Promise<ErrorCode | undefined> {
    return this.commands.runFor(
      visitorId,
      (s) => rules.answerControl(s, visitorId, granted),
      granted ? 'control.granted' : 'control.declined',
    );
  }

  async releaseControl(participantId: string): Promise<ErrorCode | undefined> {
    return this.commands.runFor(participantId, (s) => rules.releaseControl(s, participantId), 'control.released');
  }

  // --- screen share ------------------------------------------------------------------------------------------

  async startShare(agentId: string, streamId: string): Promise<ErrorCode | undefined> {
    return this.commands.runFor(agentId, (s) => rules.startShare(s, agentId, streamId), 'share.started');
  }

  async requestShare(agentId: string): Promise<ErrorCode | undefined> {
    return this.commands.runFor(agentId, (s) => rules.requestShare(s, agentId), 'share.requested');
  }

  /** The customer shares the stream `streamId`, or declines (null). */
  async answerShare(visitorId: string, streamId: string | null): Promise<ErrorCode | undefined> {
    return this.commands.runFor(
      visitorId,
      (s) => rules.answerShare(s, visitorId, streamId),
      streamId !== null ? 'share.granted' : 'share.declined',
    );
  }

  async stopShare(participantId: string): Promise<ErrorCode | undefined> {
    return this.commands.runFor(participantId, (s) => rules.stopShare(s, participantId), 'share.stopped');
  }

  // --- sockets -----------------------------------------------------------------------------------------------

  /** Marks which connection speaks for the participant. Returns the connection it replaced, if any. */
  bind(participantId: string, connectionId: string): string | undefined {
    return this.sockets.bind(participantId, connectionId);
  }

  /** The connection no longer speaks for the participant (a refused join, or a socket the server closed on purpose). */
  unbind(participantId: string, connectionId: string): void {
    if (this.sockets.unbind(participantId, connectionId)) this.letGo(participantId);
  }

  /** A socket closed. Only the participant's current connection counts: a member's grace period starts; a guest
   * still waiting for admission is withdrawn. With Redis, not if they are back on another instance by then. */
  async connectionLost(participantId: string, connectionId: string): Promise<void> {
    if (!this.sockets.unbind(participantId, connectionId)) return;
    const { holds } = this.state;
    this.state.followed?.reconsider(participantId);
    try {
      await this.participantGone(participantId, holds.instance ?? undefined);
      // Let go only once they are marked away: until then this instance's hold says it owes that.
      await holds.letGo(participantId);
    } catch (err) {
      this.deps.log.warn(
        { err, participantId },
        'a lost socket could not be marked away yet; it will be once Redis answers',
      );
      holds.retryLater();
    }
  }

  /** The participant has no socket here (`heldBy`: this instance), on a dead instance (that one's), or anywhere (null),
   * unless they are back on another by now. */
  private async participantGone(participantId: string, heldBy: string | null | undefined): Promise<void> {
    const held = heldBy === undefined ? undefined : { participantId, instance: heldBy };
    if (await this.guests.withdraw(participantId, held)) return;
    const now = this.now();
    await this.commands.run({
      key: { by: 'member', participantId },
      missing: ErrorCode.NotInSession,
      decide: (s) => rules.markAway(s, participantId, now),
      heldBy: held,
      event: { kind: 'participant.away', participantId },
    });
  }

  /** After an outage the participant's socket is still here (and held here): if another instance took this one for
   * dead meanwhile and marked them away, they are back, as after a resume (their peers are told). */
  private async participantHere(participantId: string): Promise<void> {
    const now = this.now();
    const instance = this.state.holds.instance;
    await this.commands.run({
      key: { by: 'member', participantId },
      missing: ErrorCode.NotInSession,
      decide: (s) => rules.markBack(s, participantId, now, this.rules),
      ...(instance === null ? {} : { heldBy: { participantId, instance } }),
      event: { kind: 'participant.back', participantId },
    });
  }

  /** How many live sessions this instance holds in each state (for the metrics): all of them alone, with Redis those
   * it has a socket in. */
  countByStatus(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const session of this.local.all()) counts[session.status] = (counts[session.status] ?? 0) + 1;
    return counts;
  }

  sessionOf(participantId: string): Session | undefined {
    return this.local.sessionOf(participantId);
  }

  /** The participant's role in their session; undefined for a socket in none (or a guest still waiting). */
  roleOf(participantId: string): Session['participants'][number]['role'] | undefined {
    const session = this.local.sessionOf(participantId);
    return session && rules.findParticipant(session, participantId)?.role;
  }

  /** Sends one message to one participant's socket, wherever it is connected. */
  async send(participantId: string, message: ServerMessage): Promise<void> {
    await this.writer.send(participantId, message);
  }

  /** A deploy: sockets closed from now on keep their hold, so that the instance that clears up after this one marks
   * away only the participants who did not come back elsewhere. */
  drain(): void {
    this.state.draining = true;
  }

  /** Resolves once no command is running. */
  settle(): Promise<void> {
    return this.commands.settle();
  }

  /** Stops the clocks; live sessions are left as they are (their sockets are being closed). */
  async shutdown(): Promise<void> {
    await this.state.stop();
  }

  // --- internals ---------------------------------------------------------------------------------------------

  private letGo(participantId: string): void {
    this.state.followed?.reconsider(participantId);
    if (!this.state.draining) void this.state.holds.letGo(participantId);
  }

  private newSessionCode(): string {
    return generateCode(
      this.deps.config.session.codeLength,
      (c) => this.local.isCodeTaken(c),
      () => randomInt(10),
    );
  }

  private async expire(sessionId: string): Promise<void> {
    try {
      const now = this.now();
      const applied = await this.commands.run({
        key: { by: 'id', id: sessionId },
        missing: ErrorCode.SessionEnded,
        decide: (s) => rules.expire(s, now, this.rules),
      });
      if (!applied.ok) await this.state.live.rearm(sessionId, 0, undefined);
      // Nothing was due after all: the clock is set again for when something is.
      else if (applied.session === applied.previous)
        await this.state.live.rearm(
          sessionId,
          applied.session.version,
          rules.nextDeadline(applied.session, this.rules),
        );
    } catch (err) {
      this.deps.log.error({ err, sessionId }, 'session expiry failed');
    }
  }
}
