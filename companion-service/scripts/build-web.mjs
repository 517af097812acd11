// Builds the browser clients into companion-service/dist/web. Runs on install, before start and before tests.
//
// The visitor widget is two scripts: widget.js, the loader every page of the customer's site gets (its URL never
// changes: customers embed it), and the call chunk, assets/widget-call-<hash>.js, which the loader fetches when a
// call needs it. Content-hashed files live under assets/ and never change (the service caches them for a year);
// the build writes the chunk's path into widget.js and into widget-manifest.json. A page that loaded the previous
// build's widget.js may ask for the previous chunk after a deploy: the chunks of earlier builds found in the live
// directory are kept for RETAIN_DAYS after they stopped being current (listed in the manifest as `retired`), and a
// loader that still misses its chunk loads the manifest's current one (web/widget/loadCall.ts).
//
// The co-browse recorder is a chunk too, assets/cobrowse-recorder-<hash>.js, named in the call chunk that loads it
// (web/cobrowse/loadRecorder.ts): a page keeps the recorder of the build its call chunk came from. /cobrowse-recorder.js
// is written too, a copy of the current one, for the call chunks of builds from before it was content-hashed.
//
// Background blur is a chunk of its own, assets/background-blur-<hash>.js, that a page loads only when someone turns
// blur on (web/shared/blur/loadBlur.ts); the segmentation model and its WebAssembly runtime, as the npm package
// @twilio/video-processors ships them, are copied under assets/ with content-hashed names (the chunk is told them), so
// the service serves them itself, cached like the chunks, and nothing comes from a CDN.
//
// Every text file is also written brotli- and gzip-compressed (name.br, name.gz) for the service to send to browsers
// that accept them (@fastify/static, preCompressed), and so are the model and WebAssembly files.
import { createHash } from 'node:crypto';
import { build } from 'esbuild';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { rrwebStyleDiffPatch } from './rrwebStyleDiffPatch.mjs';

const service = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(service, 'web');
// TANDEM_WEB_OUT: another directory (the tests build into a temporary one to check what a build keeps).
const out = process.env.TANDEM_WEB_OUT ? path.resolve(process.env.TANDEM_WEB_OUT) : path.join(service, 'dist', 'web');
// Built beside the live directory and swapped in at the end, so a server already running (a parallel test run)
// never serves a half-built directory.
const next = `${out}.next-${process.pid}`;
const require = createRequire(import.meta.url);

/** Content-hashed, immutable files: under this directory of dist/web, and only those. */
const ASSETS = 'assets';
const MANIFEST = 'widget-manifest.json';
/** How long a previous build's chunks stay after they stopped being current: far longer than a loader is cached
 * (5 minutes), for pages left open for days. */
const RETAIN_DAYS = 30;
/** Compressed alongside: what browsers load as text, and the segmentation model and runtime. Source maps are left out
 * (only developer tools load them). */
const COMPRESSED = new Set(['.js', '.css', '.html', '.json', '.svg', '.wasm', '.tflite']);
const BINARY = new Set(['.wasm', '.tflite']);
/** Above this size brotli's best quality takes seconds per file for a few percent: quality 9 instead. */
const LARGE_FILE = 1_000_000;
/** The segmentation files, from the package as published: [role, file in its dist/build]. */
const SEGMENTATION = [
  ['model', 'selfie_segmentation_landscape.tflite'],
  ['simdLoader', 'tflite-simd-1-0-0.js'],
  ['simdWasm', 'tflite-simd-1-0-0.wasm'],
  ['loader', 'tflite-1-0-0.js'],
  ['wasm', 'tflite-1-0-0.wasm'],
];
const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

// The pages with WebRTC (simple-peer needs Node's Buffer, process and global), and the others, without those shims.
const entries = {
  'console/console': 'console/console.ts',
  'guest/guest': 'guest/guest.ts',
};
const pagesWithoutShims = {
  'join/join': 'join/join.ts',
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
  ['console/console.css', 'console/console.css'],
  // rrweb's replay styles (the customer's pointer in the live view), from the package as published.
  [require.resolve('@rrweb/replay/dist/style.css'), 'console/replay.css'],
  ['guest/index.html', 'guest/index.html'],
  ['guest/guest.css', 'guest/guest.css'],
  ['shared/page.css', 'shared/page.css'],
  // Browsers ask every page's origin for /favicon.ico: without it each of our pages logs a 404.
  ['shared/favicon.ico', 'favicon.ico'],
];

const common = {
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
};

await rm(next, { recursive: true, force: true });

// Background blur: its files, then its chunk, whose path goes into every page that offers blur.
const segmentationFiles = await copySegmentationFiles();
const blurBuild = await build({
  ...common,
  entryPoints: { 'background-blur': path.join(web, 'blur', 'blurEntry.ts') },
  entryNames: `${ASSETS}/[name]-[hash]`,
  inject: [],
  define: { ...common.define, __TANDEM_SEGMENTATION_FILES__: JSON.stringify(segmentationFiles) },
  metafile: true,
});
const blurChunk = `/${outputOf(blurBuild.metafile, path.join(web, 'blur', 'blurEntry.ts'))}`;
common.define.__TANDEM_BLUR_CHUNK__ = JSON.stringify(blurChunk);

// The live view's replay (rrweb's Replayer), whose path goes into the console: about half of what the console would
// otherwise load before its side of the call starts, so the console loads it once it has joined (web/cobrowse/
// loadReplayer.ts).
const replayerBuild = await build({
  ...common,
  entryPoints: { 'console-replayer': path.join(web, 'cobrowse', 'replayerEntry.ts') },
  entryNames: `${ASSETS}/[name]-[hash]`,
  inject: [],
  metafile: true,
});
const replayerChunk = `/${outputOf(replayerBuild.metafile, path.join(web, 'cobrowse', 'replayerEntry.ts'))}`;
common.define.__TANDEM_REPLAYER_CHUNK__ = JSON.stringify(replayerChunk);

// The recorder, whose path goes into the call chunk; loaded by the widget only once a session has an agent in it.
const recorderBuild = await build({
  ...common,
  entryPoints: { 'cobrowse-recorder': path.join(web, 'cobrowse', 'recorderEntry.ts') },
  entryNames: `${ASSETS}/[name]-[hash]`,
  plugins: [rrwebStyleDiffPatch()],
  metafile: true,
});
const recorderChunk = `/${outputOf(recorderBuild.metafile, path.join(web, 'cobrowse', 'recorderEntry.ts'))}`;
await cp(path.join(next, recorderChunk.slice(1)), path.join(next, 'cobrowse-recorder.js'));

// The call chunk next: its content-hashed path goes into the loader.
const chunkBuild = await build({
  ...common,
  entryPoints: { 'widget-call': path.join(web, 'widget', 'call.ts') },
  entryNames: `${ASSETS}/[name]-[hash]`,
  define: { ...common.define, __TANDEM_RECORDER_CHUNK__: JSON.stringify(recorderChunk) },
  metafile: true,
});
const callChunk = `/${outputOf(chunkBuild.metafile, path.join(web, 'widget', 'call.ts'))}`;

// The loader: its own build, without the Node shims (esbuild would include them whole, for nothing: only WebRTC in
// the chunk needs them).
await build({
  ...common,
  entryPoints: { widget: path.join(web, 'widget', 'widget.ts') },
  inject: [],
  define: { ...common.define, __TANDEM_CALL_CHUNK__: JSON.stringify(callChunk) },
});
// The console's first script (it sends agent.join while the console loads): small, without the Node shims, and
// written into the console's page itself, so that it runs without a request of its own (a round trip before agent.join
// on a real network). The service allows it by its hash (src/web/inlineScripts.ts).
const bootBuild = await build({
  ...common,
  entryPoints: [path.join(web, 'console', 'boot.ts')],
  inject: [],
  sourcemap: false,
  write: false,
  outdir: undefined,
});
const bootScript = bootBuild.outputFiles[0].text.trim();
if (/<\/script|<!--/i.test(bootScript)) throw new Error('console/boot.ts built into text that would end its <script>');
const consolePage = await readFile(path.join(web, 'console', 'index.html'), 'utf8');
const BOOT_TAG = '<script src="/console/boot.js"></script>';
if (!consolePage.includes(BOOT_TAG)) throw new Error(`console/index.html has no ${BOOT_TAG} to put the script in`);
await mkdir(path.join(next, 'console'), { recursive: true });
await writeFile(
  path.join(next, 'console', 'index.html'),
  consolePage.replace(BOOT_TAG, () => `<script>${bootScript}</script>`),
);
const entryPoints = (list) =>
  Object.fromEntries(Object.entries(list).map(([name, file]) => [name, path.join(web, file)]));
await build({ ...common, entryPoints: entryPoints(entries) });
await build({ ...common, entryPoints: entryPoints(pagesWithoutShims), inject: [] });
for (const [from, to] of statics) {
  await mkdir(path.dirname(path.join(next, to)), { recursive: true });
  await cp(path.resolve(web, from), path.join(next, to));
}
await compressAll(next);

// The previous builds' chunks, from the live directory, while they are young enough.
const now = Date.now();
const retired = await keepRetiredChunks(now);
// The blur chunk is listed so that later builds keep it, like the call chunk, for pages that loaded this build; the
// console's replay chunk too, for a console that loaded this build's console.js (it is no chunk of the widget's).
const manifest = {
  abi: await callAbi(),
  chunks: { call: callChunk, recorder: recorderChunk, blur: blurChunk },
  consoleChunks: { replayer: replayerChunk },
  retired,
};
await writeFile(path.join(next, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
await compress(path.join(next, MANIFEST));

const old = `${out}.old-${process.pid}`;
await rename(out, old).catch(() => undefined);
await rename(next, out);
await rm(old, { recursive: true, force: true });
console.log(`browser clients built into ${path.relative(process.cwd(), out)} (widget call chunk ${callChunk})`);

// --- helpers ---------------------------------------------------------------------------------------------------

/** The output file (relative to the build directory) of one entry point. */
function outputOf(metafile, entryFile) {
  const entry = path.relative(process.cwd(), entryFile).split(path.sep).join('/');
  const found = Object.entries(metafile.outputs).find(([, o]) => o.entryPoint === entry);
  if (!found) throw new Error(`esbuild wrote no output for ${entry}`);
  return path.relative(next, path.resolve(found[0])).split(path.sep).join('/');
}

/** The loader/chunk contract's version (web/widget/callLink.ts), for the manifest. */
async function callAbi() {
  const source = await readFile(path.join(web, 'widget', 'callLink.ts'), 'utf8');
  const match = /export const CALL_ABI = (\d+);/.exec(source);
  if (!match) throw new Error('CALL_ABI not found in web/widget/callLink.ts');
  return Number(match[1]);
}

/** Copies the chunks of earlier builds (every file under assets/ that this build did not write: the chunk, its
 * source map and compressed copies) from the live directory, unless they were retired more than RETAIN_DAYS ago.
 * Returns the kept ones with the time they were retired: { "/assets/widget-call-X.js": "2026-…" }. */
async function keepRetiredChunks(nowMs) {
  let previous;
  try {
    previous = JSON.parse(await readFile(path.join(out, MANIFEST), 'utf8'));
  } catch {
    return {}; // first build here (or one from before the manifest): nothing to keep
  }
  const wasCurrent = new Set([...Object.values(previous.chunks ?? {}), ...Object.values(previous.consoleChunks ?? {})]);
  const wasRetired = previous.retired ?? {};
  const built = new Set(await readdir(path.join(next, ASSETS)));
  const oldFiles = await readdir(path.join(out, ASSETS)).catch(() => []);
  const kept = {};
  for (const file of oldFiles) {
    if (built.has(file)) continue;
    const chunk = `/${ASSETS}/${file.replace(/\.(map|br|gz)$/, '')}`;
    const since = wasCurrent.has(chunk) ? new Date(nowMs).toISOString() : wasRetired[chunk];
    if (!since || nowMs - Date.parse(since) > RETAIN_DAYS * 86_400_000) continue;
    await cp(path.join(out, ASSETS, file), path.join(next, ASSETS, file));
    kept[chunk] = since;
  }
  return kept;
}

/** Copies the segmentation model and runtime into assets/ as name-<hash>.ext; returns their paths by role. */
async function copySegmentationFiles() {
  const from = path.join(path.dirname(require.resolve('@twilio/video-processors/package.json')), 'dist', 'build');
  await mkdir(path.join(next, ASSETS), { recursive: true });
  const files = {};
  for (const [role, file] of SEGMENTATION) {
    const data = await readFile(path.join(from, file));
    const hash = createHash('sha256').update(data).digest('hex').slice(0, 8).toUpperCase();
    const ext = path.extname(file);
    const name = `${path.basename(file, ext)}-${hash}${ext}`;
    await writeFile(path.join(next, ASSETS, name), data);
    files[role] = `/${ASSETS}/${name}`;
  }
  return files;
}

async function compressAll(dir) {
  const files = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && COMPRESSED.has(path.extname(entry.name)))
      files.push(path.join(entry.parentPath ?? entry.path, entry.name));
  }
  await Promise.all(files.map(compress));
}

/** Writes file.br and file.gz, each only when it is smaller than the file (else the file itself is sent). */
async function compress(file) {
  const data = await readFile(file);
  const [br, gz] = await Promise.all([
    brotli(data, {
      params: {
        [zlib.constants.BROTLI_PARAM_MODE]: BINARY.has(path.extname(file))
          ? zlib.constants.BROTLI_MODE_GENERIC
          : zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_QUALITY]: data.length > LARGE_FILE ? 9 : zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }),
    gzip(data, { level: zlib.constants.Z_BEST_COMPRESSION }),
  ]);
  if (br.length < data.length) await writeFile(`${file}.br`, br);
  if (gz.length < data.length) await writeFile(`${file}.gz`, gz);
}
