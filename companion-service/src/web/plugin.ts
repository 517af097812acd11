import { existsSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Config } from '../config/schema';
import type { PublicConfig } from '../protocol/http';
import { webDistDir } from '../paths';

/** The browser clients, built by esbuild into companion-service/dist/web, and the settings they need. */
export const webPlugin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  if (!existsSync(webDistDir)) {
    throw new Error(`browser clients are not built (${webDistDir} is missing): run "npm run build:web"`);
  }
  await app.register(fastifyStatic, { root: webDistDir, prefix: '/', index: ['index.html'], redirect: true });

  const pages: Record<string, string> = { '/join': 'join/index.html', '/console': 'console/index.html', '/guest': 'guest/index.html' };
  for (const [route, file] of Object.entries(pages)) app.get(route, (_request, reply) => reply.sendFile(file));

  app.get('/api/config', async (): Promise<PublicConfig> => ({
    devSignIn: config.devSignIn,
    demoPortal: config.demoPortal,
    codeLength: config.session.codeLength,
  }));
};
