import type { FastifyBaseLogger } from 'fastify';
import type { Bus, ControlMessage } from '../bus/bus';
import { Channels } from '../bus/bus';
import type { Config } from '../config/schema';
import { iceServersFor, mintsTurnCredentials } from '../ice/iceServers';
import { CloseCode } from '../protocol/codes';
import type { ServerMessage } from '../protocol/messages';
import type { Store } from '../store/store';
import type { EndedSessions } from './endedSessions';
import type { LiveSessions, TokenGrant } from './liveSessions';
import type { Effect } from './outcome';
import type { Won } from './sessionCommands';
import type { Session } from './state';
import { joinedMessage } from './welcome';
import { effectToMessage } from './wireEffects';

export interface SessionWriterDeps {
  config: Config;
  store: Store;
  bus: Bus;
  live: LiveSessions;
  ended: EndedSessions;
  log: FastifyBaseLogger;
  /** The participant is gone from their session: this instance forgets their socket and device. */
  forget(participantId: string): void;
  now: () => number;
}

const NOOP = (): void => undefined;

/** Writes each committed state through: to the store (the session, arrivals, departures, status, the ending, the
 * command's event) and to everyone its effects name (over the bus). One session's commits are written in the order
 * of their versions: one after the other here, and after the previous version's writes on another instance (waited
 * for briefly, liveSessions.ts). A store that fails is logged: the session is live and goes on, told as it changed. */
export class SessionWriter {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly deps: SessionWriterDeps) {}

  persist(won: Won): Promise<void> {
    const id = won.session.id;
    const before = this.chains.get(id);
    const written = before ? before.then(() => this.write(won)) : this.write(won);
    const settled = (): void => {
      if (this.chains.get(id) === link) this.chains.delete(id);
    };
    const link: Promise<void> = written.then(settled, settled);
    this.chains.set(id, link);
    return written;
  }

  async record(
    sessionId: string,
    kind: string,
    participantId: string | null,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    await this.deps.store.appendEvent({ sessionId, at: this.deps.now(), kind, participantId, detail: detail ?? null });
    // One line per session event, with the ids to follow a session through the logs; the event's details (a
    // visitor's id, a report's reference) stay in the store.
    this.deps.log.info({ sessionId, participantId, event: kind }, 'session event');
  }

  /** Sends one message to one participant's socket, wherever it is connected. */
  async send(participantId: string, message: ServerMessage): Promise<void> {
    await this.deps.bus.publish(Channels.participant(participantId), JSON.stringify(message));
  }

  private async write(won: Won): Promise<void> {
    const { live } = this.deps;
    const { previous, session } = won;
    // Shared: the previous version may be written by another instance.
    if (live.shared && previous && won.storedVersion < previous.version)
      await live.storedUpTo(session.id, previous.version);
    try {
      await this.store(won);
    } catch (err) {
      this.deps.log.error(
        { err, sessionId: session.id, version: session.version },
        'session records could not be written; the session goes on',
      );
    } finally {
      if (live.shared) await live.markStored(session.id, session.version).catch(NOOP);
    }
    await this.tell(won);
  }

  private async store({ previous, session, effects, events }: Won): Promise<void> {
    const { store } = this.deps;
    const now = this.deps.now();
    if (!previous)
      await store.createSession({
        id: session.id,
        code: session.code,
        status: session.status,
        createdAt: session.createdAt,
        siteId: session.siteId,
      });
    for (const event of events) await this.record(session.id, event.kind, event.participantId, event.detail);
    const before = new Set(previous?.participants.map((p) => p.id));
    for (const p of session.participants) {
      if (!before.has(p.id))
        await store.addParticipant({
          id: p.id,
          sessionId: session.id,
          role: p.role,
          identity: p.identity,
          name: p.name,
          joinedAt: now,
        });
    }
    for (const p of departures(previous, session)) await store.participantLeft(p.id, now, leaveReasonOf(p.id, effects));
    this.deps.ended.remember(session);
    if (session.status === 'ended') {
      await store.updateSessionStatus(session.id, 'ended', session.endedAt ?? now, session.endReason ?? 'ended');
      for (const p of session.participants) await store.participantLeft(p.id, now, session.endReason ?? 'ended');
      await this.record(session.id, 'session.ended', null, { reason: session.endReason });
    } else if (previous && previous.status !== session.status) {
      await store.updateSessionStatus(session.id, session.status);
    }
  }

  private async tell({ previous, session, effects, tokens }: Won): Promise<void> {
    for (const effect of effects) await this.deliver(session, effect, tokens);
    const ended = session.status === 'ended';
    if (ended) {
      const stillWaiting = previous?.pendingGuests.map((g) => g.id) ?? [];
      for (const id of [...session.participants.map((p) => p.id), ...stillWaiting]) {
        this.deps.forget(id);
        await this.close(id, CloseCode.SessionEnded, 'session ended');
      }
    }
    for (const p of departures(previous, session)) this.deps.forget(p.id);
    if (ended) await this.deps.ended.announce(session);
  }

  private async deliver(session: Session, effect: Effect, tokens: readonly TokenGrant[]): Promise<void> {
    switch (effect.kind) {
      case 'admitted': {
        const resumeToken = tokens.find((t) => t.participantId === effect.to)?.token;
        const joined =
          resumeToken &&
          joinedMessage({ session, participantId: effect.to, resumeToken }, false, this.deps.config, this.deps.now());
        if (joined) await this.send(effect.to, joined);
        return;
      }
      case 'removed':
        await this.send(effect.to, { type: 'guest.removed', reason: effect.reason });
        await this.close(effect.to, CloseCode.Removed, 'removed by the agent');
        return;
      case 'peer-joined':
      case 'pair-reset': {
        // The recipient makes a new connection now: with credentials minted now, not those it got on joining.
        const { ice } = this.deps.config;
        const fresh = mintsTurnCredentials(ice) ? iceServersFor(effect.to, ice, this.deps.now()) : undefined;
        await this.send(effect.to, effectToMessage(effect, fresh));
        return;
      }
      default:
        await this.send(effect.to, effectToMessage(effect));
    }
  }

  private async close(participantId: string, code: number, reason: string): Promise<void> {
    const close: ControlMessage = { action: 'close', code, reason };
    await this.deps.bus.publish(Channels.control(participantId), JSON.stringify(close));
  }
}

function departures(previous: Session | undefined, session: Session) {
  return (previous?.participants ?? []).filter((p) => !session.participants.some((q) => q.id === p.id));
}

/** Why a member who is gone from the new state left, as their effects say ("left" if they don't). */
function leaveReasonOf(participantId: string, effects: Effect[]): string {
  for (const e of effects) {
    if (e.kind === 'removed' && e.to === participantId) return e.reason;
    if (e.kind === 'peer-left' && e.peerId === participantId) return e.reason;
  }
  return 'left';
}
