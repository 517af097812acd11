// Builds the browser clients into companion-service/dist/web. Runs on install, before start and before tests.
import { build } from 'esbuild';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const service = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(service, 'web');
const out = path.join(service, 'dist', 'web');
// Built beside the live directory and swapped in at the end, so a server already running (a parallel test run)
// never serves a half-built directory.
const next = `${out}.next-${process.pid}`;
const require = createRequire(import.meta.url);

const entries = {
  // Loaded by the widget only once a session has an agent in it.
  'cobrowse-recorder': 'cobrowse/recorderEntry.ts',
  widget: 'widget/widget.ts',
  'join/join': 'join/join.ts',
  'console/console': 'console/console.ts',
  'guest/guest': 'guest/guest.ts',
  'portal/portal': 'portal/portal.ts',
  'portal/form': 'portal/form.ts',
};

// Static files copied as they are: [from (under web/, or absolute), to (under dist/web/)].
const statics = [
  ['portal/index.html', 'index.html'],
  ['portal/portal.css', 'portal/portal.css'],
  ['portal/form.html', 'portal/form.html'],
  ['portal/logo.svg', 'portal/logo.svg'],
  ['join/index.html', 'join/index.html'],
  ['join/join.css', 'join/join.css'],
  ['console/index.html', 'console/index.html'],
  ['console/console.css', 'console/console.css'],
  // rrweb's replay styles (the customer's pointer in the live view), from the package as published.
  [require.resolve('@rrweb/replay/dist/style.css'), 'console/replay.css'],
  ['guest/index.html', 'guest/index.html'],
  ['guest/guest.css', 'guest/guest.css'],
  ['shared/page.css', 'shared/page.css'],
  // Browsers ask every page's origin for /favicon.ico: without it each of our pages logs a 404.
  ['shared/favicon.ico', 'favicon.ico'],
];

await rm(next, { recursive: true, force: true });
await build({
  entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, path.join(web, file)])),
  outdir: next,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  // Always: the console and widget load faster (source maps keep them readable in the browser's tools).
  minify: true,
  sourcemap: true,
  define: { global: 'globalThis' },
  inject: [path.join(web, 'shared', 'nodeShims.ts')],
  logLevel: 'warning',
});
for (const [from, to] of statics) {
  await mkdir(path.dirname(path.join(next, to)), { recursive: true });
  await cp(path.resolve(web, from), path.join(next, to));
}
const old = `${out}.old-${process.pid}`;
await rename(out, old).catch(() => undefined);
await rename(next, out);
await rm(old, { recursive: true, force: true });
console.log(`browser clients built into ${path.relative(process.cwd(), out)}`);
