import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config/schema';
import type { ServiceMetrics } from './serviceMetrics';

/* /metrics for Prometheus, never open to the world: on the service's own port only for requests bearing
 * `metrics.token`, and, when `metrics.port` is set, on a listener of its own bound to `metrics.host` (a private
 * address the monitoring network reaches) without a token. With neither, /metrics does not exist. */

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (\S+)$/.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export const metricsPlugin: FastifyPluginAsync<{ config: Config; metrics: ServiceMetrics }> = async (
  app,
  { config, metrics },
) => {
  const { token, port, host } = config.metrics;
  if (token) {
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (!bearerMatches(request.headers.authorization, token)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({ code: 'unauthorized', message: 'A metrics token is needed.' });
      }
      return reply.header('content-type', CONTENT_TYPE).send(await metrics.text());
    });
  }
  if (port === 0) return;
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    metrics.text().then(
      (text) => response.writeHead(200, { 'content-type': CONTENT_TYPE }).end(text),
      (err: unknown) => {
        app.log.error({ err }, 'metrics could not be collected');
        response.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  app.log.info({ host, port }, 'metrics listener started');
  app.addHook('onClose', async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
};
