import type { FastifyBaseLogger } from 'fastify';
import { Channels, type Bus, type ControlMessage } from '../bus/bus';
import { CloseCode } from '../protocol/codes';
import { luaScript, type LuaScript } from '../redis/script';
import type { SharedRedis } from '../redis/shared';
import type { ParticipantHolds } from './participantHolds';
import type { ParticipantSockets } from './participantSockets';

/* Which instance holds each participant's socket, in Redis: `participant-held:<participant>` → instance id, and per
 * instance the set `instance:<id>:participants`. A join or resume that took effect holds the participant here (a
 * socket for them on another instance is closed as replaced); a socket that goes lets go (only if it was held here).
 * Session commands may require a participant to be held by a given instance, or by none, in the same step as they
 * commit (redisLiveSessions.ts): a socket's loss on one instance, or a dead instance's clean-up, marks a participant
 * away only if they are not back on another instance by then.
 *
 * When an instance dies, the one that finds it dead (redis/instances.ts) marks each participant it held away, so their
 * grace period starts and they can resume anywhere. After an outage an instance writes its holds again, and marks away
 * those whose socket went while Redis could not be told. */

const REAP_AT_ONCE = 20;

// KEYS: the participant's hold, this instance's set. ARGV: instance, participant. Returns the previous holder or ''.
const HOLD = `local previous = redis.call('GET', KEYS[1]) or ''
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return previous`;

// KEYS: the participant's hold, the instance's set. ARGV: instance, participant.
const LET_GO = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('SREM', KEYS[2], ARGV[2])
return 0`;

// KEYS: this instance's set. ARGV: prefix, instance, JSON list of the participants with a socket here. Holds those,
// unless another instance does; lets go of the others and returns them (their sockets went while Redis was away).
const SYNC = `local here = {}
for _, id in ipairs(cjson.decode(ARGV[3])) do here[id] = true end
local lost = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if not here[id] then
    local k = ARGV[1] .. 'participant-held:' .. id
    if redis.call('GET', k) == ARGV[2] then
      redis.call('DEL', k)
      lost[#lost + 1] = id
    end
    redis.call('SREM', KEYS[1], id)
  end
end
for id in pairs(here) do
  local k = ARGV[1] .. 'participant-held:' .. id
  local holder = redis.call('GET', k)
  if not holder or holder == ARGV[2] then
    redis.call('SET', k, ARGV[2])
    redis.call('SADD', KEYS[1], id)
  end
end
return lost`;

export class RedisParticipantHolds implements ParticipantHolds {
  readonly instance: string;
  private readonly scripts: { hold: LuaScript<string>; letGo: LuaScript<number>; sync: LuaScript<string[]> };

  constructor(
    private readonly redis: SharedRedis,
    private readonly bus: Bus,
    private readonly sockets: ParticipantSockets,
    /** The participant's socket went with `instance` (dead), or while Redis was away (null): mark them away. */
    private readonly onGone: (participantId: string, instance: string | null) => Promise<void>,
    /** The participant's socket is still here after an outage: back, if they were marked away meanwhile. */
    private readonly onHere: (participantId: string) => Promise<void>,
    private readonly log: FastifyBaseLogger,
  ) {
    const { connections, liveness } = redis;
    this.instance = connections.instanceId;
    const c = connections.commands;
    this.scripts = { hold: luaScript(c, 2, HOLD), letGo: luaScript(c, 2, LET_GO), sync: luaScript(c, 1, SYNC) };
    liveness.onRestore(() => this.restore());
    liveness.onReap((dead) => this.reap(dead));
  }

  async hold(participantId: string): Promise<void> {
    let previous: string;
    try {
      previous = await this.scripts.hold(
        [this.heldKey(participantId), this.setOf(this.instance)],
        [this.instance, participantId],
      );
    } catch (err) {
      this.log.debug({ err }, 'participant hold not written to Redis; it will be when Redis is back');
      this.redis.liveness.restoreLater();
      return;
    }
    // Held here now: signals for them from this instance need not go through Redis. A socket of theirs left open on
    // another instance stops following their channel as soon as the close below reaches it (connection.ts).
    this.bus.keepLocal(Channels.participant(participantId), true);
    if (previous === '' || previous === this.instance) return;
    // Back on this instance while a socket of theirs may still be open on the one they left: that one goes.
    const close: ControlMessage = { action: 'close', code: CloseCode.Replaced, reason: 'opened elsewhere' };
    const here = this.sockets.connectionOf(participantId);
    if (here !== undefined) close.except = here;
    await this.bus.publish(Channels.control(participantId), JSON.stringify(close));
  }

  async letGo(participantId: string): Promise<void> {
    this.bus.keepLocal(Channels.participant(participantId), false);
    try {
      await this.scripts.letGo(
        [this.heldKey(participantId), this.setOf(this.instance)],
        [this.instance, participantId],
      );
    } catch (err) {
      this.log.debug({ err }, 'participant hold not cleared in Redis; it will be when Redis is back');
      this.redis.liveness.restoreLater();
    }
  }

  retryLater(): void {
    this.redis.liveness.restoreLater();
  }

  /** Redis in line with the sockets here; those lost meanwhile are marked away, and those still here are back if
   * another instance took this one for dead meanwhile (Redis away for longer than the TTL) and marked them away. */
  private async restore(): Promise<void> {
    const here = [...this.sockets.participants()];
    // Another instance may have taken some of them meanwhile, unseen: their signals go through Redis again until their
    // next join or resume here.
    for (const participantId of here) this.bus.keepLocal(Channels.participant(participantId), false);
    const lost = await this.scripts.sync(
      [this.setOf(this.instance)],
      [this.redis.connections.key(''), this.instance, JSON.stringify(here)],
    );
    for (const participantId of lost) await this.onGone(participantId, null);
    for (const participantId of here) await this.onHere(participantId);
  }

  /** A dead instance's participants: each one still held by it is marked away (unless back elsewhere by then). */
  private async reap(dead: string): Promise<void> {
    const set = this.setOf(dead);
    const members = await this.redis.connections.commands.smembers(set);
    for (let i = 0; i < members.length; i += REAP_AT_ONCE) {
      await Promise.all(
        members.slice(i, i + REAP_AT_ONCE).map(async (participantId) => {
          const held = this.heldKey(participantId);
          if ((await this.redis.connections.commands.get(held)) === dead) await this.onGone(participantId, dead);
          await this.scripts.letGo([held, set], [dead, participantId]);
        }),
      );
    }
  }

  private heldKey(participantId: string): string {
    return this.redis.connections.key('participant-held', participantId);
  }

  private setOf(instance: string): string {
    return this.redis.connections.key('instance', instance, 'participants');
  }
}
