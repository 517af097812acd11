import type { FastifyBaseLogger } from 'fastify';
import type { Bus } from '../bus/bus';
import type { Config } from '../config/schema';
import type { SharedRedis } from '../redis/shared';
import type { SessionDirectory } from './directory';
import type { LiveSessions } from './liveSessions';
import { FollowedSessions } from './followedSessions';
import { MemoryLiveSessions } from './memoryLiveSessions';
import { NO_HOLDS, type ParticipantHolds } from './participantHolds';
import { MemoryPendingInvitations, type PendingInvitations } from './pendingInvitations';
import { invitationOpen } from './rules/lifecycle';
import type { ParticipantSockets } from './participantSockets';
import { RedisDeadlines } from './redisDeadlines';
import { RedisLiveSessions } from './redisLiveSessions';
import { RedisParticipantHolds } from './redisParticipantHolds';
import { RedisPendingInvitations } from './redisPendingInvitations';
import { RedisVisitorDevices } from './redisVisitorDevices';
import { RedisWrongGuestCodes } from './redisWrongGuestCodes';
import { SessionTimers } from './sessionTimers';
import type { SessionRules } from './commands';
import type { TokenGrant } from './liveSessions';
import type { Session } from './state';
import { MemoryVisitorDevices, type VisitorDevices } from './visitorDevices';
import { MemoryWrongGuestCodes, type WrongGuestCodes } from './wrongGuestCodes';

/* What the session service keeps live, chosen once: in this process (one instance, as fast as a Map), or in Redis
 * when it is configured, shared by every instance. */

/** With Redis: the sessions that have a socket on this instance, cached for the relay and kept fresh. */
export interface SessionFollowers {
  /** A state this instance just committed: other instances are told, and this one caches it if it has a socket in it
   * (settling once it follows the session). */
  committed(session: Session, changed: boolean, tokens: readonly TokenGrant[]): Promise<void> | undefined;
  /** A socket here stopped speaking for the participant: their session may no longer need following. */
  reconsider(participantId: string): void;
}

export interface LiveState {
  readonly live: LiveSessions;
  readonly devices: VisitorDevices;
  readonly holds: ParticipantHolds;
  readonly wrongGuestCodes: WrongGuestCodes;
  readonly invitations: PendingInvitations;
  readonly followed: SessionFollowers | undefined;
  /** Set for a deploy's shutdown: sockets closed from then on keep their hold (sessionService.ts). */
  draining: boolean;
  start(): void;
  stop(): Promise<void>;
}

export interface LiveStateDeps {
  config: Config;
  redis: SharedRedis | undefined;
  /** The relay's seats: every session here, or with Redis those this instance follows. */
  local: SessionDirectory;
  sockets: ParticipantSockets;
  bus: Bus;
  log: FastifyBaseLogger;
  now: () => number;
  rules: SessionRules;
  /** A session's clock is due. */
  onDue(sessionId: string): Promise<void>;
  /** The participant's socket is gone with the instance that held it (`instance`), or was lost while Redis was away. */
  onGone(participantId: string, instance: string | null): Promise<void>;
  /** After an outage the participant's socket is still on this instance. */
  onHere(participantId: string): Promise<void>;
}

export function createLiveState(deps: LiveStateDeps): LiveState {
  return deps.redis ? sharedState(deps, deps.redis) : ownState(deps);
}

/** With Redis: the state, the clocks, the holds and the rest shared; the relay's seats cached per instance. */
function sharedState(deps: LiveStateDeps, redis: SharedRedis): LiveState {
  const { connections, liveness } = redis;
  const live = new RedisLiveSessions(connections);
  const followed = new FollowedSessions(deps.local, deps.bus, live, deps.sockets, deps.rules, deps.log);
  const deadlines = new RedisDeadlines(connections, deps.onDue, deps.now, deps.log);
  // States published while Redis was away were missed.
  liveness.onRestore(() => followed.refresh());
  return {
    live,
    devices: new RedisVisitorDevices(connections),
    holds: new RedisParticipantHolds(redis, deps.bus, deps.sockets, deps.onGone, deps.onHere, deps.log),
    wrongGuestCodes: new RedisWrongGuestCodes(connections, deps.config.guests.wrongCodesPerSession),
    invitations: new RedisPendingInvitations(connections),
    followed,
    draining: false,
    start: () => deadlines.start(),
    stop: () => deadlines.stop(),
  };
}

/** One instance: everything in this process. */
function ownState(deps: LiveStateDeps): LiveState {
  const timers = new SessionTimers((sessionId) => void deps.onDue(sessionId), deps.now);
  return {
    live: new MemoryLiveSessions(deps.local, timers),
    devices: new MemoryVisitorDevices(),
    holds: NO_HOLDS,
    wrongGuestCodes: new MemoryWrongGuestCodes(deps.config.guests.wrongCodesPerSession),
    invitations: new MemoryPendingInvitations((invitationId, now) => {
      const session = deps.local.findByInvitation(invitationId);
      return session !== undefined && invitationOpen(session, now);
    }),
    followed: undefined,
    draining: false,
    start: () => undefined,
    stop: async () => timers.clearAll(),
  };
}
