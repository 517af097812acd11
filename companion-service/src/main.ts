import { ConfigError, loadConfig } from './config/load';
import { buildServer } from './server';

/** Entry point: `npm start`. Loads and validates the configuration, listens, and shuts down cleanly on SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Tandem cannot start: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const server = await buildServer(config);
  const { app } = server;
  await app.listen({ host: config.host, port: config.port });
  app.log.info(`Tandem is running: demo portal ${config.publicUrl}/  agent join page ${config.publicUrl}/join`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(
      () => process.exit(1),
      (config.redis.url ? (config.shutdown.drainSeconds + config.shutdown.handoverSeconds) * 1000 : 0) + 10_000,
    );
    force.unref();
    // With Redis the instance drains first, still serving everything (not Fastify's close, which refuses every new
    // request with 503 from its start); then the sockets move to other instances with 1012 (signaling/plugin.ts).
    await server.drain();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main().catch((err: unknown) => {
  process.stderr.write(`Tandem failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
