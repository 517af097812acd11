import type { FastifyBaseLogger } from 'fastify';
import { Channels, type Bus, type BusPayload } from '../bus/bus';
import type { SessionDirectory } from './directory';
import type { SessionFollowers } from './liveState';
import type { SessionRules } from './commands';
import type { RedisLiveSessions } from './redisLiveSessions';
import { nextDeadline } from './rules/lifecycle';
import type { ParticipantSockets } from './participantSockets';
import type { Session } from './state';

/* With Redis, the sessions that have a socket on this instance, cached here for what must not wait on Redis: the relay
 * (a signal is checked against its sender's seat and routed in-process), the socket guards (a member's role) and
 * co-browse (who the visitor is). Every commit, on any instance, publishes the new state on its session's channel
 * (before it tells anyone of its effects, on the same connection, so an instance has the state before its sockets
 * hear about it); each instance follows the channels of the sessions it caches and keeps the newest version. A
 * session is followed from the commit that brings a socket here into it and dropped when none is left. */

interface Following {
  unsubscribe: (() => Promise<void>) | undefined;
  dropped: boolean;
  /** Settles once the channel is followed and the state read once since. */
  ready: Promise<void>;
}

export class FollowedSessions implements SessionFollowers {
  private readonly following = new Map<string, Following>();

  constructor(
    private readonly local: SessionDirectory,
    private readonly bus: Bus,
    private readonly live: RedisLiveSessions,
    private readonly sockets: ParticipantSockets,
    private readonly rules: Pick<SessionRules, 'resumeGraceMs'>,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Settles once the session is followed, if it is to be: a command that brings a socket here into a session answers
   * only then, so that nothing committed elsewhere afterwards can be missed. */
  committed(session: Session, changed: boolean): Promise<void> | undefined {
    // Delivered at once to this instance's own follower of the channel, if any (and so cached), and to the others.
    if (changed)
      this.bus
        .publish(Channels.session(session.id), JSON.stringify(session))
        .catch((err: unknown) => this.log.warn({ err }, 'session state not published'));
    return this.offer(session);
  }

  reconsider(participantId: string): void {
    const session = this.local.sessionOf(participantId) ?? this.local.sessionOfPendingGuest(participantId);
    if (session && !this.hasSocketHere(session)) this.drop(session.id);
  }

  /** After Redis was away: states published meanwhile were missed. A session Redis no longer has, and did not see
   * end, was lost with its data (Redis restarted empty): it is put back from the copy here, so that its call goes on. */
  async refresh(): Promise<void> {
    for (const id of [...this.following.keys()]) {
      const session = await this.live.find({ by: 'id', id });
      if (session) {
        void this.offer(session);
        continue;
      }
      const cached = this.local.get(id);
      const seeded = cached ? await this.live.seed(cached, nextDeadline(cached, this.rules)) : 'ended';
      if (seeded === 'ended') this.drop(id);
      else if (seeded === 'seeded')
        this.log.warn({ sessionId: id }, 'a live session Redis had lost was put back from this instance');
    }
  }

  /** A state from this instance or another: kept if it is newer than the one cached and a socket here is in it. */
  private offer(session: Session): Promise<void> | undefined {
    const cached = this.local.get(session.id);
    if (cached && cached.version > session.version) return undefined;
    if (session.status === 'ended' || !this.hasSocketHere(session)) {
      if (cached || this.following.has(session.id)) this.drop(session.id);
      return undefined;
    }
    if (!cached || cached.version < session.version) this.local.put(session);
    return this.follow(session.id);
  }

  private readonly onState = (payload: BusPayload): void => {
    void this.offer(JSON.parse(payload.toString()) as Session);
  };

  private follow(id: string): Promise<void> {
    const following = this.following.get(id);
    if (following) return following.ready;
    const entry: Following = { unsubscribe: undefined, dropped: false, ready: Promise.resolve() };
    this.following.set(id, entry);
    entry.ready = this.bus.subscribe(Channels.session(id), this.onState).then(async (unsubscribe) => {
      if (entry.dropped) return unsubscribe();
      entry.unsubscribe = unsubscribe;
      // A commit made elsewhere before the subscription took effect was not heard: read the state once now.
      const session = await this.live.find({ by: 'id', id }).catch(() => null);
      if (entry.dropped || session === null) return;
      if (session) void this.offer(session);
      else this.drop(id);
    });
    return entry.ready;
  }

  private drop(id: string): void {
    this.local.remove(id);
    const entry = this.following.get(id);
    if (!entry) return;
    this.following.delete(id);
    entry.dropped = true;
    void entry.unsubscribe?.();
  }

  private hasSocketHere(session: Session): boolean {
    for (const p of session.participants) if (this.sockets.has(p.id)) return true;
    for (const g of session.pendingGuests) if (this.sockets.has(g.id)) return true;
    return false;
  }
}
