import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { repoRoot, webDistDir } from '../../src/paths';
import { startServer, type RunningServer } from '../helpers/testServer';

/* The built clients as the service sends them: compressed as the browser asks (brotli, gzip or not at all, from the
 * files the build wrote), cached as each kind of file allows (the widget's loader for 5 minutes, its content-hashed
 * chunks for a year, pages revalidated), and what a new build keeps of the previous one's chunks for pages that
 * loaded the previous loader. */

jest.setTimeout(60_000);

let s: RunningServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await s?.stop();
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as sent (not decompressed). */
  body: Buffer;
}

/** A GET with exactly these request headers (fetch would add its own Accept-Encoding and decompress). */
function getRaw(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    }).on('error', reject);
  });
}

function decoded(r: Raw): Buffer {
  const encoding = r.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(r.body);
  if (encoding === 'gzip') return gunzipSync(r.body);
  if (encoding === undefined) return r.body;
  throw new Error(`unexpected content-encoding ${String(encoding)}`);
}

/** A policy's script-src directive, as sent. */
const scriptSrc = (csp: string) => csp.split(';').find((d) => d.startsWith('script-src '));

const onDisk = (file: string) => readFileSync(path.join(webDistDir, file));
const manifest = () =>
  JSON.parse(onDisk('widget-manifest.json').toString('utf8')) as {
    abi: number;
    chunks: { call: string; recorder: string; blur: string };
    consoleChunks: { replayer: string };
    retired: Record<string, string>;
  };

describe('content negotiation', () => {
  it.each([
    ['br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['identity', undefined],
    [undefined, undefined],
  ])('Accept-Encoding %p gets widget.js as %p, the same script', async (accept, encoding) => {
    const r = await getRaw(`${s.baseUrl}/widget.js`, accept === undefined ? {} : { 'accept-encoding': accept });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe(encoding);
    expect(r.headers['content-type']).toMatch(/javascript/);
    expect(r.headers.vary).toMatch(/accept-encoding/i);
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(decoded(r).equals(onDisk('widget.js'))).toBe(true);
  });

  it('sends the loader in at most 6 KB either way, and the call chunk compressed too', async () => {
    for (const accept of ['br', 'gzip']) {
      const loader = await getRaw(`${s.baseUrl}/widget.js`, { 'accept-encoding': accept });
      expect(loader.body.length).toBeLessThanOrEqual(6 * 1024);
      const chunk = await getRaw(`${s.baseUrl}${manifest().chunks.call}`, { 'accept-encoding': accept });
      expect(chunk.headers['content-encoding']).toBe(accept);
      expect(decoded(chunk).equals(onDisk(manifest().chunks.call.slice(1)))).toBe(true);
    }
  });

  it('compresses the pages and the other clients\u2019 scripts and styles too', async () => {
    for (const url of [
      '/',
      '/join',
      '/console',
      '/guest',
      '/console/console.js',
      '/guest/guest.js',
      '/join/join.js',
      '/console/console.css',
      '/cobrowse-recorder.js',
    ]) {
      const r = await getRaw(`${s.baseUrl}${url}`, { 'accept-encoding': 'gzip, deflate, br' });
      expect([url, r.status, r.headers['content-encoding']]).toEqual([url, 200, 'br']);
      expect(r.headers.vary).toMatch(/accept-encoding/i);
      expect(decoded(r).length).toBeGreaterThan(r.body.length);
    }
    // A file the build left as it is (nothing to gain) is sent as it is.
    const icon = await getRaw(`${s.baseUrl}/favicon.ico`, { 'accept-encoding': 'br' });
    expect(icon.status).toBe(200);
    expect(icon.headers['content-encoding']).toBeUndefined();
  });
});

describe('what the browser bundles hold', () => {
  it('leaves the schema library (the server\u2019s validation) out of every browser bundle', () => {
    const maps = readdirSync(webDistDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(5);
    const withSchemas = maps.filter((map) =>
      (JSON.parse(readFileSync(path.join(webDistDir, map), 'utf8')) as { sources: string[] }).sources.some((source) =>
        source.includes('@sinclair/typebox'),
      ),
    );
    expect(withSchemas).toEqual([]);
  });
});

describe('caching', () => {
  it('keeps the loader 5 minutes and revalidates it per encoding', async () => {
    const br = await getRaw(`${s.baseUrl}/widget.js`, { 'accept-encoding': 'br' });
    const gzip = await getRaw(`${s.baseUrl}/widget.js`, { 'accept-encoding': 'gzip' });
    expect(br.headers['cache-control']).toBe('public, max-age=300');
    expect(gzip.headers['cache-control']).toBe('public, max-age=300');
    expect(br.headers.etag).toBeDefined();
    expect(br.headers.etag).not.toBe(gzip.headers.etag);
    const again = await getRaw(`${s.baseUrl}/widget.js`, {
      'accept-encoding': 'br',
      'if-none-match': String(br.headers.etag),
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('keeps the content-hashed recorder a year: the call chunk names it, and the old address serves the same file', async () => {
    const { call, recorder } = manifest().chunks;
    expect(recorder).toMatch(/^\/assets\/cobrowse-recorder-[A-Z0-9]+\.js$/);
    // The call chunk loads its own build's recorder.
    expect(onDisk(call.slice(1)).toString('utf8')).toContain(JSON.stringify(recorder));
    const hashed = await getRaw(`${s.baseUrl}${recorder}`, { 'accept-encoding': 'br' });
    expect([hashed.status, hashed.headers['cache-control']]).toEqual([200, 'public, max-age=31536000, immutable']);
    // Call chunks of builds from before the recorder was content-hashed ask for /cobrowse-recorder.js: the current one.
    const old = await getRaw(`${s.baseUrl}/cobrowse-recorder.js`, { 'accept-encoding': 'br' });
    expect(decoded(old).equals(decoded(hashed))).toBe(true);
  });

  it('keeps the live view\u2019s replay out of console.js: a content-hashed chunk of its own, which console.js names', async () => {
    const { replayer } = manifest().consoleChunks;
    expect(replayer).toMatch(/^\/assets\/console-replayer-[A-Z0-9]+\.js$/);
    const consoleScript = onDisk('console/console.js').toString('utf8');
    expect(consoleScript).toContain(JSON.stringify(replayer));
    // rrweb's Replayer, by a message of its own, is in the chunk and not in the console's script.
    const replayerText = 'Found unresolved missing node map';
    expect(onDisk(replayer.slice(1)).toString('utf8')).toContain(replayerText);
    expect(consoleScript).not.toContain(replayerText);
    const served = await getRaw(`${s.baseUrl}${replayer}`, { 'accept-encoding': 'br' });
    expect([served.status, served.headers['content-encoding'], served.headers['cache-control']]).toEqual([
      200,
      'br',
      'public, max-age=31536000, immutable',
    ]);
  });

  it('keeps the content-hashed call chunk a year; the manifest and the pages are asked again each time', async () => {
    const { call } = manifest().chunks;
    expect(call).toMatch(/^\/assets\/widget-call-[A-Z0-9]+\.js$/);
    // The loader names the same chunk as the manifest.
    expect(onDisk('widget.js').toString('utf8')).toContain(JSON.stringify(call));
    const chunk = await getRaw(`${s.baseUrl}${call}`, { 'accept-encoding': 'br' });
    expect(chunk.status).toBe(200);
    expect(chunk.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const served = await getRaw(`${s.baseUrl}/widget-manifest.json`, { 'accept-encoding': 'gzip' });
    expect(served.headers['cache-control']).toBe('no-cache');
    // Customers' pages (other origins) read it when their loader's chunk is gone.
    expect(served.headers['access-control-allow-origin']).toBe('*');
    expect(JSON.parse(decoded(served).toString('utf8'))).toEqual(manifest());
    for (const url of ['/', '/join', '/console/console.js', '/cobrowse-recorder.js']) {
      expect([url, (await getRaw(`${s.baseUrl}${url}`)).headers['cache-control']]).toEqual([url, 'public, max-age=0']);
    }
    // A chunk that does not exist is a plain 404.
    expect((await getRaw(`${s.baseUrl}/assets/widget-call-NOSUCH00.js`, { 'accept-encoding': 'br' })).status).toBe(404);
  });
});

describe('background blur\u2019s files', () => {
  /** The paths the blur chunk fetches, as the build wrote them into it. */
  const segmentationFiles = () => {
    const chunk = onDisk(manifest().chunks.blur.slice(1)).toString('utf8');
    return [...chunk.matchAll(/"(\/assets\/[\w.-]+\.(?:tflite|wasm|js))"/g)].map((m) => m[1]!);
  };

  it('names the blur chunk in the manifest, and the chunk names the model and both runtimes under assets/', () => {
    expect(manifest().chunks.blur).toMatch(/^\/assets\/background-blur-[A-Z0-9]+\.js$/);
    const files = segmentationFiles();
    expect(files.filter((f) => f.endsWith('.tflite'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.wasm'))).toHaveLength(2);
    expect(files.filter((f) => f.endsWith('.js'))).toHaveLength(2);
    for (const f of files) expect([f, existsSync(path.join(webDistDir, f))]).toEqual([f, true]);
  });

  it('serves the model and the WebAssembly compressed, for a year, readable from customers\u2019 pages', async () => {
    for (const url of segmentationFiles().filter((f) => !f.endsWith('.js'))) {
      const r = await getRaw(`${s.baseUrl}${url}`, { 'accept-encoding': 'gzip, deflate, br' });
      expect([url, r.status, r.headers['content-encoding']]).toEqual([url, 200, 'br']);
      expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(r.headers['access-control-allow-origin']).toBe('*');
      expect(r.headers.vary).toMatch(/accept-encoding/i);
      if (url.endsWith('.wasm')) expect(r.headers['content-type']).toBe('application/wasm');
      expect(decoded(r).equals(onDisk(url.slice(1)))).toBe(true);
      // Smaller than as built (the WebAssembly to about a fifth).
      expect(r.body.length).toBeLessThan(onDisk(url.slice(1)).length);
    }
  });

  it('lets pages compile WebAssembly (the model runs in it) and nothing else that eval would', async () => {
    for (const url of ['/console', '/join', '/guest']) {
      const csp = String((await getRaw(`${s.baseUrl}${url}`)).headers['content-security-policy']);
      // The console's page also names its own first script, by hash (below).
      expect([url, scriptSrc(csp)]).toEqual([
        url,
        expect.stringMatching(/^script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/]+=*')*$/),
      ]);
    }
  });
});

describe('the console page\u2019s first script', () => {
  const inlineScripts = (html: string) => [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
  const hashOf = (script: string) => `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;

  it('is in the page itself, and the page\u2019s policy lets exactly that script run', async () => {
    for (const url of ['/console', '/console/', '/console/index.html']) {
      const r = await getRaw(`${s.baseUrl}${url}`, { 'accept-encoding': 'gzip, deflate, br' });
      expect([url, r.status, r.headers['content-encoding'], r.headers['cache-control']]).toEqual([
        url,
        200,
        'br',
        'public, max-age=0',
      ]);
      const html = decoded(r).toString('utf8');
      const scripts = inlineScripts(html);
      expect(scripts).toHaveLength(1);
      expect(scripts[0]).toContain('agent.join');
      expect(html).not.toContain('boot.js');
      expect(scriptSrc(String(r.headers['content-security-policy']))).toBe(
        `script-src 'self' 'wasm-unsafe-eval' ${hashOf(scripts[0]!)}`,
      );
    }
    // The other pages have no script of their own: their policy names none.
    for (const url of ['/', '/join', '/guest', '/console/console.js']) {
      const csp = String((await getRaw(`${s.baseUrl}${url}`)).headers['content-security-policy']);
      expect([url, csp]).toEqual([url, expect.not.stringContaining("'sha256-")]);
    }
  });

  it('goes gzip-compressed, or as it is, to browsers that take only that', async () => {
    const plain = await getRaw(`${s.baseUrl}/console`, { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gzip = await getRaw(`${s.baseUrl}/console`, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
    expect(plain.body.toString('utf8')).toContain('<title>Tandem agent console</title>');
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
  });
});

describe('a new build and the previous one\u2019s chunks', () => {
  const run = promisify(execFile);
  let out: string;
  beforeAll(() => {
    out = path.join(mkdtempSync(path.join(tmpdir(), 'tandem-web-')), 'web');
  });
  afterAll(() => rmSync(path.dirname(out), { recursive: true, force: true }));

  const build = () =>
    run(process.execPath, [path.join(repoRoot, 'companion-service', 'scripts', 'build-web.mjs')], {
      env: { ...process.env, TANDEM_WEB_OUT: out },
    });
  const read = () =>
    JSON.parse(readFileSync(path.join(out, 'widget-manifest.json'), 'utf8')) as ReturnType<typeof manifest>;
  const asset = (name: string) => path.join(out, 'assets', name);

  it('keeps the chunk the previous loader names, and earlier ones for 30 days after they were replaced', async () => {
    await build();
    const first = read();
    expect(first.retired).toEqual({});
    expect(existsSync(path.join(out, first.chunks.call))).toBe(true);

    // As if the live directory were a previous deploy's: its current chunk, one replaced a day ago, one replaced 31
    // days ago, and a file no manifest knows.
    const day = 86_400_000;
    const replacedAt = (daysAgo: number) => new Date(Date.now() - daysAgo * day).toISOString();
    for (const name of [
      'widget-call-PREVIOUS.js',
      'widget-call-PREVIOUS.js.br',
      'widget-call-PREVIOUS.js.map',
      'widget-call-YESTERDY.js',
      'widget-call-LASTYEAR.js',
      'console-replayer-PREVIOUS.js',
      'stray.js',
    ]) {
      writeFileSync(asset(name), `/* ${name} */`);
    }
    writeFileSync(
      path.join(out, 'widget-manifest.json'),
      JSON.stringify({
        ...first,
        chunks: { ...first.chunks, call: '/assets/widget-call-PREVIOUS.js' },
        consoleChunks: { replayer: '/assets/console-replayer-PREVIOUS.js' },
        retired: {
          '/assets/widget-call-YESTERDY.js': replacedAt(1),
          '/assets/widget-call-LASTYEAR.js': replacedAt(31),
        },
      }),
    );

    const before = Date.now();
    await build();
    const second = read();
    expect(second.chunks.call).toBe(first.chunks.call);
    expect(existsSync(path.join(out, second.chunks.call))).toBe(true);
    expect(second.consoleChunks.replayer).toBe(first.consoleChunks.replayer);
    expect(Object.keys(second.retired).sort()).toEqual([
      '/assets/console-replayer-PREVIOUS.js',
      '/assets/widget-call-PREVIOUS.js',
      '/assets/widget-call-YESTERDY.js',
    ]);
    // Replaced by this build: its 30 days start now.
    expect(Date.parse(second.retired['/assets/widget-call-PREVIOUS.js']!)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(second.retired['/assets/widget-call-YESTERDY.js']!)).toBeLessThan(before - day / 2);
    expect(readFileSync(asset('widget-call-PREVIOUS.js'), 'utf8')).toBe('/* widget-call-PREVIOUS.js */');
    for (const kept of [
      'widget-call-PREVIOUS.js.br',
      'widget-call-PREVIOUS.js.map',
      'widget-call-YESTERDY.js',
      'console-replayer-PREVIOUS.js',
    ])
      expect([kept, existsSync(asset(kept))]).toEqual([kept, true]);
    for (const gone of ['widget-call-LASTYEAR.js', 'stray.js'])
      expect([gone, existsSync(asset(gone))]).toEqual([gone, false]);
  });
});
