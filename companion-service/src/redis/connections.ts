import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config/schema';

/* The process's two connections to Redis: one for commands (counters, presence, publishing) and one that only
 * subscribes (pub/sub takes a connection over). Both fail fast while Redis is away instead of queueing: nothing is
 * sent late, and each feature decides what it does without Redis (docs/deploy.md, "Redis"). Reconnecting is
 * ioredis's, with a backoff; the features put their state back when a connection is ready again. */

const CONNECT_TIMEOUT_MS = 5_000;
/** A command without an answer by then fails, so a Redis that hangs (rather than refuses) is noticed too. */
const COMMAND_TIMEOUT_MS = 2_000;

const WATCHDOG_MS = 3_000;

/** Where Redis is, for logs: the URL holds the password, which never goes there. */
export function describeRedis(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return '(unparsable URL)';
  }
}

export class RedisConnections {
  readonly commands: Redis;
  readonly subscriber: Redis;
  /** This process in Redis: its host name, its pid and a random part, so a restarted process is never taken for the
   * one it replaces. */
  readonly instanceId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly keyPrefix: string;
  readonly instanceTtlMs: number;
  private closing = false;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(settings: Config['redis'], log: FastifyBaseLogger) {
    this.keyPrefix = settings.keyPrefix;
    this.instanceTtlMs = settings.instanceTtlSeconds * 1000;
    const where = describeRedis(settings.url);
    const options: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      // Commands in flight when the connection drops fail at once instead of being sent again on reconnect.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      // The bus subscribes again itself, from what its sockets follow now (bus/redisBus.ts).
      autoResubscribe: false,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    };
    this.commands = new Redis(settings.url, { ...options, connectionName: `tandem:${this.instanceId}:commands` });
    this.subscriber = new Redis(settings.url, { ...options, connectionName: `tandem:${this.instanceId}:subscriber` });
    for (const [role, client] of [
      ['commands', this.commands],
      ['subscriber', this.subscriber],
    ] as const) {
      let lost = false;
      // ioredis reports each failed attempt; the log says once that Redis went away and once that it is back.
      client.on('error', (err: Error) => {
        if (this.closing) return;
        if (!lost)
          log.warn(
            { redis: where, connection: role, err: { message: err.message } },
            'Redis connection failed; retrying',
          );
        lost = true;
      });
      client.on('close', () => {
        if (this.closing || lost) return;
        lost = true;
        log.warn({ redis: where, connection: role }, 'Redis connection lost; retrying');
      });
      client.on('ready', () => {
        if (lost) log.info({ redis: where, connection: role }, 'Redis connection is back');
        lost = false;
      });
    }
  }

  key(...parts: string[]): string {
    return this.keyPrefix + parts.join(':');
  }

  isReady(): boolean {
    return this.commands.status === 'ready' && this.subscriber.status === 'ready';
  }

  /** Connects both; resolves true once both are ready, false if they are not by the deadline (they keep trying). */
  async connect(timeoutMs: number): Promise<boolean> {
    this.watchdog ??= setInterval(() => this.pingBoth(), WATCHDOG_MS);
    this.watchdog.unref();
    const ready = (client: Redis) =>
      new Promise<void>((resolve) => {
        if (client.status === 'ready') return resolve();
        client.once('ready', () => resolve());
        // A failed first attempt rejects here; ioredis keeps retrying by itself.
        if (client.status === 'wait') client.connect().catch(() => undefined);
      });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([
        Promise.all([ready(this.commands), ready(this.subscriber)]).then(() => true),
        deadline,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A Redis that hangs, or a connection the network dropped without a word, closes no socket: a PING that gets no
   * answer in time makes the connection start again. */
  private pingBoth(): void {
    for (const client of [this.commands, this.subscriber]) {
      if (client.status !== 'ready') continue;
      client.ping().catch(() => {
        if (client.status === 'ready' && !this.closing) client.disconnect(true);
      });
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.watchdog);
    for (const client of [this.commands, this.subscriber]) {
      // No more attempts, even from one already under way when the connection is closed.
      client.options.retryStrategy = () => null;
    }
    await Promise.all([this.commands, this.subscriber].map((c) => c.quit().catch(() => c.disconnect())));
  }
}
