import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { serveFiles, type ServedFiles } from './appFixtures';

/* A customer's site built with Lightning Web Components (test/fixtures/lwcSite/), the framework of Salesforce's
 * Experience Cloud portals: compiled from the npm packages (lwc, @lwc/rollup-plugin) and served from its own origin
 * with the widget's script tag. In either shadow mode: the browser's own (LWR sites) or LWC's synthetic one (Aura
 * sites). */

export type ShadowMode = 'native' | 'synthetic';

const BUILD = path.resolve(__dirname, '..', 'fixtures', 'lwcSite', 'build.mjs');

async function bundle(mode: ShadowMode): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [BUILD, mode], { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export async function startLwcSite(mode: ShadowMode, serviceBaseUrl: string): Promise<ServedFiles> {
  const script = await bundle(mode);
  return serveFiles({
    '/': {
      type: 'text/html; charset=utf-8',
      body: `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Your claim (LWC, ${mode} shadow)</title>
  <script src="${serviceBaseUrl}/widget.js" defer></script>
  <script src="/app.js" defer></script>
</head>
<body>
  <main id="app"></main>
</body>
</html>
`,
    },
    '/app.js': { type: 'text/javascript; charset=utf-8', body: script },
  });
}
