/* What the visitor widget costs the customer's page, in real headless Chromium against the real service on loopback.
 * The page is a bare shop page served from the service's own origin with the widget's one script tag.
 *
 *   (a) bytes on the wire: every response from the service the page got for the widget (scripts, not the page
 *       itself), as Chromium received them: the body as sent (compressed when the service compressed it) plus the
 *       response headers; nothing for what came from the browser's cache without a request. A visitor's first page
 *       view with no call; the call started on it (launcher, Enable camera, code shown, and the co-browse recorder,
 *       downloaded ahead while the visitor waits for an agent); an agent joined (the recorder runs, from the cache);
 *       the visitor's next page view. The built files' own sizes (raw, gzip -9,
 *       brotli -q 11) are listed too.
 *   (b) page load -> launcher in the DOM: from the page's navigation start to the launcher button being in the
 *       widget's shadow root (and the next animation frame, when it is painted), over --runs fresh contexts (nothing
 *       cached), on loopback and under a throttled network (DevTools throttling: 150 ms latency, 1.6 Mbit/s down,
 *       750 kbit/s up, the mobile "slow 4G" profile Lighthouse uses: test/helpers/slowNetwork.ts).
 *   (c) the terms prompt for an identified visitor (data-visitor-token), on their first page view (a fresh context):
 *       from the agent's invitation request being sent (POST /api/agent/invitations, timed in this process) to the
 *       prompt dialog in the widget (timed in the page, on the same machine's clock), and the page's own share (the
 *       `terms.prompt` message's arrival on the socket -> the prompt in the DOM). The agent invites once the page
 *       has settled (no network for 500 ms), as an agent who sees the visitor online does, and, as the worst case,
 *       the moment the page is online.
 *
 *   npm run bench:widget
 *   npm run bench:widget -- --runs 20
 *
 * Not a test: it prints figures, next to the figures measured before the widget was split (BEFORE, below). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { signVisitorToken } from '../src/identity/visitorToken';
import { webDistDir } from '../src/paths';
import { launchBrowser } from '../test/helpers/browser';
import { consoleTicket, devToken } from '../test/helpers/testServer';
import { median, summary } from './stats';
import { readOptions } from './cli';
import { throttle } from '../test/helpers/slowNetwork';
import type { Config } from '../src/config/schema';
import { startEmbeddedService, type EmbeddedService } from './embeddedService';

const HELP = `Usage: npm run bench:widget -- [options]
  --runs N      measured page loads and prompts per case (default 10)
  --warmup N    unmeasured runs before each case (default 1)
  --help`;

const PAGE_PATH = '/bench/widget-page';
/** Measured on the last commit before the split (7567f29: one 163 KB widget.js, sent uncompressed and revalidated on
 * every page view), with this script, on the same 2-core machine, just before the figures in docs/benchmarks.md. */
const BEFORE: Record<string, number> = {
  noCallBytes: 164_263,
  callBytes: 164_263,
  agentBytes: 299_460,
  repeatViewBytes: 1_058,
  launcher: 108.6,
  launcherThrottled: 1165.3,
  promptSettled: 12.4,
  promptSettledInPage: 8.3,
  promptSettledThrottled: 21.7,
  promptSettledThrottledInPage: 8.6,
  promptAtOnceThrottled: 21.0,
  promptAtOnceThrottledInPage: 7.7,
};

interface Options {
  runs: number;
  warmup: number;
}

function parseOptions(argv: string[]): Options {
  const { numbers } = readOptions(argv, HELP, {
    numbers: { runs: { fallback: 10, min: 1, max: 1000 }, warmup: { fallback: 1, min: 0, max: 100 } },
  });
  return { runs: numbers.runs, warmup: numbers.warmup };
}

// --- the page and the service ------------------------------------------------------------------------------------

function pageHtml(visitorToken: string | undefined): string {
  const token = visitorToken ? ` data-visitor-token="${visitorToken.replace(/[^A-Za-z0-9._-]/g, '')}"` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script src="/widget.js"${token} defer></script></head>
<body><main><h1>Shop</h1><p>A page of the customer's site, with the widget's one script tag.</p></main></body></html>`;
}

// --- in-page instrumentation ---------------------------------------------------------------------------------------

interface PageProbe {
  /** performance.now() when the launcher was first in the shadow root, and the next animation frame. */
  launcherAt?: number;
  launcherPaintedAt?: number;
  /** Wall-clock times (timeOrigin + now) of the terms.prompt messages' arrival and of the prompt in the DOM. */
  promptMessages: number[];
  promptShown: number[];
}

/** Runs in every page before its scripts. Benchmark-side only; the product has no such hooks. */
function instrument(): void {
  const probe: PageProbe = { promptMessages: [], promptShown: [] };
  (window as unknown as { __bench: PageProbe }).__bench = probe;
  const wall = () => performance.timeOrigin + performance.now();
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // Registered before the widget's own handler, so this notes the arrival first.
      this.addEventListener('message', (e) => {
        if (String(e.data).includes('"type":"terms.prompt"')) probe.promptMessages.push(wall());
      });
    }
  } as typeof WebSocket;
  let watchedRoot: ShadowRoot | undefined;
  let promptOn = false;
  const check = () => {
    const root = document.getElementById('tandem-widget')?.shadowRoot ?? undefined;
    if (!root) return;
    if (root !== watchedRoot) {
      watchedRoot = root;
      new MutationObserver(check).observe(root, { childList: true, subtree: true, attributes: true });
    }
    if (probe.launcherAt === undefined && root.querySelector('.launcher')) {
      probe.launcherAt = performance.now();
      requestAnimationFrame(() => (probe.launcherPaintedAt = performance.now()));
    }
    const prompt = !!root.querySelector('.panel[role="alertdialog"][data-screen="terms"]:not([hidden])');
    if (prompt && !promptOn) probe.promptShown.push(wall());
    promptOn = prompt;
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
}

const probeOf = (page: Page) => page.evaluate(() => (window as unknown as { __bench: PageProbe }).__bench);

// --- bytes ---------------------------------------------------------------------------------------------------------

interface Transfer {
  path: string;
  status: number;
  encoding: string;
  body: number;
  headers: number;
}

/** Every finished response from the service to this page except the page itself, with its size on the wire. */
function recordTransfers(page: Page, baseUrl: string): Transfer[] {
  const seen: Transfer[] = [];
  page.on('requestfinished', (request: Request) => {
    void (async () => {
      const url = new URL(request.url());
      if (
        url.origin !== new URL(baseUrl).origin ||
        url.pathname === PAGE_PATH ||
        request.resourceType() === 'websocket'
      )
        return;
      const response = await request.response();
      if (!response) return;
      const sizes = await request.sizes();
      seen.push({
        path: url.pathname,
        status: response.status(),
        encoding: (await response.headerValue('content-encoding')) ?? 'identity',
        body: sizes.responseBodySize,
        headers: sizes.responseHeadersSize,
      });
    })();
  });
  return seen;
}

/** The transfers as they stand, with what the browser took from its cache (no request: Resource Timing's
 * transferSize is 0) counted as nothing. */
async function snapshot(page: Page, transfers: Transfer[]): Promise<Transfer[]> {
  // Per path, in order: whether each of the page's requests for it was served from the cache. A file downloaded
  // ahead and then run from the cache (the recorder) is one of each.
  const fromCache = await page.evaluate(() => {
    const byPath: Record<string, boolean[]> = {};
    for (const e of performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      (byPath[new URL(e.name).pathname] ??= []).push(e.transferSize === 0 && e.decodedBodySize > 0);
    return byPath;
  });
  const seen = new Map<string, number>();
  return transfers.map((t) => {
    const nth = seen.get(t.path) ?? 0;
    seen.set(t.path, nth + 1);
    return fromCache[t.path]?.[nth] ? { ...t, status: 0, encoding: 'from cache', body: 0, headers: 0 } : t;
  });
}

const total = (transfers: Transfer[]) => transfers.reduce((sum, t) => sum + t.body + t.headers, 0);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const describe = (transfers: Transfer[]) =>
  transfers.length === 0
    ? 'no requests'
    : transfers
        .map((t) =>
          t.status === 0
            ? `${t.path} from the cache`
            : `${t.path} ${t.status} ${t.encoding} ${t.body} B + headers ${t.headers} B`,
        )
        .join('; ');

/** The built widget files: the loader and, when the build lists them, its chunks (else every widget*.js and the
 * recorder at the top of dist/web, as before the split). */
function builtFiles(): Array<{ name: string; raw: number; gzip: number; brotli: number }> {
  let names: string[];
  try {
    const manifest = JSON.parse(readFileSync(path.join(webDistDir, 'widget-manifest.json'), 'utf8')) as {
      chunks: Record<string, string>;
    };
    names = ['widget.js', ...Object.values(manifest.chunks).map((p) => p.replace(/^\//, ''))];
  } catch {
    names = readdirSync(webDistDir).filter((f) => /^(widget|cobrowse-recorder).*\.js$/.test(f));
  }
  return names
    .filter((name) => statSync(path.join(webDistDir, name), { throwIfNoEntry: false })?.isFile())
    .map((name) => {
      const data = readFileSync(path.join(webDistDir, name));
      return {
        name,
        raw: data.length,
        gzip: gzipSync(data, { level: 9 }).length,
        brotli: brotliCompressSync(data, {
          params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: data.length },
        }).length,
      };
    });
}

// --- the cases -----------------------------------------------------------------------------------------------------

async function newBenchContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // As source text: tsx (esbuild keepNames) wraps named functions in __name(), which pages don't have.
  await context.addInitScript({ content: `var __name = (f) => f; (${instrument.toString()})();` });
  return context;
}

/** One page load in a fresh context: navigation start -> launcher in the DOM, and the next frame. */
async function launcherTime(
  browser: Browser,
  baseUrl: string,
  throttled: boolean,
): Promise<{ inDom: number; painted: number }> {
  const context = await newBenchContext(browser);
  try {
    const page = await context.newPage();
    if (throttled) await throttle(page);
    await page.goto(`${baseUrl}${PAGE_PATH}`);
    await page.waitForFunction(
      () => (window as unknown as { __bench: PageProbe }).__bench.launcherPaintedAt !== undefined,
      undefined,
      { timeout: 60_000 },
    );
    const probe = await probeOf(page);
    return { inDom: probe.launcherAt!, painted: probe.launcherPaintedAt! };
  } finally {
    await context.close();
  }
}

let visitorCount = 0;

interface PromptRun {
  /** Invitation sent -> prompt shown; the terms.prompt message's arrival -> prompt shown. */
  total: number;
  inPage: number;
  /** When the page fetched the call chunk for this prompt: the download, and its end -> prompt shown. */
  chunk?: { fetch: number; after: number };
}

/** An identified visitor's page in `context` goes online; the agent invites them; the prompt shows; they decline. */
async function promptTime(
  context: BrowserContext,
  service: EmbeddedService & { site: Config['sites'][number] },
  agentToken: string,
  how: { throttled: boolean; settled: boolean },
): Promise<PromptRun> {
  const visitorId = `003BENCH${String(++visitorCount).padStart(8, '0')}`;
  const { token } = signVisitorToken(
    { site: service.site.id, sub: visitorId, name: 'Maya Jensen' },
    service.site.signingSecret,
    Date.now(),
    600,
  );
  const page = await context.newPage();
  const said: string[] = [];
  page.on('console', (m) => said.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => said.push(`error: ${e.message}`));
  try {
    if (how.throttled) await throttle(page);
    await page.goto(`${service.baseUrl}${PAGE_PATH}?token=${encodeURIComponent(token)}`);
    await page
      .locator('#tandem-widget .frame[data-presence="online"]')
      .waitFor({ state: 'attached', timeout: 15_000 })
      .catch(async (err: unknown) => {
        const presence = await page
          .locator('#tandem-widget .frame')
          .getAttribute('data-presence')
          .catch(() => 'no frame');
        throw new Error(
          `the page did not go online (data-presence ${presence}; the page said: ${said.join(' | ') || 'nothing'})`,
          { cause: err },
        );
      });
    if (how.settled) await page.waitForLoadState('networkidle');
    const sentAt = performance.timeOrigin + performance.now();
    const response = await fetch(`${service.baseUrl}/api/agent/invitations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agentToken}` },
      body: JSON.stringify({ visitorId }),
    });
    if (response.status !== 201) throw new Error(`invitation refused: ${response.status} ${await response.text()}`);
    await page.waitForFunction(
      () => (window as unknown as { __bench: PageProbe }).__bench.promptShown.length > 0,
      undefined,
      { timeout: 15_000 },
    );
    const probe = await probeOf(page);
    // The call chunk's download, when the prompt needed it (wall clock, like the probe's times).
    const chunk = await page.evaluate(() => {
      const entry = performance.getEntriesByType('resource').find((e) => e.name.includes('/assets/widget-call-')) as
        PerformanceResourceTiming | undefined;
      return (
        entry && { start: performance.timeOrigin + entry.startTime, end: performance.timeOrigin + entry.responseEnd }
      );
    });
    await page.getByRole('button', { name: 'Decline' }).click();
    await page.getByText('You declined the video call.').waitFor();
    const arrived = probe.promptMessages[0]!;
    const shown = probe.promptShown[0]!;
    return {
      total: shown - sentAt,
      inPage: shown - arrived,
      chunk: chunk && chunk.start >= arrived ? { fetch: chunk.end - chunk.start, after: shown - chunk.end } : undefined,
    };
  } finally {
    await page.close();
  }
}

/** (a): one visitor's first page view (nothing cached), their call on it, an agent joining, and their next page view. */
async function bytesOfACall(
  browser: Browser,
  baseUrl: string,
): Promise<{ noCall: Transfer[]; call: Transfer[]; agent: Transfer[]; repeat: Transfer[] }> {
  const context = await newBenchContext(browser);
  try {
    const page = await context.newPage();
    const transfers = recordTransfers(page, baseUrl);
    await page.goto(`${baseUrl}${PAGE_PATH}`);
    await page.getByRole('button', { name: 'Start video session' }).waitFor();
    // Anything the widget fetches on its own after load counts too.
    await page.waitForLoadState('networkidle');
    const noCall = await snapshot(page, transfers);
    await page.getByRole('button', { name: 'Start video session' }).click();
    await page.getByRole('button', { name: 'Enable camera' }).click();
    const code = ((await page.getByTestId('session-code').textContent({ timeout: 15_000 })) ?? '').replace(/\s+/g, '');
    // The recorder is downloaded once the page is idle (a call's page has no network-idle moment: its socket).
    await page.waitForFunction(
      () => performance.getEntriesByType('resource').some((r) => r.name.includes('cobrowse-recorder')),
      undefined,
      { timeout: 15_000 },
    );
    await page.waitForTimeout(500);
    const call = await snapshot(page, transfers);

    const agent = await context.newPage();
    const ticket = await consoleTicket({ baseUrl }, await devToken({ baseUrl }, 'Bench Agent'), code);
    await agent.goto(`${baseUrl}/console#ticket=${encodeURIComponent(ticket)}`);
    await page.waitForFunction(() => '__tandemCobrowse' in window, undefined, { timeout: 15_000 });
    // Once the recorder runs, nothing else is fetched.
    await page.waitForTimeout(500);
    const joined = await snapshot(page, transfers);
    await agent.close();
    await page.close();

    const next = await context.newPage();
    const repeat = recordTransfers(next, baseUrl);
    await next.goto(`${baseUrl}${PAGE_PATH}`);
    await next.getByRole('button', { name: 'Start video session' }).waitFor();
    await next.waitForLoadState('networkidle');
    return { noCall, call, agent: joined, repeat: await snapshot(next, repeat) };
  } finally {
    await context.close();
  }
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const versus = (now: string, before: string) => `${now}  (before: ${before})`;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const loadAtStart = loadavg()[0]!;
  // The per-address limits raised: every page of the benchmark comes from 127.0.0.1.
  const embedded = await startEmbeddedService({
    overrides: { limits: { socketsPerAddress: 100_000, sessionsPerAddressPerMinute: 100_000 } },
    routes: (app) =>
      app.get(PAGE_PATH, async (request, reply) =>
        reply.type('text/html').send(pageHtml((request.query as { token?: string }).token)),
      ),
  });
  const site = embedded.config.sites.find((s) => s.id === 'demo');
  if (!site) throw new Error('the embedded configuration has no demo site');
  const service = { ...embedded, site };
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const lines: string[] = [
      `widget benchmark: Chromium ${browser.version()}, ${new Date().toISOString().slice(0, 10)}, ${options.runs} runs per case`,
    ];

    lines.push('built files (raw / gzip -9 / brotli -q 11):');
    for (const f of builtFiles())
      lines.push(
        `    ${f.name.padEnd(44)} ${kb(f.raw).padStart(10)} ${kb(f.gzip).padStart(10)} ${kb(f.brotli).padStart(10)}`,
      );

    // (a)
    const bytes = await bytesOfACall(browser, service.baseUrl);
    lines.push('(a) bytes on the wire for the widget (body as sent + response headers; from the cache: 0):');
    lines.push(
      `    page view, no call (nothing cached):  ${versus(kb(total(bytes.noCall)), kb(BEFORE.noCallBytes!))}   ${describe(bytes.noCall)}`,
    );
    lines.push(
      `    + call started (+ recorder), in all:  ${versus(kb(total(bytes.call)), kb(BEFORE.callBytes!))}   ${describe(bytes.call.slice(bytes.noCall.length))}`,
    );
    lines.push(
      `    + agent joined, in all:               ${versus(kb(total(bytes.agent)), kb(BEFORE.agentBytes!))}   ${describe(bytes.agent.slice(bytes.call.length))}`,
    );
    lines.push(
      `    the visitor's next page view:         ${versus(kb(total(bytes.repeat)), kb(BEFORE.repeatViewBytes!))}   ${describe(bytes.repeat)}`,
    );

    // (b)
    for (const throttled of [false, true]) {
      for (let i = 0; i < options.warmup; i++) await launcherTime(browser, service.baseUrl, throttled);
      const inDom: number[] = [];
      const painted: number[] = [];
      for (let i = 0; i < options.runs; i++) {
        const t = await launcherTime(browser, service.baseUrl, throttled);
        inDom.push(t.inDom);
        painted.push(t.painted);
      }
      const s = summary(inDom);
      const before = BEFORE[throttled ? 'launcherThrottled' : 'launcher']!;
      lines.push(
        `(b) page load -> launcher in the DOM, ${throttled ? 'throttled (150 ms, 1.6 Mbit/s)' : 'loopback'}: ${versus(`median ${ms(s.median)}`, ms(before))}, p90 ${ms(s.p90)}, min ${ms(s.min)}, max ${ms(s.max)}; painted (next frame) median ${ms(median(painted))}`,
      );
    }

    // (c)
    const agentToken = await devToken(service, 'Bench Agent');
    const cases = [
      { name: 'page settled, loopback', key: 'promptSettled', throttled: false, settled: true },
      { name: 'page settled, throttled', key: 'promptSettledThrottled', throttled: true, settled: true },
      { name: 'as soon as online, throttled', key: 'promptAtOnceThrottled', throttled: true, settled: false },
    ];
    for (const c of cases) {
      const runs: PromptRun[] = [];
      for (let i = 0; i < options.warmup + options.runs; i++) {
        const context = await newBenchContext(browser);
        try {
          const t = await promptTime(context, service, agentToken, c);
          if (i >= options.warmup) runs.push(t);
        } finally {
          await context.close();
        }
      }
      const s = summary(runs.map((r) => r.total));
      const chunks = runs.flatMap((r) => (r.chunk ? [r.chunk] : []));
      lines.push(
        `(c) invitation sent -> terms prompt shown, ${c.name}: ${versus(`median ${ms(s.median)}`, ms(BEFORE[c.key]!))}, p90 ${ms(s.p90)}, min ${ms(s.min)}, max ${ms(s.max)}`,
        `    of which in the page (terms.prompt arrived -> shown): median ${versus(ms(median(runs.map((r) => r.inPage))), ms(BEFORE[`${c.key}InPage`]!))}` +
          (chunks.length
            ? `; ${chunks.length} of ${runs.length} downloaded the call chunk then: median ${ms(median(chunks.map((x) => x.fetch)))}, then run and shown ${ms(median(chunks.map((x) => x.after)))}`
            : ''),
      );
    }
    lines.push(
      `machine load (1-minute average) at start ${loadAtStart.toFixed(1)}, at end ${loadavg()[0]!.toFixed(1)}`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await browser?.close();
    await service.stop();
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
