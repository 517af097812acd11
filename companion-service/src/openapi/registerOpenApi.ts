import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { Config } from '../config/schema';

/* The HTTP API described as OpenAPI 3, made from the routes' own schemas (@fastify/swagger collects them as routes
 * are added, so it is registered on the root instance before them). Served as /openapi.json while development sign-in is on; the same
 * document is checked into docs/openapi.json (`npm run docs:openapi`, a test fails when it is stale). The WebSocket
 * protocol is in docs/protocol.md. */

export async function registerOpenApi(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Tandem companion service',
        description:
          'HTTP routes of the Tandem companion service. The WebSocket protocol (/ws) is described in docs/protocol.md.',
        version: '1',
      },
      components: {
        securitySchemes: {
          agentToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'An agent token (development sign-in, Sign in with Salesforce or the Apex endpoints).',
          },
          orgApiKey: {
            type: 'apiKey',
            in: 'header',
            name: 'x-tandem-api-key',
            description: 'A registered Salesforce org’s API key (Apex callouts).',
          },
          siteKey: {
            type: 'apiKey',
            in: 'header',
            name: 'x-tandem-site-key',
            description: 'A site’s API key (its server minting visitor tokens).',
          },
        },
      },
    },
  });
  if (config.devSignIn) {
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  }
}
