import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';

/* Real framework apps as test fixtures (test/fixtures/apps/): React, Vue 3, Angular (with zone.js) and a
 * plain-JavaScript app, each bundled from its npm package with esbuild and served from its own origin (a small HTTP
 * server on its own port of localhost, a secure context, so the widget can use the camera), with the widget's script
 * tag as a customer's site would have it. */

export type AppKind = 'react' | 'vue' | 'angular' | 'plain';
export const APP_KINDS: readonly AppKind[] = ['react', 'vue', 'angular', 'plain'];

export interface AppFixture {
  kind: AppKind;
  /** The app's page, e.g. http://localhost:41234/ */
  url: string;
  stop(): Promise<void>;
}

const APPS = path.resolve(__dirname, '..', 'fixtures', 'apps');
/** Each app's entry module (under APPS) and its name in the page title. */
const APPS_BY_KIND: Record<AppKind, { entry: string; label: string }> = {
  react: { entry: 'react/main.tsx', label: 'React' },
  vue: { entry: 'vue/main.ts', label: 'Vue' },
  angular: { entry: 'angular/main.ts', label: 'Angular' },
  plain: { entry: 'plain/main.ts', label: 'plain JavaScript' },
};

const bundles = new Map<string, Promise<string>>();

/** The app's JavaScript, bundled once per test process. */
export function bundleApp(kind: AppKind): Promise<string> {
  return bundleEntry(APPS_BY_KIND[kind].entry);
}

/** A fixture page's JavaScript from its entry module (under test/fixtures/apps/), bundled once per test process. */
function bundleEntry(entry: string): Promise<string> {
  let bundle = bundles.get(entry);
  if (!bundle) {
    bundle = build({
      entryPoints: [path.join(APPS, entry)],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'chrome110',
      minify: true,
      jsx: 'automatic',
      // Vue's full build: templates are compiled in the browser, as with a CDN or an in-page template.
      alias: { vue: 'vue/dist/vue.esm-bundler.js' },
      define: {
        'process.env.NODE_ENV': '"production"',
        __VUE_OPTIONS_API__: 'true',
        __VUE_PROD_DEVTOOLS__: 'false',
        __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
      },
      logLevel: 'silent',
    }).then((result) => {
      const [output] = result.outputFiles;
      if (!output) throw new Error(`esbuild produced nothing for ${entry}`);
      return output.text;
    });
    bundles.set(entry, bundle);
  }
  return bundle;
}

function pageHtml(kind: AppKind, css: string, serviceBaseUrl: string): string {
  const widget = `<script src="${serviceBaseUrl}/widget.js" defer></script>`;
  const app = '<script src="/app.js" defer></script>';
  // Angular's bundle first: zone.js has patched the page's timers, promises, events and sockets before the widget
  // runs, as on a site whose widget tag comes after the app's.
  const scripts = kind === 'angular' ? `${app}\n  ${widget}` : `${widget}\n  ${app}`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Plan your move (${APPS_BY_KIND[kind].label})</title>
  <style>${css}</style>
  ${scripts}
</head>
<body>
  <div id="app"></div>
</body>
</html>
`;
}

/** Bundles the app (once) and serves it on its own port: `/` (the app with the widget), `/app.js` and `/frame.html`
 * (the same-origin page in the app's iframe). */
export async function startAppFixture(kind: AppKind, serviceBaseUrl: string): Promise<AppFixture> {
  const [script, css, frame] = await Promise.all([
    bundleApp(kind),
    readFile(path.join(APPS, 'shared', 'page.css'), 'utf8'),
    readFile(path.join(APPS, 'shared', 'frame.html'), 'utf8'),
  ]);
  return {
    kind,
    ...(await serveFiles({
      '/': { type: 'text/html; charset=utf-8', body: pageHtml(kind, css, serviceBaseUrl) },
      '/app.js': { type: 'text/javascript; charset=utf-8', body: script },
      '/frame.html': { type: 'text/html; charset=utf-8', body: frame },
    })),
  };
}

/** The rich-text editors' page (test/fixtures/apps/richText/): Quill 2 with its snow theme and toolbar, and ProseMirror,
 * each with its own stylesheet from its package, and the widget, served from its own origin. */
export async function startRichTextFixture(serviceBaseUrl: string): Promise<ServedFiles> {
  const modules = path.resolve(__dirname, '..', '..', '..', 'node_modules');
  const [script, quillCss, proseMirrorCss] = await Promise.all([
    bundleEntry('richText/main.ts'),
    readFile(path.join(modules, 'quill', 'dist', 'quill.snow.css'), 'utf8'),
    readFile(path.join(modules, 'prosemirror-view', 'style', 'prosemirror.css'), 'utf8'),
  ]);
  const layout = `body { margin: 0; font: 14px/1.4 system-ui, sans-serif; }
#app { padding: 12px 24px; max-width: 640px; }
label { display: block; margin: 16px 0 4px; font-weight: 600; }
#subject { width: 100%; font: inherit; padding: 6px 8px; }
#quill .ql-editor, #pm .ProseMirror { min-height: 90px; }
#pm .ProseMirror { border: 1px solid #ccc; padding: 12px 15px; }
#pm p { margin: 0; }`;
  const html = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Write to us (rich text)</title>
  <style>${quillCss}\n${proseMirrorCss}\n${layout}</style>
  <script src="${serviceBaseUrl}/widget.js" defer></script>
  <script src="/app.js" defer></script>
</head>
<body>
  <div id="app"></div>
</body>
</html>
`;
  return serveFiles({
    '/': { type: 'text/html; charset=utf-8', body: html },
    '/app.js': { type: 'text/javascript; charset=utf-8', body: script },
  });
}

export interface ServedFiles {
  /** The site's root, e.g. http://localhost:41234/ */
  url: string;
  stop(): Promise<void>;
}

/** Serves fixed files from their own origin (a port of localhost, a secure context), each with its own response
 * headers if given (e.g. a Content-Security-Policy). */
export async function serveFiles(
  files: Record<string, { type: string; body: string; headers?: Record<string, string> }>,
): Promise<ServedFiles> {
  const server: Server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    const file = files[pathname];
    if (!file || request.method !== 'GET') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    response.writeHead(200, { ...file.headers, 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
