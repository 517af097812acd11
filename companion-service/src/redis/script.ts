import type { Redis } from 'ioredis';

/** A Lua script run atomically in Redis (EVALSHA, loaded on first use by ioredis). */
export type LuaScript<R> = (keys: readonly string[], args: ReadonlyArray<string | number>) => Promise<R>;

/** Lua's clock is Redis's: instances whose clocks differ still agree on when a window ends or an instance is dead. */
export const LUA_NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

let defined = 0;

/** Defines the script on this client under a name of its own; the caller states what it returns. */
export function luaScript<R>(redis: Redis, numberOfKeys: number, lua: string): LuaScript<R> {
  const name = `tandemScript${++defined}`;
  redis.defineCommand(name, { numberOfKeys, lua });
  const command = (redis as unknown as Record<string, (...args: Array<string | number>) => Promise<R>>)[name]!.bind(
    redis,
  );
  return (keys, args) => command(...keys, ...args);
}
