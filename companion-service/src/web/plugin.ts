import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Config } from '../config/schema';
import { PublicConfig } from '../protocol/http';
import { webDistDir } from '../paths';
import { isDemoPortalFile } from './demoPortalFiles';
import { staticHeaders } from './staticHeaders';

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
    // The build writes name.br and name.gz beside each text file: sent to browsers that accept them.
    preCompressed: true,
    // Cache-Control per kind of file (staticHeaders), not one for all.
    cacheControl: false,
    setHeaders: (res, file) => {
      for (const [name, value] of Object.entries(staticHeaders(path.relative(webDistDir, file))))
        res.setHeader(name, value);
    },
  });

  const pages: Record<string, { file: string; summary: string }> = {
    '/join': { file: 'join/index.html', summary: 'The agent join page (HTML)' },
    '/console': {
      file: 'console/index.html',
      summary: 'The agent console (HTML); it joins with a single-use console ticket',
    },
    '/guest': { file: 'guest/index.html', summary: 'The guest page (HTML), opened from a guest link' },
  };
  for (const [route, page] of Object.entries(pages))
    app.get(route, { schema: { summary: page.summary } }, (_request, reply) => reply.sendFile(page.file));

  app.get('/api/config', { schema: { response: { 200: PublicConfig } } }, async (): Promise<PublicConfig> => ({
    devSignIn: config.devSignIn,
    demoPortal: config.demoPortal,
    codeLength: config.session.codeLength,
  }));
};
