import path from 'node:path';

/* The demo portal's files in the built clients (companion-service/dist/web): its home page at the root (index.html)
 * and everything under portal/. Served only while `demoPortal` is on. */

/** Is this requested file (a path under dist/web, as the static server resolves it) part of the demo portal? */
export function isDemoPortalFile(requested: string): boolean {
  const normal = path.posix.normalize(`/${requested}`).replace(/\/+$/, '') || '/';
  return normal === '/' || normal === '/index.html' || normal === '/portal' || normal.startsWith('/portal/');
}
