import type { FastifyBaseLogger } from 'fastify';
import { Channels, type Bus, type BusPayload } from '../bus/bus';
import type { SessionDirectory } from './directory';
import type { SessionFollowers } from './liveState';
import type { SessionRules } from './commands';
import type { TokenGrant } from './liveSessions';
import type { RedisLiveSessions } from './redisLiveSessions';
import { nextDeadline } from './rules/lifecycle';
import type { ParticipantSockets } from './participantSockets';
import type { Session } from './state';

/* With Redis, the sessions that have a socket on this instance, cached here for what must not wait on Redis: the relay
 * (a signal is checked against its sender's seat and routed in-process), the socket guards (a member's role) and
 * co-browse (who the visitor is). Every commit, on any instance, publishes the new state on its session's channel
 * (before it tells anyone of its effects, on the same connection, so an instance has the state before its sockets
 * hear about it); each instance follows the channels of the sessions it caches and keeps the newest version. A
 * session is followed from the commit that brings a socket here into it and dropped when none is left.
 *
 * The last resume token issued to each participant whose socket is here is kept too: if Redis restarts empty, the
 * session is put back from here with those tokens, so that whoever drops afterwards can still resume. */

interface Following {
  unsubscribe: (() => Promise<void>) | undefined;
  dropped: boolean;
  /** Settles once the channel is followed and the state read once since. */
  ready: Promise<void>;
}

export class FollowedSessions implements SessionFollowers {
  private readonly following = new Map<string, Following>();
  private readonly resumeTokens = new Map<string, string>();

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
  committed(session: Session, changed: boolean, tokens: readonly TokenGrant[] = []): Promise<void> | undefined {
    for (const { participantId, token } of tokens)
      if (this.sockets.has(participantId)) this.resumeTokens.set(participantId, token);
    // Delivered at once to this instance's own follower of the channel, if any (and so cached), and to the others.
    if (changed)
      this.bus
        .publish(Channels.session(session.id), JSON.stringify(session))
        .catch((err: unknown) => this.log.warn({ err }, 'session state not published'));
    return this.offer(session);
  }

  reconsider(participantId: string): void {
    this.resumeTokens.delete(participantId);
    const session = this.local.sessionOf(participantId) ?? this.local.sessionOfPendingGuest(participantId);
    if (session && !this.hasSocketHere(session)) this.drop(session.id);
  }

  /** After Redis was away: states published meanwhile were missed. A session Redis no longer has, and did not see
   * end, was lost with its data (Redis restarted empty): it is put back from the copy here, so that its call goes on. */
  async refresh(): Promise<void> {
    for (const id of [...this.following.keys()]) {
      const session = await this.live.find({ by: 'id', id });
      if (session) {
        // Put back by another instance, perhaps: the tokens of the members here are ours to put back.
        await this.putBackResumeTokens(session);
        void this.offer(session);
        continue;
      }
      const cached = this.local.get(id);
      const seeded = cached ? await this.live.seed(cached, nextDeadline(cached, this.rules)) : 'ended';
      if (seeded === 'ended') {
        this.drop(id);
        continue;
      }
      if (seeded === 'seeded')
        this.log.warn({ sessionId: id }, 'a live session Redis had lost was put back from this instance');
      if (cached) await this.putBackResumeTokens(cached);
    }
  }

  /** Only where Redis has no token for the participant (a token issued since, anywhere, stays the one that works). */
  private putBackResumeTokens(session: Session): Promise<void> {
    const grants: TokenGrant[] = [];
    for (const p of session.participants) {
      const token = this.resumeTokens.get(p.id);
      if (token !== undefined && this.sockets.has(p.id)) grants.push({ participantId: p.id, token });
    }
    return grants.length ? this.live.putBackResumeTokens(grants) : Promise.resolve();
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
    const cached = this.local.get(id);
    for (const p of cached?.participants ?? []) this.resumeTokens.delete(p.id);
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
