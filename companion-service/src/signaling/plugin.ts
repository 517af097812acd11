import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import { Type } from '@sinclair/typebox';
import type { Bus } from '../bus/bus';
import type { Config } from '../config/schema';
import type { SessionService } from '../sessions/sessionService';
import { SignalingConnection, type ConnectionDeps } from './connection';
import { ErrorCode } from '../protocol/codes';
import { createAddressLimiter } from './addressLimiter';
import type { SharedRedis } from '../redis/shared';
import { livenessAction } from './liveness';
import { PingWheel } from './pingWheel';
import type { ServiceMetrics } from '../metrics/serviceMetrics';
import { originVerdict } from '../tenancy/origins';
import { INSTANCE_HEADER, instanceTag } from '../health/instanceHeader';
import type { MessageRouter } from './router';

const SLOT_MS = 100;
const MAX_SLOTS = 600;

export interface SignalingOptions {
  config: Config;
  metrics: ServiceMetrics;
  sessions: SessionService;
  router: MessageRouter;
  bus: Bus;
  /** Counts each address's sockets and session starts with every instance's when set. */
  redis?: SharedRedis | undefined;
}

/** The one WebSocket endpoint, `/ws`. Features register their message handlers on the router; this plugin owns the
 * sockets: limits, validation, liveness pings, shutdown. */
export const signalingPlugin: FastifyPluginAsync<SignalingOptions> = async (app, opts) => {
  const connections = new Set<SignalingConnection>();
  const { limits } = opts.config;
  const addresses = createAddressLimiter(limits, opts.redis, app.log);
  const idleMs = limits.idleSocketSeconds * 1000;

  await app.register(websocket, {
    // Set explicitly: the ws default would accept 100 MiB frames. Larger frames close the socket with 1009.
    // No client tracking: `connections` is the one list of open sockets (ws's own would add a Set entry and a
    // 'close' listener per socket).
    options: { maxPayload: opts.config.socket.maxPayloadBytes, clientTracking: false },
    preClose: async () => {
      if (opts.redis) {
        // A deploy: the sessions go on, on the other instances. The instance has drained already (TandemServer.drain:
        // /readyz answered 503 while it still served, until the load balancer noticed), and Fastify refuses new
        // requests from now on: the sockets close with 1012 and their clients resume elsewhere. Participants who
        // don't are marked away by the instance that clears up after this one.
        opts.sessions.drain();
        // What the sockets send from now on is not taken, and what they sent before is answered before they close: a
        // resume under way has spent its client's token, and only its answer carries the new one (closed first, the
        // client would resume elsewhere with the spent token and be refused).
        for (const connection of connections) connection.stopTaking();
        await Promise.all([...connections].map((connection) => connection.idle()));
        await opts.sessions.settle();
        for (const connection of connections) connection.restart();
        await opts.sessions.settle();
        // Still alive for a moment: the clients resume elsewhere meanwhile, and the instance that clears up after this
        // one finds them held there (it marks away only those who did not come back).
        await new Promise((resolve) => setTimeout(resolve, opts.config.shutdown.handoverSeconds * 1000));
        return;
      }
      // This process holds every live session: end them (their members are told why, their records written) before
      // the sockets go, rather than leave them open in the store with nobody holding them.
      await opts.sessions.endAll();
      for (const connection of connections) connection.shutdown();
    },
  });

  // The upgrade's answer is written by ws, not Fastify: it says which instance took the socket too.
  if (opts.redis) {
    const line = `${INSTANCE_HEADER}: ${instanceTag(opts.redis.connections.instanceId)}`;
    app.websocketServer.on('headers', (headers: string[]) => headers.push(line));
  }

  // Dead sockets (laptop lid closed, network gone) are dropped so the participant's grace period starts; quiet ones
  // are pinged to find out (liveness.ts). Each socket is visited once per interval, in slices of about 100 ms, so
  // the sweep never holds up messages for long.
  const intervalMs = opts.config.socket.pingIntervalSeconds * 1000;
  let sweptAt = Date.now();
  const wheel = new PingWheel<SignalingConnection>(
    Math.min(MAX_SLOTS, Math.max(1, Math.round(intervalMs / SLOT_MS))),
    (connection) => {
      // A socket that never started, joined or identified anything is closed: answering pings is not enough.
      if (!connection.started && sweptAt - connection.openedAt >= idleMs) return connection.closeIdle();
      const action = livenessAction(sweptAt - connection.lastHeard, intervalMs);
      if (action === 'terminate') connection.terminate();
      else if (action === 'ping') connection.ping();
    },
  );
  const pinger = setInterval(() => {
    sweptAt = Date.now();
    wheel.tick();
  }, intervalMs / wheel.slotCount);
  pinger.unref();

  // One object shared by every connection: one hidden class, so reads on the relay's hot path stay monomorphic.
  const deps: ConnectionDeps = {
    config: opts.config,
    sessions: opts.sessions,
    router: opts.router,
    bus: opts.bus,
    metrics: opts.metrics,
    log: app.log,
    forget: (connection) => {
      connections.delete(connection);
      wheel.delete(connection);
      addresses.closeSocket(connection.ip);
    },
    startSession: (address) => addresses.startSession(address, Date.now()),
  };

  // Only pages of a configured site (and the service's own) may open a socket: the upgrade of any other Origin is
  // refused over HTTP (403) before any socket exists, so a page elsewhere can't pass for a customer's visitor. Each
  // address may hold only so many sockets (429). The socket's site is kept for the session it starts.
  const admitSocket = async (request: FastifyRequest, reply: FastifyReply) => {
    const verdict = originVerdict(request.headers.origin, opts.config);
    if (!verdict.allowed) {
      request.log.warn(
        { origin: String(request.headers.origin ?? '').slice(0, 300) },
        'refused a socket: origin not allowed',
      );
      return reply.code(403).send({ code: ErrorCode.Forbidden, message: 'This page may not connect to the service.' });
    }
    socketSites.set(request.raw, verdict.siteId);
    if (await addresses.openSocket(request.ip)) {
      // Given back if the connection goes before the handshake is done; the listener goes once it is (it closes over
      // the request, which an open socket must not keep alive).
      const ip = request.ip;
      const tcp = request.raw.socket;
      const giveBack = () => addresses.closeSocket(ip);
      // Counting may have waited on Redis, long enough for the connection to have gone already.
      if (tcp.destroyed) return giveBack();
      tcp.once('close', giveBack);
      pendingUpgrades.set(request.raw, () => tcp.removeListener('close', giveBack));
      return;
    }
    request.log.warn({ ip: request.ip }, 'refused a socket: too many open from this address');
    return reply
      .code(429)
      .header('retry-after', '10')
      .send({ code: ErrorCode.RateLimited, message: 'Too many connections from your address.' });
  };
  /** The site each admitted upgrade's page belongs to (null: the service's own pages, or no Origin). */
  const socketSites = new WeakMap<IncomingMessage, string | null>();
  /** Upgrades counted by admitSocket and not yet sockets, with how to stop watching them. */
  const pendingUpgrades = new WeakMap<IncomingMessage, () => void>();

  // Not counted by the HTTP rate limit (each socket has its own per-message limit), and no security headers (ws
  // writes the upgrade's answer itself). Nothing of the upgrade's HTTP exchange may outlive it, since every object an
  // open socket keeps is marked again by each full collection ("Service tuning" in docs/benchmarks.md): the library's
  // 'error' listener (it closes over request and reply; SignalingConnection handles errors) goes, and the upgrade's
  // response, which the library assigns to the TCP socket, is detached.
  const upgradeResponses = new WeakMap<IncomingMessage, ServerResponse>();
  const keepUpgradeResponse = (request: { raw: IncomingMessage }, reply: { raw: ServerResponse }, done: () => void) => {
    upgradeResponses.set(request.raw, reply.raw);
    done();
  };
  app.get(
    '/ws',
    {
      websocket: true,
      helmet: false,
      config: { rateLimit: false },
      onRequest: admitSocket,
      preHandler: keepUpgradeResponse,
    },
    (socket, request) => {
      pendingUpgrades.get(request.raw)?.();
      pendingUpgrades.delete(request.raw);
      socket.removeAllListeners('error');
      const response = upgradeResponses.get(request.raw);
      if (response?.socket) response.detachSocket(response.socket);
      const userAgent = String(request.headers['user-agent'] ?? '').slice(0, 512);
      const connection = new SignalingConnection(
        socket,
        request.ip,
        userAgent,
        socketSites.get(request.raw) ?? null,
        deps,
      );
      connections.add(connection);
      wheel.add(connection);
    },
  );

  // The widget asks this once per tab before it shows itself, so that on a page its site doesn't list it can say so
  // in the browser console and stay hidden, instead of showing a launcher whose calls would fail. Readable from any
  // page (no credentials are involved, and the answer only repeats the configuration's verdict on the caller).
  const OriginAnswer = Type.Object({
    allowed: Type.Boolean({ description: 'whether pages of the asking Origin may open /ws' }),
  });
  app.get(
    '/api/widget/origin',
    { helmet: false, schema: { response: { 200: OriginAnswer } } },
    async (request, reply) => {
      const verdict = originVerdict(request.headers.origin, opts.config);
      return reply
        .header('access-control-allow-origin', '*')
        .header('vary', 'origin')
        .header('cache-control', 'no-store')
        .send({ allowed: verdict.allowed });
    },
  );

  // Read when Prometheus scrapes: what each open socket is now.
  opts.metrics.observeSockets(() => {
    const counts: Record<string, number> = {};
    for (const connection of connections) {
      const role = connection.participantId
        ? (opts.sessions.roleOf(connection.participantId) ?? 'waiting_guest')
        : connection.visitorId
          ? 'visitor_tab'
          : 'none';
      counts[role] = (counts[role] ?? 0) + 1;
    }
    return counts;
  });

  app.addHook('onClose', async () => {
    clearInterval(pinger);
    await opts.sessions.shutdown();
  });
};
