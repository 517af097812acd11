/* Benchmark child: the real Tandem service (buildServer) on 127.0.0.1, an ephemeral port, a throwaway SQLite file,
 * and limits raised so that the per-socket token bucket and the join-attempt limiter don't shape the results; with
 * --redis-url, one instance of a cluster sharing its live state through that Redis.
 * Started by signaling.ts; prints {"ready":true,"port":N} on stdout. See childControl.ts for the stdio protocol. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load';
import { buildServer } from '../src/server';
import { reply, serveControl } from './childControl';

/** The value after a command-line flag, if given. */
function arg(flag: string): string | undefined {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  // The service default unless the parent asks otherwise (signaling.ts --ping-interval).
  const pingIntervalSeconds = Number(arg('--ping-interval') ?? 15);
  // With --redis-url, the instance shares its live state through that Redis, as every instance of a cluster does
  // (signaling.ts --instances: several children on one Redis, under one key prefix).
  const redisUrl = arg('--redis-url');
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-bench-'));
  const config = loadConfig({
    // Ignore TANDEM_* variables of the shell running the benchmark: the figures must not depend on them.
    env: {},
    overrides: {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent', // pino writes to stdout, which carries the control protocol
      session: { codeLength: 8 },
      joinAttempts: { perIp: 10_000, perAgent: 1_000 },
      // Every benchmark socket comes from 127.0.0.1: the per-address caps would be the whole measurement.
      limits: { socketsPerAddress: 100_000, sessionsPerAddressPerMinute: 100_000 },
      socket: { messagesPerSecond: 100_000, burst: 100_000, violationsBeforeClose: 100_000, pingIntervalSeconds },
      store: { kind: 'sqlite', sqlitePath: path.join(dir, 'bench.db') },
      ...(redisUrl ? { redis: { url: redisUrl, keyPrefix: 'bench:', instanceTtlSeconds: 6 } } : {}),
    },
  });
  const { app } = await buildServer(config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected listen address');
  serveControl(async () => {
    try {
      await app.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  reply({ ready: true, port: address.port, pid: process.pid });
}

void main().catch((err: unknown) => {
  process.stderr.write(`tandem bench server failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
