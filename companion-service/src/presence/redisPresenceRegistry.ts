import type { FastifyBaseLogger } from 'fastify';
import type { SharedRedis } from '../redis/shared';
import { LUA_NOW_MS, luaScript, type LuaScript } from '../redis/script';
import { needRedis } from '../redis/unavailable';
import { latestTab, type PresenceRegistry } from './presenceRegistry';

/* Presence shared by every instance. Per visitor, a hash of their open tabs: tab id -> "<last active ms> <instance
 * id>". A tab counts only while its instance is alive (redis/instances.ts), so when an instance dies its visitors are
 * offline for everyone as soon as its TTL runs out; the instance that clears up after it (the reaper below) then
 * deletes its tabs and tells the followers of each visitor left without a live tab. Per instance, the set of visitors
 * it holds tabs of, for that reaper.
 *
 * Each instance also keeps its own tabs in memory. Writing them never fails the caller: without Redis they are
 * written when it is back (the restorer below puts Redis in line with memory and reports the visitors whose presence
 * that changed). Reading needs Redis: without it the answer would be wrong, so it fails (RedisUnavailableError). */

const BATCH = 200;

/** Lua: the number of tabs in hash `key` whose instance is alive; `alive` caches instance lookups. */
const LIVE = `local function live(key, alive)
  local n = 0
  local all = redis.call('HGETALL', key)
  for i = 2, #all, 2 do
    local v = all[i]
    local inst = string.sub(v, string.find(v, ' ', 1, true) + 1)
    local ok = alive[inst]
    if ok == nil then
      local score = redis.call('ZSCORE', KEYS[1], inst)
      ok = score ~= false and tonumber(score) > now
      alive[inst] = ok
    end
    if ok then n = n + 1 end
  end
  return n
end`;

/** Lua: does hash `key` hold a tab of instance `inst`? */
const HOLDS = `local function holds(key, inst)
  local all = redis.call('HGETALL', key)
  for i = 2, #all, 2 do
    local v = all[i]
    if string.sub(v, string.find(v, ' ', 1, true) + 1) == inst then return true end
  end
  return false
end`;

// KEYS: instances, visitor's tabs, this instance's visitors. ARGV: tab, "<at> <instance>", visitor key.
const ADD = `${LUA_NOW_MS}
${LIVE}
local before = live(KEYS[2], {})
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
return (before == 0 and live(KEYS[2], {}) > 0) and 1 or 0`;

// KEYS: instances, visitor's tabs, this instance's visitors. ARGV: tab, instance, visitor key.
const REMOVE = `${LUA_NOW_MS}
${LIVE}
${HOLDS}
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 0 end
local before = live(KEYS[2], {})
redis.call('HDEL', KEYS[2], ARGV[1])
if not holds(KEYS[2], ARGV[2]) then redis.call('SREM', KEYS[3], ARGV[3]) end
return (before > 0 and live(KEYS[2], {}) == 0) and 1 or 0`;

// KEYS: visitor's tabs. ARGV: tab, "<at> <instance>".
const TOUCH = `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 0`;

// KEYS: instances, visitor's tabs. Returns the live tabs as tab, at, tab, at...
const READ = `${LUA_NOW_MS}
local out = {}
local alive = {}
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local v = all[i + 1]
  local space = string.find(v, ' ', 1, true)
  local inst = string.sub(v, space + 1)
  local ok = alive[inst]
  if ok == nil then
    local score = redis.call('ZSCORE', KEYS[1], inst)
    ok = score ~= false and tonumber(score) > now
    alive[inst] = ok
  end
  if ok then
    out[#out + 1] = all[i]
    out[#out + 1] = string.sub(v, 1, space - 1)
  end
end
return out`;

// KEYS: instances, this instance's visitors. ARGV: instance, tabs key prefix, JSON {visitor: {tab: at}} of what this
// instance holds for these visitors (empty for one it holds nothing of any more). Returns the visitors whose
// presence this changed, each followed by 1 (now online) or 0.
const SYNC = `${LUA_NOW_MS}
${LIVE}
local inst = ARGV[1]
local changed = {}
for visitor, tabs in pairs(cjson.decode(ARGV[3])) do
  local key = ARGV[2] .. visitor
  local before = live(key, {})
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    local v = all[i + 1]
    if string.sub(v, string.find(v, ' ', 1, true) + 1) == inst and tabs[all[i]] == nil then redis.call('HDEL', key, all[i]) end
  end
  local any = false
  for tab, at in pairs(tabs) do
    redis.call('HSET', key, tab, at .. ' ' .. inst)
    any = true
  end
  if any then redis.call('SADD', KEYS[2], visitor) else redis.call('SREM', KEYS[2], visitor) end
  local online = live(key, {}) > 0
  if (before > 0) ~= online then
    changed[#changed + 1] = visitor
    changed[#changed + 1] = online and 1 or 0
  end
end
return changed`;

// KEYS: instances, the dead instance's visitors. ARGV: dead instance, tabs key prefix, how many. Takes up to that many
// of its visitors and deletes its tabs; returns how many are left to do and the visitors left without a live tab.
// Nothing to do if it is alive again (it writes its tabs itself).
const REAP = `${LUA_NOW_MS}
${LIVE}
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {0, {}} end
local offline = {}
for _, visitor in ipairs(redis.call('SPOP', KEYS[2], tonumber(ARGV[3]))) do
  local key = ARGV[2] .. visitor
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    local v = all[i + 1]
    if string.sub(v, string.find(v, ' ', 1, true) + 1) == ARGV[1] then redis.call('HDEL', key, all[i]) end
  end
  if live(key, {}) == 0 then offline[#offline + 1] = visitor end
end
return {redis.call('SCARD', KEYS[2]), offline}`;

export class RedisPresenceRegistry implements PresenceRegistry {
  /** This instance's tabs: visitor key -> tab id -> last active. */
  private readonly own = new Map<string, Map<string, number>>();
  private readonly listeners: Array<(visitorKey: string, online: boolean) => void> = [];
  private readonly instances: string;
  private readonly instance: string;
  private readonly tabsPrefix: string;
  private readonly ownVisitors: string;
  private readonly scripts: {
    add: LuaScript<number>;
    remove: LuaScript<number>;
    touch: LuaScript<number>;
    read: LuaScript<string[]>;
    sync: LuaScript<Array<string | number>>;
    reap: LuaScript<[number, string[]]>;
  };

  constructor(
    private readonly redis: SharedRedis,
    private readonly log: FastifyBaseLogger,
  ) {
    const { connections, liveness } = redis;
    this.instances = liveness.key;
    this.instance = connections.instanceId;
    this.tabsPrefix = connections.key('presence', '');
    this.ownVisitors = this.visitorsOf(this.instance);
    const c = connections.commands;
    this.scripts = {
      add: luaScript(c, 3, ADD),
      remove: luaScript(c, 3, REMOVE),
      touch: luaScript(c, 1, TOUCH),
      read: luaScript(c, 2, READ),
      sync: luaScript(c, 2, SYNC),
      reap: luaScript(c, 2, REAP),
    };
    liveness.onRestore(() => this.restore());
    liveness.onReap((dead) => this.reap(dead));
  }

  async add(visitorKey: string, tabId: string, now: number): Promise<boolean> {
    let tabs = this.own.get(visitorKey);
    if (!tabs) this.own.set(visitorKey, (tabs = new Map()));
    tabs.set(tabId, now);
    return this.write(() =>
      this.scripts.add(
        [this.instances, this.tabsPrefix + visitorKey, this.ownVisitors],
        [tabId, `${now} ${this.instance}`, visitorKey],
      ),
    );
  }

  async remove(visitorKey: string, tabId: string): Promise<boolean> {
    const tabs = this.own.get(visitorKey);
    if (!tabs?.delete(tabId)) return false;
    if (tabs.size === 0) this.own.delete(visitorKey);
    return this.write(() =>
      this.scripts.remove(
        [this.instances, this.tabsPrefix + visitorKey, this.ownVisitors],
        [tabId, this.instance, visitorKey],
      ),
    );
  }

  async touch(visitorKey: string, tabId: string, now: number): Promise<void> {
    const tabs = this.own.get(visitorKey);
    if (!tabs?.has(tabId)) return;
    tabs.set(tabId, now);
    await this.write(() => this.scripts.touch([this.tabsPrefix + visitorKey], [tabId, `${now} ${this.instance}`]));
  }

  async isOnline(visitorKey: string): Promise<boolean> {
    return (await this.liveTabs(visitorKey)).length > 0;
  }

  async activeTab(visitorKey: string): Promise<{ tabId: string; at: number } | undefined> {
    return latestTab(await this.liveTabs(visitorKey));
  }

  onChange(listener: (visitorKey: string, online: boolean) => void): void {
    this.listeners.push(listener);
  }

  private async liveTabs(visitorKey: string): Promise<Array<[string, number]>> {
    const flat = await needRedis('presence', () =>
      this.scripts.read([this.instances, this.tabsPrefix + visitorKey], []),
    );
    const tabs: Array<[string, number]> = [];
    for (let i = 0; i < flat.length; i += 2) tabs.push([flat[i]!, Number(flat[i + 1])]);
    return tabs;
  }

  /** A write that could not be made is made by the next restore; the caller goes on as if nothing changed. */
  private async write(call: () => Promise<number>): Promise<boolean> {
    try {
      return (await call()) === 1;
    } catch (err) {
      this.log.debug({ err }, 'presence not written to Redis; it will be when Redis is back');
      this.redis.liveness.restoreLater();
      return false;
    }
  }

  /** Redis in line with this instance's tabs: its visitors there and here, in batches. */
  private async restore(): Promise<void> {
    const there = await this.redis.connections.commands.smembers(this.ownVisitors);
    const visitors = [...new Set([...there, ...this.own.keys()])];
    for (let i = 0; i < visitors.length; i += BATCH) {
      const batch: Record<string, Record<string, string>> = {};
      for (const visitor of visitors.slice(i, i + BATCH)) {
        // An empty Lua table encodes as {}: each visitor's tabs are an object, even with none left.
        batch[visitor] = Object.fromEntries([...(this.own.get(visitor) ?? [])].map(([tab, at]) => [tab, String(at)]));
      }
      const changed = await this.scripts.sync(
        [this.instances, this.ownVisitors],
        [this.instance, this.tabsPrefix, JSON.stringify(batch)],
      );
      for (let j = 0; j < changed.length; j += 2) this.tell(String(changed[j]), changed[j + 1] === 1);
    }
  }

  private async reap(dead: string): Promise<void> {
    let left: number;
    do {
      let offline: string[];
      [left, offline] = await this.scripts.reap(
        [this.instances, this.visitorsOf(dead)],
        [dead, this.tabsPrefix, BATCH],
      );
      for (const visitor of offline) this.tell(visitor, false);
    } while (left > 0);
  }

  private tell(visitorKey: string, online: boolean): void {
    for (const listener of this.listeners) listener(visitorKey, online);
  }

  private visitorsOf(instance: string): string {
    return this.redis.connections.key('instance', instance, 'visitors');
  }
}
