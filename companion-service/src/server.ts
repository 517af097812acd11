import Fastify, { type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { Config } from './config/schema';
import { ErrorCode } from './protocol/codes';
import { errorText } from './protocol/errorText';
import { AgentAdmission } from './auth/agentAdmission';
import { createConsoleTickets } from './auth/consoleTickets';
import { authPlugin } from './auth/plugin';
import { createBus } from './bus/createBus';
import { createWrongKeyCounter } from './auth/wrongKeyCounter';
import { startRedis, stopRedis } from './redis/shared';
import { MemoryPresenceRegistry } from './presence/presenceRegistry';
import { RedisPresenceRegistry } from './presence/redisPresenceRegistry';
import type { Bus } from './bus/bus';
import { healthPlugin } from './health/plugin';
import { SessionService } from './sessions/sessionService';
import { signalingPlugin } from './signaling/plugin';
import { MessageRouter } from './signaling/router';
import { registerSessionHandlers } from './signaling/sessionHandlers';
import { PresenceService } from './presence/presenceService';
import { presencePlugin } from './presence/plugin';
import { termsPlugin } from './terms/plugin';
import { guestsPlugin } from './guests/plugin';
import { demoPlugin } from './demo/plugin';
import { salesforcePlugin } from './salesforce/plugin';
import { screenSharePlugin } from './screenShare/plugin';
import { cobrowsePlugin } from './cobrowse/plugin';
import { guidePlugin } from './guide/plugin';
import { createStore } from './store/createStore';
import type { Store } from './store/store';
import { isBuiltFileRequest, webPlugin } from './web/plugin';
import { registerOpenApi } from './openapi/registerOpenApi';
import { timedBus, timedStore } from './metrics/instrumented';
import { metricsPlugin } from './metrics/plugin';
import { ServiceMetrics } from './metrics/serviceMetrics';
import { PromptTimers } from './terms/promptTimers';

export interface TandemServer {
  app: FastifyInstance;
  store: Store;
  bus: Bus;
  sessions: SessionService;
  /** The first step of a deploy's stop, before `app.close()`: with Redis, /readyz answers 503 (shutting down) for
   * shutdown.drainSeconds while everything else is served as usual, so the load balancer takes the instance out before
   * it refuses anything; `app.close()` then closes the sockets with 1012. Without Redis there is nothing to wait for. */
  drain(): Promise<void>;
}

/** Fastify takes a hop count at run time, but its types don't: the same rule as a function. */
function trustProxyOption(
  setting: Config['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}

export interface BuildOptions {
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: { write(line: string): void };
}

/** Builds a ready-to-listen service from a validated configuration. Tests call it with port 0. */
export async function buildServer(config: Config, options: BuildOptions = {}): Promise<TandemServer> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Agent tokens, tickets and resume tokens must never reach the logs: no headers that carry them, and a request
      // is logged by its path only (a query string may hold a one-time code, e.g. Salesforce's OAuth callback).
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      serializers: {
        req: (request: { method: string; url: string; ip?: string }) => ({
          method: request.method,
          path: request.url.split('?')[0],
          ip: request.ip,
        }),
      },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    bodyLimit: 64 * 1024,
    // Off by default: believing any X-Forwarded-For would let a client pick the address the per-IP limits count.
    trustProxy: trustProxyOption(config.trustProxy),
    // Refuse unknown properties instead of silently stripping them: bad input gets a clear 400.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });

  const metrics = new ServiceMetrics();
  const store = timedStore(createStore(config.store, app.log), metrics);
  await store.migrate();
  // Live state shared by every instance (the bus, presence, counters, pending sign-ins) is in Redis when it is set.
  const redis = config.redis.url ? await startRedis(config.redis, app.log) : undefined;
  const bus = timedBus(createBus(redis, app.log), metrics);
  // Registered first, so it runs last on close: sockets are closed before the store is flushed.
  app.addHook('onClose', async () => {
    await bus.close();
    if (redis) await stopRedis(redis);
    await store.close();
  });

  const sessions = new SessionService({ config, store, bus, log: app.log, redis });
  const admission = new AgentAdmission(sessions, config, createWrongKeyCounter(config.joinAttempts, redis));
  const tickets = createConsoleTickets(config, redis);
  const presence = new PresenceService(
    bus,
    redis ? new RedisPresenceRegistry(redis, app.log) : new MemoryPresenceRegistry(),
  );
  const router = new MessageRouter();
  const promptTimers = new PromptTimers();
  app.addHook('onClose', async () => promptTimers.clearAll());
  registerSessionHandlers(router, { config, sessions, admission, tickets });
  app.addHook('onClose', async () => admission.close());

  // Reached over https (as deployed) or plain http (a local run, the demo portal). Over http, asking browsers to move
  // to https breaks the pages: Safari (WebKit) upgrades every request of a page with upgrade-insecure-requests, even
  // to localhost, and loaded neither the widget nor the console's scripts; Chromium and Firefox spare localhost.
  const overHttps = new URL(config.publicUrl).protocol === 'https:';
  await app.register(helmet, {
    // The widget script is loaded by customers' pages on other origins.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    strictTransportSecurity: overHttps,
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        // Background blur runs its segmentation model in WebAssembly (compiling it needs this; no eval of scripts).
        'script-src': ["'self'", "'wasm-unsafe-eval'"],
        'connect-src': ["'self'"],
        // The agent console replays the customer's page (rrweb) in an iframe that inherits this policy: the page's
        // images load from the customer's site (https:, and http://localhost:* when the demo portal runs locally),
        // and rrweb rebuilds its stylesheets and style attributes inline. Scripts in the replay never run.
        'img-src': ["'self'", 'data:', 'blob:', 'https:', ...(config.demoPortal ? ['http://localhost:*'] : [])],
        'style-src': ["'self'", 'https:', "'unsafe-inline'"],
        'media-src': ["'self'", 'blob:'],
        // DOM XSS sinks (innerHTML, a script's src, srcdoc…) take no plain strings on the service's pages: the console
        // replays pages customers' browsers describe, and nothing of ours writes markup.
        'require-trusted-types-for': ["'script'"],
        'upgrade-insecure-requests': overHttps ? [] : null,
      },
    },
  });
  await app.register(rateLimit, {
    max: config.limits.httpRequestsPerAddressPerMinute,
    timeWindow: '1 minute',
    allowList: isBuiltFileRequest,
    // Counted across instances in Redis when it is set. Without it (an outage) requests are let through rather than
    // refused: this limit guards capacity, and every instance's /readyz is failing meanwhile.
    ...(redis
      ? { redis: redis.connections.commands, nameSpace: redis.connections.key('rate', ''), skipOnError: true }
      : {}),
    // Our error body (routes whose schema declares ErrorBody would turn the plugin's default into a 500). The
    // plugin sets retry-after itself.
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(errorText(ErrorCode.RateLimited)), {
        statusCode: context.statusCode,
        code: ErrorCode.RateLimited,
        retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)),
      }),
  });
  await registerOpenApi(app, config);
  await app.register(metricsPlugin, { config, metrics });
  metrics.observeSessions(() => sessions.countByStatus());
  metrics.observeOutbox(() => store.countSalesforceOutbox());
  const readiness = { draining: false };
  await app.register(healthPlugin, { store, redis: redis?.connections, readiness });
  await app.register(authPlugin, { config, admission, tickets });
  await app.register(presencePlugin, { config, presence, router });
  await app.register(termsPlugin, { config, sessions, presence, tickets, router, promptTimers });
  await app.register(guestsPlugin, { sessions, router });
  await app.register(cobrowsePlugin, { config, sessions, router, bus });
  await app.register(screenSharePlugin, { sessions, router });
  await app.register(guidePlugin, { sessions, router });
  await app.register(signalingPlugin, { config, metrics, sessions, router, bus, redis });
  await app.register(demoPlugin, { config });
  await app.register(salesforcePlugin, { config, store, sessions, presence, tickets, admission, promptTimers, redis });
  await app.register(webPlugin, { config });
  // Once every feature listens for ended sessions (the Salesforce outbox does), end those a killed process left open.
  // With Redis, this instance says it is alive before it takes any socket: tabs and sockets count only for live ones.
  app.addHook('onReady', async () => {
    if (redis) await redis.liveness.start();
    sessions.start();
    const ended = await sessions.recoverAbandoned();
    if (ended > 0) app.log.warn({ sessions: ended }, 'ended sessions a previous process left open (service_restart)');
  });
  const drain = async () => {
    if (!redis) return;
    readiness.draining = true;
    await new Promise((resolve) => setTimeout(resolve, config.shutdown.drainSeconds * 1000));
  };
  return { app, store, bus, sessions, drain };
}
