import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import negotiate from '@fastify/accept-negotiator';
import fastifyStatic from '@fastify/static';
import type { Config } from '../config/schema';
import { PublicConfig } from '../protocol/http';
import { webDistDir } from '../paths';
import { isDemoPortalFile } from './demoPortalFiles';
import { staticHeaders } from './staticHeaders';
import { allowScripts, PagesWithScripts } from './inlineScripts';

/** Where the built files are served: @fastify/static serves them from one wildcard route under it. */
const BUILT_FILES_PREFIX = '/';

/** A request for one of the built files (the widget's loader and chunks, pages' scripts): left out of the per-address
 * HTTP limit (server.ts). The loader is on every page of a customer's site, and that site's visitors may share one
 * address (an office, a carrier's NAT): counted, they used up the address's allowance and the widget vanished for
 * all of them. The files are cheap to send (precompressed, cached by browsers and proxies). */
export function isBuiltFileRequest(request: FastifyRequest): boolean {
  return request.routeOptions.url === `${BUILT_FILES_PREFIX}*`;
}

/** The browser clients, built by esbuild into companion-service/dist/web, and the settings they need. Without
 * `demoPortal` (production) the demo portal's pages are not served: 404, as for any unknown file. */
export const webPlugin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  if (!existsSync(webDistDir)) {
    throw new Error(`browser clients are not built (${webDistDir} is missing): run "npm run build:web"`);
  }
  await app.register(fastifyStatic, {
    root: webDistDir,
    prefix: BUILT_FILES_PREFIX,
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
    '/guest': { file: 'guest/index.html', summary: 'The guest page (HTML), opened from a guest link' },
  };
  for (const [route, page] of Object.entries(pages))
    app.get(route, { schema: { summary: page.summary } }, (_request, reply) => reply.sendFile(page.file));

  // The console's first script is in its page (it sends agent.join without waiting for a request of its own): the
  // page's policy lets that script run, by its hash, and nothing else inline.
  const consolePage = 'console/index.html';
  const pagesWithScripts = new PagesWithScripts();
  const sendConsole = async (request: FastifyRequest, reply: FastifyReply) => {
    const page = await pagesWithScripts.read(path.join(webDistDir, consolePage));
    const policy = reply.getHeader('content-security-policy');
    if (typeof policy === 'string') reply.header('content-security-policy', allowScripts(policy, page.scriptHashes));
    reply.headers(staticHeaders(consolePage)).type('text/html; charset=utf-8');
    const encoding = negotiate(String(request.headers['accept-encoding'] ?? ''), ['br', 'gzip']);
    if (!encoding) return reply.send(page.body);
    return reply.header('content-encoding', encoding).send(page.encoded[encoding]);
  };
  app.get(
    '/console',
    { schema: { summary: 'The agent console (HTML); it joins with a single-use console ticket' } },
    sendConsole,
  );
  // The file's own addresses too, rather than the static files' copy without the policy for its script.
  for (const route of ['/console/', `/${consolePage}`]) app.get(route, { schema: { hide: true } }, sendConsole);

  app.get('/api/config', { schema: { response: { 200: PublicConfig } } }, async (): Promise<PublicConfig> => ({
    devSignIn: config.devSignIn,
    demoPortal: config.demoPortal,
    codeLength: config.session.codeLength,
  }));
};
