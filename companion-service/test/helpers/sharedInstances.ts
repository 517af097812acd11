import type { Redis } from 'ioredis';
import type { DeepPartial } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { dropSchema, freshSchema, postgresConfig, sql } from './postgres';
import { dropKeys, redisClient, testKeyPrefix, testRedisSettings } from './redis';
import { startServer, type RunningServer } from './testServer';
import type { ServerMessageOf } from '../../src/protocol/messages';
import { TestClient } from './wsClient';

/* Instances of the service in this process that share what a scaled deployment shares: one Redis key prefix and one
 * PostgreSQL schema, both their own (dropped by `stop`). Each instance is a whole server (its own Redis connections,
 * bus, caches and sockets), so everything between them goes through Redis as between processes; tests that need a
 * crash or a signal use real processes (scripts/serviceProcess.ts). */

export interface SharedInstances {
  readonly servers: RunningServer[];
  readonly keyPrefix: string;
  readonly schema: string;
  /** A plain client of the test Redis, for looking at what the instances wrote. */
  readonly redis: Redis;
  /** A socket to instance `i`, closed by `stop`. */
  connect(i: number): Promise<TestClient>;
  /** A visitor who starts a session on instance `v`, and an agent (with `agentToken`) who joins it with the code on
   * instance `a`. */
  callByCode(v: number, a: number, agentToken: string): Promise<CallByCode>;
  /** One statement on the shared schema. */
  rows<R extends Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  stop(): Promise<void>;
}

export interface CallByCode {
  visitor: TestClient;
  agent: TestClient;
  created: ServerMessageOf<'session.created'>;
  joined: ServerMessageOf<'session.joined'>;
  announced: ServerMessageOf<'peer.joined'>;
  sessionId: string;
  visitorId: string;
  agentId: string;
}

export async function startSharedInstances(
  count: number,
  overrides: DeepPartial<Config> = {},
  /** Where the instances reach Redis (a proxy in front of the test Redis, say). */
  { redisUrl }: { redisUrl?: string } = {},
): Promise<SharedInstances> {
  const keyPrefix = testKeyPrefix();
  const schema = freshSchema();
  const redis = redisClient();
  const servers: RunningServer[] = [];
  const clients: TestClient[] = [];
  const stopAll = async () => {
    for (const c of clients) c.close();
    for (const server of servers) await server.stop();
    await dropKeys(redis, keyPrefix);
    redis.disconnect();
    await dropSchema(schema);
  };
  try {
    // One after the other: the first migrates the schema the others then find ready.
    for (let i = 0; i < count; i++)
      servers.push(
        await startServer({
          ...overrides,
          redis: testRedisSettings(keyPrefix, redisUrl),
          store: postgresConfig(schema),
        }),
      );
  } catch (err) {
    await stopAll();
    throw err;
  }
  const connect = async (i: number) => {
    const client = await TestClient.connect(servers[i]!.wsUrl);
    clients.push(client);
    return client;
  };
  return {
    servers,
    keyPrefix,
    schema,
    redis,
    connect,
    async callByCode(v, a, agentToken) {
      const visitor = await connect(v);
      visitor.send({ type: 'visitor.start' });
      const created = await visitor.next('session.created');
      const agent = await connect(a);
      agent.send({ type: 'agent.join', token: agentToken, code: created.code });
      const joined = await agent.next('session.joined');
      const announced = await visitor.next('peer.joined');
      const ids = { sessionId: created.sessionId, visitorId: created.self.id, agentId: joined.self.id };
      return { visitor, agent, created, joined, announced, ...ids };
    },
    rows: (text, values) => sql(schema, text, values),
    stop: stopAll,
  };
}
