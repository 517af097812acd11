import type { RedisConnections } from '../redis/connections';
import { luaScript, type LuaScript } from '../redis/script';
import { needRedis } from '../redis/unavailable';
import { IndexKey, indexChanges } from './liveIndexes';
import type { Commit, CommitResult, LiveSessions, SessionKey, TokenGrant } from './liveSessions';
import type { Session } from './state';

/* The live sessions in Redis, shared by every instance. Per session a hash: `v` its version, `s` its state (JSON).
 * Beside it the lookups (liveIndexes.ts: code, member, waiting guest, guest link, invitation → session id), each
 * member's resume token both ways (`resume:<token>` → participant, `resume-of:<participant>` → token), its clock in
 * the sorted set `session-timers` (scored with when it is due, redisDeadlines.ts), and `session-stored:<id>`, the last
 * version whose store writes are done. One script commits all of it, or nothing: it refuses unless the stored version
 * is the one the command decided on (a new session: unless its id and code are free), the token it spends is still
 * current and the participant's socket is held nowhere else (participant-held:<id>, redisParticipantHolds.ts). An
 * ended session's keys go, and a tombstone stays a minute for the instances starting meanwhile (recoverAbandoned). */

/** How long the writes of one version may keep the next waiting, when they are made on another instance. */
const STORED_WAIT_MS = 2_000;
const STORED_POLL_MS = 20;

// ARGV: prefix, plan (JSON, below), the new state's JSON ('' when only tokens change).
const COMMIT = `local p = ARGV[1]
local c = cjson.decode(ARGV[2])
local hash = p .. 'session:' .. c.id
local v = redis.call('HGET', hash, 'v')
if c.expected == '0' then
  if v or redis.call('EXISTS', p .. 'session-ended:' .. c.id) == 1 then return {'conflict'} end
  if redis.call('EXISTS', p .. c.codeKey) == 1 then return {'code_taken'} end
elseif v ~= c.expected then
  return {'conflict'}
end
if #c.spends == 2 and redis.call('GET', p .. 'resume-of:' .. c.spends[1]) ~= c.spends[2] then return {'token_spent'} end
if #c.held == 2 then
  local holder = redis.call('GET', p .. 'participant-held:' .. c.held[1])
  if holder and holder ~= c.held[2] then return {'held'} end
end
if ARGV[3] ~= '' then
  local timers = p .. 'session-timers'
  if c.ended then
    redis.call('DEL', hash)
    redis.call('ZREM', timers, c.id)
    redis.call('SET', p .. 'session-ended:' .. c.id, '1', 'PX', 60000)
  else
    redis.call('HSET', hash, 'v', c.version, 's', ARGV[3])
    if c.deadline == '' then redis.call('ZREM', timers, c.id) else redis.call('ZADD', timers, c.deadline, c.id) end
  end
end
for i = 1, #c.set, 2 do redis.call('SET', p .. c.set[i], c.set[i + 1]) end
for _, k in ipairs(c.del) do redis.call('DEL', p .. k) end
for _, id in ipairs(c.forget) do
  local t = redis.call('GET', p .. 'resume-of:' .. id)
  if t then redis.call('DEL', p .. 'resume:' .. t, p .. 'resume-of:' .. id) end
end
for i = 1, #c.tokens, 2 do
  local id, t = c.tokens[i], c.tokens[i + 1]
  local old = redis.call('GET', p .. 'resume-of:' .. id)
  if old then redis.call('DEL', p .. 'resume:' .. old) end
  redis.call('SET', p .. 'resume-of:' .. id, t)
  redis.call('SET', p .. 'resume:' .. t, id)
end
return {'ok', tonumber(redis.call('GET', p .. 'session-stored:' .. c.id) or '0')}`;

// ARGV: prefix, lookup key ('' to find by id), session id. Returns the state's JSON, or false.
const FIND = `local id = ARGV[3]
if ARGV[2] ~= '' then
  id = redis.call('GET', ARGV[1] .. ARGV[2])
  if not id then return false end
end
return redis.call('HGET', ARGV[1] .. 'session:' .. id, 's')`;

// ARGV: prefix, session ids. Returns those live, or ended less than a minute ago.
const HELD = `local out = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  if redis.call('EXISTS', ARGV[1] .. 'session:' .. id, ARGV[1] .. 'session-ended:' .. id) > 0 then out[#out + 1] = id end
end
return out`;

// ARGV: prefix, session id, version.
const MARK_STORED = `local k = ARGV[1] .. 'session-stored:' .. ARGV[2]
if tonumber(redis.call('GET', k) or '0') < tonumber(ARGV[3]) then redis.call('SET', k, ARGV[3], 'PX', 600000) end
return 0`;

// ARGV: prefix, session id, version ('0': the session is gone), deadline ('' for none).
const REARM = `local v = redis.call('HGET', ARGV[1] .. 'session:' .. ARGV[2], 'v')
local timers = ARGV[1] .. 'session-timers'
if (not v and ARGV[3] == '0') or v == ARGV[3] then
  if ARGV[4] == '' then redis.call('ZREM', timers, ARGV[2]) else redis.call('ZADD', timers, ARGV[4], ARGV[2]) end
end
return 0`;

// ARGV: prefix, session id, version, state, deadline ('' for none), JSON [key, id, ...] of its lookups. Writes the
// state unless the session is there or ended; a lookup taken meanwhile by another session is left to it.
const SEED = `local p = ARGV[1]
local hash = p .. 'session:' .. ARGV[2]
if redis.call('EXISTS', hash) == 1 then return 'exists' end
if redis.call('EXISTS', p .. 'session-ended:' .. ARGV[2]) == 1 then return 'ended' end
redis.call('HSET', hash, 'v', ARGV[3], 's', ARGV[4])
if ARGV[5] ~= '' then redis.call('ZADD', p .. 'session-timers', ARGV[5], ARGV[2]) end
local set = cjson.decode(ARGV[6])
for i = 1, #set, 2 do redis.call('SET', p .. set[i], set[i + 1], 'NX') end
return 'seeded'`;

// ARGV: prefix, JSON [participant, token, ...]. Each pair is written unless Redis has a token for that participant.
const PUT_BACK_TOKENS = `local pairs = cjson.decode(ARGV[2])
for i = 1, #pairs, 2 do
  local of = ARGV[1] .. 'resume-of:' .. pairs[i]
  if redis.call('EXISTS', of) == 0 then
    redis.call('SET', of, pairs[i + 1])
    redis.call('SET', ARGV[1] .. 'resume:' .. pairs[i + 1], pairs[i])
  end
end
return 0`;

export class RedisLiveSessions implements LiveSessions {
  readonly shared = true;
  private readonly prefix: string;
  private readonly scripts: {
    commit: LuaScript<[string, number?]>;
    find: LuaScript<string | null>;
    held: LuaScript<string[]>;
    markStored: LuaScript<number>;
    rearm: LuaScript<number>;
    seed: LuaScript<'seeded' | 'exists' | 'ended'>;
    putBackTokens: LuaScript<number>;
  };

  constructor(private readonly redis: RedisConnections) {
    this.prefix = redis.key('');
    const c = redis.commands;
    this.scripts = {
      commit: luaScript(c, 0, COMMIT),
      find: luaScript(c, 0, FIND),
      held: luaScript(c, 0, HELD),
      markStored: luaScript(c, 0, MARK_STORED),
      rearm: luaScript(c, 0, REARM),
      seed: luaScript(c, 0, SEED),
      putBackTokens: luaScript(c, 0, PUT_BACK_TOKENS),
    };
  }

  async find(key: SessionKey): Promise<Session | undefined> {
    const [index, id] = lookup(key);
    const state = await needRedis('sessions cannot be read', () => this.scripts.find([], [this.prefix, index, id]));
    return state === null ? undefined : (JSON.parse(state) as Session);
  }

  async participantForResumeToken(token: string): Promise<string | undefined> {
    const found = await needRedis('sessions cannot be read', () =>
      this.redis.commands.get(this.redis.key('resume', token)),
    );
    return found ?? undefined;
  }

  async commit(c: Commit): Promise<CommitResult> {
    const changed = c.next !== c.previous;
    const indexes = changed ? indexChanges(c.previous, c.next) : { set: [], del: [], forget: [] };
    const plan = {
      id: c.next.id,
      expected: String(c.previous?.version ?? 0),
      version: String(c.next.version),
      codeKey: IndexKey.code(c.next.code),
      ended: c.next.status === 'ended',
      deadline: c.deadline === undefined ? '' : String(c.deadline),
      ...indexes,
      tokens: c.tokens.flatMap((t) => [t.participantId, t.token]),
      spends: c.spends ? [c.spends.participantId, c.spends.token] : [],
      held: c.heldBy ? [c.heldBy.participantId, c.heldBy.instance ?? ''] : [],
    };
    const state = changed ? JSON.stringify(c.next) : '';
    const [result, stored] = await needRedis('sessions cannot be changed', () =>
      this.scripts.commit([], [this.prefix, JSON.stringify(plan), state]),
    );
    if (result === 'ok') return { ok: true, storedVersion: stored ?? 0 };
    return { ok: false, why: result as 'conflict' | 'code_taken' | 'token_spent' | 'held' };
  }

  async rearm(sessionId: string, version: number, deadline: number | undefined): Promise<void> {
    await needRedis('session clocks cannot be set', () =>
      this.scripts.rearm([], [this.prefix, sessionId, String(version), deadline === undefined ? '' : String(deadline)]),
    );
  }

  async storedUpTo(sessionId: string, version: number): Promise<void> {
    const key = this.redis.key('session-stored', sessionId);
    const deadline = Date.now() + STORED_WAIT_MS;
    while (Date.now() < deadline) {
      const stored = await this.redis.commands.get(key).then(Number, () => Infinity);
      // Unreadable (Infinity): not worth holding the session up for.
      if (stored >= version) return;
      await new Promise((resolve) => setTimeout(resolve, STORED_POLL_MS));
    }
  }

  async markStored(sessionId: string, version: number): Promise<void> {
    await this.scripts.markStored([], [this.prefix, sessionId, String(version)]);
  }

  /** Puts back a live session Redis lost (it restarted empty) from an instance's copy: its state, lookups and clock.
   * Its members' resume tokens are put back by the instances that hold their sockets (`putBackResumeTokens`). */
  async seed(session: Session, deadline: number | undefined): Promise<'seeded' | 'exists' | 'ended'> {
    const lookups = indexChanges(undefined, session).set;
    return this.scripts.seed(
      [],
      [
        this.prefix,
        session.id,
        String(session.version),
        JSON.stringify(session),
        deadline === undefined ? '' : String(deadline),
        JSON.stringify(lookups),
      ],
    );
  }
  /** Resume tokens an instance issued to the members whose sockets it holds, after Redis lost them. */
  async putBackResumeTokens(grants: readonly TokenGrant[]): Promise<void> {
    await this.scripts.putBackTokens(
      [],
      [this.prefix, JSON.stringify(grants.flatMap((g) => [g.participantId, g.token]))],
    );
  }

  async held(sessionIds: readonly string[]): Promise<Set<string>> {
    if (sessionIds.length === 0) return new Set();
    const found = await needRedis('sessions cannot be read', () => this.scripts.held([], [this.prefix, ...sessionIds]));
    return new Set(found);
  }
}

/** The lookup key (none for an id) and the session id. */
function lookup(key: SessionKey): [string, string] {
  switch (key.by) {
    case 'id':
      return ['', key.id];
    case 'code':
      return [IndexKey.code(key.code), ''];
    case 'member':
      return [IndexKey.member(key.participantId), ''];
    case 'pendingGuest':
      return [IndexKey.pendingGuest(key.guestId), ''];
    case 'invite':
      return [IndexKey.invite(key.token), ''];
    case 'invitation':
      return [IndexKey.invitation(key.invitationId), ''];
  }
}
