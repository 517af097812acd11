/* What background blur costs, in real headless Chromium (fake camera, no GPU: --disable-gpu, as the tests run it)
 * against the real service on loopback, which serves the blur chunk, the model and the WebAssembly runtime.
 *
 * A page of the service's own origin opens the camera at 640x360, 24 fps (the calls' VIDEO_QUALITY) and sends it over
 * a loopback WebRTC call inside the page (two RTCPeerConnections, the receiver's video playing in the page), first as
 * the camera gives it, then through the product's blur (assets/background-blur-<hash>.js, as a page loads it when
 * someone turns blur on). For each case, after a warm-up, over --seconds:
 *   - time per frame on the page's main thread for blur (segmentation and drawing), p50 and p95, and the share of
 *     frames over the budget the product holds blur to (frameBudgetMs(): a share of the camera's frame interval; when
 *     the median over two seconds is past it, blur turns itself off);
 *   - frames per second: processed by blur, encoded and sent by the outgoing track (outbound-rtp), decoded by the
 *     receiving side (inbound-rtp);
 *   - CPU: the browser's processes (all of them, from /proc), in cores, and what blur adds to the plain call.
 *
 *   npm run bench:media
 *   npm run bench:media -- --seconds 30
 *
 * Not a test: it prints figures (docs/benchmarks.md, Background blur). */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { webDistDir } from '../src/paths';
import { FRAME_BUDGET_SHARE, frameBudgetMs } from '../web/shared/blur/backgroundBlur';
import { launchBrowser } from '../test/helpers/browser';
import { machineBusySeconds, ownBusySeconds } from './machineLoad';
import { median, percentile } from './stats';
import { readOptions } from './cli';
import { startEmbeddedService } from './embeddedService';

const HELP = `Usage: npm run bench:media -- [options]
  --seconds N   measured seconds per case (default 20)
  --warmup N    seconds before measuring (default 4)
  --help`;

const PAGE_PATH = '/bench/media-page';

interface Options {
  seconds: number;
  warmup: number;
}

function parseOptions(argv: string[]): Options {
  const { numbers } = readOptions(argv, HELP, {
    numbers: {
      seconds: { fallback: 20, min: 1, max: 3600, integer: false },
      warmup: { fallback: 4, min: 0, max: 600, integer: false },
    },
  });
  return { seconds: numbers.seconds, warmup: numbers.warmup };
}

/** In the page (plain script, as the page has it): camera -> (blur) -> loopback call; counters on window.__media. */
const PAGE_SCRIPT = `
window.startCall = async (chunk) => {
  const times = [];
  const camera = await navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24 } },
  });
  let track = camera.getVideoTracks()[0];
  if (chunk) {
    await new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = chunk;
      script.onload = resolve;
      script.onerror = () => reject(new Error('blur chunk not loaded'));
      document.head.append(script);
    });
    const blurred = await window.__tandemBlur.blur(track, {
      serviceOrigin: location.origin,
      onFrame: (f) => times.push(f.ms),
    });
    track = blurred.track;
  }
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  b.ontrack = (e) => {
    document.getElementById('received').srcObject = e.streams[0] || new MediaStream([e.track]);
  };
  a.addTrack(track, new MediaStream([track]));
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  window.__media = { a, b, times, frameRate: camera.getVideoTracks()[0].getSettings().frameRate };
};
window.counters = async () => {
  const { a, b, times, frameRate } = window.__media;
  const out = { times: times.length, frameRate, encoded: 0, sent: 0, decoded: 0, width: 0, height: 0 };
  (await a.getStats()).forEach((s) => {
    if (s.type !== 'outbound-rtp' || s.kind !== 'video') return;
    out.encoded += s.framesEncoded || 0;
    out.sent += s.framesSent || 0;
    out.width = s.frameWidth || 0;
    out.height = s.frameHeight || 0;
  });
  (await b.getStats()).forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') out.decoded += s.framesDecoded || 0;
  });
  return out;
};
window.frameTimes = (from) => window.__media.times.slice(from);
`;

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Media bench</title>
<script src="${PAGE_PATH}.js"></script></head>
<body><main><h1>Media bench</h1><video id="received" autoplay playsinline muted width="640" height="360"></video></main></body></html>`;

interface PageFunctions {
  startCall(chunk: string | undefined): Promise<void>;
  counters(): Promise<Counters>;
  frameTimes(from: number): number[];
}
const inPage = (page: Page) => page.evaluateHandle(() => window as unknown as PageFunctions);

async function startCall(page: Page, blurChunk: string | undefined): Promise<void> {
  await (await inPage(page)).evaluate((w, chunk) => w.startCall(chunk), blurChunk);
}

interface Counters {
  times: number;
  /** The camera's, as it reports it. */
  frameRate: number;
  encoded: number;
  sent: number;
  decoded: number;
  width: number;
  height: number;
}

async function counters(page: Page): Promise<Counters> {
  return (await inPage(page)).evaluate((w) => w.counters());
}

interface CaseResult {
  name: string;
  cameraFps: number;
  frameMs: number[];
  processedFps: number;
  encodedFps: number;
  sentFps: number;
  decodedFps: number;
  size: string;
  cores: number;
  machineCores: number | undefined;
}

async function runCase(page: Page, name: string, blurChunk: string | undefined, options: Options): Promise<CaseResult> {
  await startCall(page, blurChunk);
  await page.waitForTimeout(options.warmup * 1000);
  const before = await counters(page);
  const cpu0 = ownBusySeconds();
  const machine0 = machineBusySeconds();
  const t0 = Date.now();
  await page.waitForTimeout(options.seconds * 1000);
  const seconds = (Date.now() - t0) / 1000;
  const cpu1 = ownBusySeconds();
  const machine1 = machineBusySeconds();
  const after = await counters(page);
  const frameMs = await (await inPage(page)).evaluate((w, from) => w.frameTimes(from), before.times);
  return {
    name,
    cameraFps: after.frameRate,
    frameMs,
    processedFps: (after.times - before.times) / seconds,
    encodedFps: (after.encoded - before.encoded) / seconds,
    sentFps: (after.sent - before.sent) / seconds,
    decodedFps: (after.decoded - before.decoded) / seconds,
    size: `${after.width}x${after.height}`,
    cores: (cpu1 - cpu0) / seconds,
    machineCores: machine0 === undefined || machine1 === undefined ? undefined : (machine1 - machine0) / seconds,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const manifest = JSON.parse(readFileSync(path.join(webDistDir, 'widget-manifest.json'), 'utf8')) as {
    chunks: { blur?: string };
  };
  if (!manifest.chunks.blur) throw new Error('the build has no blur chunk: run npm run build:web');
  const service = await startEmbeddedService({
    routes: (app) => {
      app.get(PAGE_PATH, async (_request, reply) => reply.type('text/html').send(PAGE));
      // A script of the page's own origin: the service's Content-Security-Policy refuses inline scripts.
      app.get(`${PAGE_PATH}.js`, async (_request, reply) => reply.type('text/javascript').send(PAGE_SCRIPT));
    },
  });
  // Fake camera and microphone, no GPU (as on these machines' CI).
  const browser = await launchBrowser();
  const results: CaseResult[] = [];
  try {
    for (const [name, chunk] of [
      ['camera as it is', undefined],
      ['background blur', manifest.chunks.blur],
    ] as const) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${service.baseUrl}${PAGE_PATH}`);
      results.push(await runCase(page, name, chunk, options));
      await context.close();
    }
  } finally {
    await browser.close();
    await service.stop();
  }

  const f = (n: number, d = 1) => n.toFixed(d);
  const lines = [
    `media benchmark: Chromium ${browser.version()}, ${new Date().toISOString().slice(0, 10)}, ${options.seconds} s per case after ${options.warmup} s, load average at the end ${f(loadavg()[0]!, 2)}`,
  ];
  for (const r of results) {
    lines.push(`${r.name} (camera at ${f(r.cameraFps)} fps):`);
    if (r.frameMs.length > 0) {
      const budget = frameBudgetMs(r.cameraFps);
      lines.push(
        `    frame budget ${f(budget)} ms (${f(FRAME_BUDGET_SHARE * 100, 0)} % of the frame interval; blur turns itself off when the median over 2 s is past it)`,
      );
      const over = r.frameMs.filter((ms) => ms > budget).length / r.frameMs.length;
      lines.push(
        `    time per frame (main thread): p50 ${f(median(r.frameMs))} ms, p95 ${f(percentile(r.frameMs, 95))} ms, max ${f(Math.max(...r.frameMs))} ms; over budget ${f(over * 100)} % of ${r.frameMs.length} frames`,
      );
      lines.push(`    frames processed: ${f(r.processedFps)} /s`);
    }
    lines.push(
      `    outgoing track ${r.size}: ${f(r.encodedFps)} frames/s encoded, ${f(r.sentFps)} sent; received: ${f(r.decodedFps)} decoded/s`,
    );
    lines.push(
      `    CPU: browser ${f(r.cores, 2)} cores${r.machineCores === undefined ? '' : ` (whole machine ${f(r.machineCores, 2)} of 2)`}`,
    );
  }
  const [plain, blurred] = results;
  if (plain && blurred)
    lines.push(
      `blur adds ${f(blurred.cores - plain.cores, 2)} cores of CPU (${f(((blurred.cores - plain.cores) * 1000) / Math.max(1, blurred.processedFps), 1)} ms of CPU per frame) and keeps ${f((blurred.sentFps / Math.max(0.001, plain.sentFps)) * 100, 0)} % of the plain call's frame rate`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
