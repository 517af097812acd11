import type { FastifyPluginAsync } from 'fastify';
import websocket from '@fastify/websocket';
import type { Bus } from '../bus/bus';
import type { Config } from '../config/schema';
import type { SessionService } from '../sessions/sessionService';
import { SignalingConnection } from './connection';
import type { MessageRouter } from './router';

export interface SignalingOptions {
  config: Config;
  sessions: SessionService;
  router: MessageRouter;
  bus: Bus;
}

/** The one WebSocket endpoint, `/ws`. Features register their message handlers on the router; this plugin owns the
 * sockets: limits, validation, liveness pings, shutdown. */
export const signalingPlugin: FastifyPluginAsync<SignalingOptions> = async (app, opts) => {
  const connections = new Set<SignalingConnection>();

  await app.register(websocket, {
    // Set explicitly: the ws default would accept 100 MiB frames. Larger frames close the socket with 1009.
    options: { maxPayload: opts.config.socket.maxPayloadBytes },
    preClose: async () => {
      for (const connection of connections) connection.shutdown();
    },
  });

  app.get('/ws', { websocket: true }, (socket, request) => {
    const userAgent = String(request.headers['user-agent'] ?? '').slice(0, 512);
    const connection = new SignalingConnection(socket, request.ip, userAgent, { ...opts, log: app.log });
    connections.add(connection);
    socket.on('close', () => connections.delete(connection));
  });

  // A socket that misses a whole ping interval is dead (laptop lid closed, network gone): drop it so the
  // participant's grace period starts.
  const pinger = setInterval(() => {
    for (const connection of connections) {
      if (!connection.alive) connection.terminate();
      else connection.ping();
    }
  }, opts.config.socket.pingIntervalSeconds * 1000);
  pinger.unref();

  app.addHook('onClose', async () => {
    clearInterval(pinger);
    opts.sessions.shutdown();
  });
};
