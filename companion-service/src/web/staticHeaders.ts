import path from 'node:path';

/* Caching and content negotiation for the built clients (companion-service/dist/web, see scripts/build-web.mjs):
 *
 * - assets/: content-hashed files (the widget's call chunk, the background-blur chunk, its segmentation model and
 *   WebAssembly runtime): a new build writes new names, so these never change and browsers and proxies keep them for a
 *   year without asking again. The model and runtime are fetched (not loaded as scripts), also by the widget on
 *   customers' pages: readable from any origin, like the manifest;
 * - widget.js: the widget's loader, embedded by customers' pages under this one URL: kept for 5 minutes, so a page
 *   view costs no request most of the time and a deploy reaches every page within 5 minutes;
 * - widget-manifest.json: the current chunk, for a loader whose own chunk is gone: always asked again, and readable
 *   by the customers' pages (their origin is not ours; the file names public files, nothing else);
 * - anything else (pages, the console's and guest page's scripts, the co-browse recorder): asked again on each use
 *   (cheap: 304 Not Modified while unchanged), as before.
 *
 * Text files are sent compressed when the browser accepts it, from the .br and .gz files the build wrote: every
 * response for them says it varies with Accept-Encoding, so a shared cache keeps one copy per encoding. */

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const LOADER_CACHE = 'public, max-age=300';
const REVALIDATE = 'public, max-age=0';

/** Extensions the build also writes compressed. */
const COMPRESSED = new Set(['.js', '.css', '.html', '.json', '.svg', '.wasm', '.tflite']);
/** Fetched by the blur chunk, from customers' pages too. */
const FETCHED_ASSETS = new Set(['.wasm', '.tflite']);

/** Headers for a file under dist/web, by its path there as served (possibly its .br or .gz copy). */
export function staticHeaders(served: string): Record<string, string> {
  const file = served
    .split(path.sep)
    .join('/')
    .replace(/\.(br|gz)$/, '');
  const headers: Record<string, string> = {
    'cache-control': file.startsWith('assets/')
      ? IMMUTABLE
      : file === 'widget.js'
        ? LOADER_CACHE
        : file === 'widget-manifest.json'
          ? 'no-cache'
          : REVALIDATE,
  };
  if (file === 'widget-manifest.json' || (file.startsWith('assets/') && FETCHED_ASSETS.has(path.posix.extname(file))))
    headers['access-control-allow-origin'] = '*';
  if (COMPRESSED.has(path.posix.extname(file))) headers.vary = 'Accept-Encoding';
  return headers;
}
