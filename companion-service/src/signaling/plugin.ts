import type { FastifyPluginAsync } from 'fastify';
import websocket from '@fastify/websocket';
import { SignalingConnection, type SignalingDeps } from './connection';

export type SignalingOptions = Omit<SignalingDeps, 'log'>;

/** The one WebSocket endpoint, `/ws`: presence of a socket per participant, the relay, liveness pings. */
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
    const connection = new SignalingConnection(socket, request.ip, { ...opts, log: app.log });
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
    opts.admission.close();
  });
};
