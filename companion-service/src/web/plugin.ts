import { existsSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Config } from '../config/schema';
import { PublicConfig } from '../protocol/http';
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

  const pages: Record<string, { file: string; summary: string }> = {
    '/join': { file: 'join/index.html', summary: 'The agent join page (HTML)' },
    '/console': { file: 'console/index.html', summary: 'The agent console (HTML); it joins with a single-use console ticket' },
    '/guest': { file: 'guest/index.html', summary: 'The guest page (HTML), opened from a guest link' },
  };
  for (const [route, page] of Object.entries(pages)) app.get(route, { schema: { summary: page.summary } }, (_request, reply) => reply.sendFile(page.file));

  app.get('/api/config', { schema: { response: { 200: PublicConfig } } }, async (): Promise<PublicConfig> => ({
    devSignIn: config.devSignIn,
    demoPortal: config.demoPortal,
    codeLength: config.session.codeLength,
  }));
};
