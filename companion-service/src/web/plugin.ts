import { existsSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Config } from '../config/schema';
import type { PublicConfig } from '../protocol/http';
import { webDistDir } from '../paths';
import { isDemoPortalFile } from './demoPortalFiles';

/** The browser clients, built by esbuild into companion-service/dist/web, and the settings they need. Without
 * `demoPortal` (production) the demo portal's pages are not served: 404, as for any unknown file. */
export const webPlugin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  if (!existsSync(webDistDir)) {
    throw new Error(`browser clients are not built (${webDistDir} is missing): run "npm run build:web"`);
  }
  await app.register(fastifyStatic, {
    root: webDistDir,
    prefix: '/',
    index: ['index.html'],
    redirect: true,
    allowedPath: (requested) => config.demoPortal || !isDemoPortalFile(requested),
  });

  const pages: Record<string, string> = { '/join': 'join/index.html', '/console': 'console/index.html', '/guest': 'guest/index.html' };
  for (const [route, file] of Object.entries(pages)) app.get(route, (_request, reply) => reply.sendFile(file));

  app.get('/api/config', async (): Promise<PublicConfig> => ({
    devSignIn: config.devSignIn,
    demoPortal: config.demoPortal,
    codeLength: config.session.codeLength,
  }));
};
