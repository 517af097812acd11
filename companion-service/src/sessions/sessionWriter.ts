import type { FastifyBaseLogger } from 'fastify';
import type { Bus, ControlMessage } from '../bus/bus';
import { Channels } from '../bus/bus';
import type { Config } from '../config/schema';
import { CloseCode, ErrorCode } from '../protocol/codes';
import type { ServerMessage } from '../protocol/messages';
import type { Store } from '../store/store';
import type { SessionRules } from './commands';
import type { SessionDirectory } from './directory';
import type { EndedSessions } from './endedSessions';
import type { Effect, Outcome } from './outcome';
import type { ParticipantSockets } from './participantSockets';
import { nextDeadline } from './rules/lifecycle';
import type { SessionTimers } from './sessionTimers';
import type { Session } from './state';
import { joinedMessage } from './welcome';
import { effectToMessage } from './wireEffects';

export interface SessionWriterDeps {
  config: Config;
  store: Store;
  bus: Bus;
  log: FastifyBaseLogger;
  directory: SessionDirectory;
  sockets: ParticipantSockets;
  ended: EndedSessions;
  timers: SessionTimers;
  rules: SessionRules;
  now: () => number;
}

/** Writes each new session state through: to the store (the session, arrivals, departures, status, the ending), to
 * the directory of live sessions, to the session's timer, and to everyone its effects name (over the bus). */
export class SessionWriter {
  constructor(private readonly deps: SessionWriterDeps) {}

  /** Runs a command on a participant's live session, records it (when it changed something) and commits the result. */
  async runFor(
    participantId: string,
    apply: (session: Session) => Outcome,
    eventKind: string,
    detail?: Record<string, unknown>,
  ): Promise<ErrorCode | undefined> {
    const session = this.deps.directory.sessionOf(participantId);
    if (!session) return ErrorCode.NotInSession;
    const outcome = apply(session);
    if (!outcome.ok) return outcome.code;
    if (outcome.session !== session) await this.record(session.id, eventKind, participantId, detail);
    await this.commit(outcome.session, outcome.effects);
    return undefined;
  }

  async commit(session: Session, effects: Effect[]): Promise<void> {
    const { store, directory } = this.deps;
    const previous = directory.get(session.id);
    const now = this.deps.now();
    if (!previous) await store.createSession({ id: session.id, code: session.code, status: session.status, createdAt: session.createdAt, siteId: session.siteId });
    const before = new Set(previous?.participants.map((p) => p.id));
    for (const p of session.participants) {
      if (!before.has(p.id)) await store.addParticipant({ id: p.id, sessionId: session.id, role: p.role, identity: p.identity, name: p.name, joinedAt: now });
    }
    const departed = (previous?.participants ?? []).filter((p) => !session.participants.some((q) => q.id === p.id));
    for (const p of departed) await store.participantLeft(p.id, now, leaveReasonOf(p.id, effects));
    this.deps.ended.remember(session);
    const ended = session.status === 'ended';
    if (ended) {
      await store.updateSessionStatus(session.id, 'ended', session.endedAt ?? now, session.endReason ?? 'ended');
      for (const p of session.participants) await store.participantLeft(p.id, now, session.endReason ?? 'ended');
      await this.record(session.id, 'session.ended', null, { reason: session.endReason });
      directory.remove(session.id);
      this.deps.timers.clear(session.id);
    } else {
      if (previous && previous.status !== session.status) await store.updateSessionStatus(session.id, session.status);
      directory.put(session);
      this.deps.timers.set(session.id, nextDeadline(session, this.deps.rules));
    }
    for (const effect of effects) await this.deliver(session, effect);
    if (ended) {
      const stillWaiting = previous?.pendingGuests.map((g) => g.id) ?? [];
      for (const id of [...session.participants.map((p) => p.id), ...stillWaiting]) {
        this.deps.sockets.forget(id);
        await this.close(id, CloseCode.SessionEnded, 'session ended');
      }
    }
    for (const p of departed) this.deps.sockets.forget(p.id);
    if (ended) await this.deps.ended.announce(session);
  }

  async record(sessionId: string, kind: string, participantId: string | null, detail?: Record<string, unknown>): Promise<void> {
    await this.deps.store.appendEvent({ sessionId, at: this.deps.now(), kind, participantId, detail: detail ?? null });
    // One line per session event, with the ids to follow a session through the logs; the event's details (a
    // visitor's id, a report's reference) stay in the store.
    this.deps.log.info({ sessionId, participantId, event: kind }, 'session event');
  }

  /** Sends one message to one participant's socket, wherever it is connected. */
  async send(participantId: string, message: ServerMessage): Promise<void> {
    await this.deps.bus.publish(Channels.participant(participantId), JSON.stringify(message));
  }

  private async deliver(session: Session, effect: Effect): Promise<void> {
    switch (effect.kind) {
      case 'admitted': {
        const resumeToken = this.deps.directory.resumeTokenOf(effect.to);
        const joined = resumeToken && joinedMessage({ session, participantId: effect.to, resumeToken }, false, this.deps.config, this.deps.now());
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
}

/** Why a member who is gone from the new state left, as their effects say ("left" if they don't). */
function leaveReasonOf(participantId: string, effects: Effect[]): string {
  for (const e of effects) {
    if (e.kind === 'removed' && e.to === participantId) return e.reason;
    if (e.kind === 'peer-left' && e.peerId === participantId) return e.reason;
  }
  return 'left';
}
