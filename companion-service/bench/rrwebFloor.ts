/* The floor under bench:cobrowse (a): rrweb's own record -> Replayer of the same page, in the same browser, with
 * nothing of Tandem's and no network. Two pages of one context (as the visitor and the console are), from a bare
 * HTTP server (staticPages.ts):
 *
 *   - the record page: the bench's page (cobrowsePage.ts, the same elements, rrweb's UMD build instead of the widget)
 *     running `rrwebRecord.record({ emit })` with rrweb's defaults;
 *   - the replay page: `new rrwebReplay.Replayer([], { liveMode: true })` started with startLive() (rrweb's documented
 *     live mode), rrweb's replay stylesheet, and the console's probe (cobrowseProbes.ts) for "shown".
 *
 * The events go from one page to the other as a BroadcastChannel message (structured clone, no network). A
 * snapshot: the replay page marks its document stale and asks; the record page notes the ask's arrival (t0, as
 * Tandem's (a) starts when the visitor's page is asked), takes `record.takeFullSnapshot(true)` and posts the events;
 * the replay page adds them to the Replayer; it ends when the replayed document holds the page's last element, one
 * animation frame later: the same waitForPage as Tandem's console. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { benchPageHtml, LAST_ELEMENT_ID, MUTATION_TARGET_ID } from './cobrowsePage';
import { instrumentConsole, type ConsoleProbe } from './cobrowseProbes';
import { serveStatic, type StaticServer } from './staticPages';

const CHANNEL = 'bench-rrweb-floor';

const REPLAY_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>rrweb replay</title>
<link rel="stylesheet" href="/rrweb-replay.css"><script src="/rrweb-replay.js"></script></head>
<body><div id="live"></div></body></html>`;

const fromPackage = (pkg: string, file: string) => readFileSync(path.join(path.dirname(require.resolve(pkg)), file));

export async function startRrwebFloorServer(elements: number): Promise<StaticServer> {
  return serveStatic({
    '/record': { type: 'text/html', body: benchPageHtml(elements, '/rrweb-record.js') },
    '/replay': { type: 'text/html', body: REPLAY_PAGE },
    '/rrweb-record.js': { type: 'text/javascript', body: fromPackage('@rrweb/record', 'record.umd.min.cjs') },
    '/rrweb-replay.js': { type: 'text/javascript', body: fromPackage('@rrweb/replay', 'replay.umd.min.cjs') },
    '/rrweb-replay.css': { type: 'text/css', body: fromPackage('@rrweb/replay', 'style.css') },
  });
}

// --- in the pages -------------------------------------------------------------------------------------------------

interface RecordSide {
  /** Per snapshot: asked (the ask arrived), recorded (rrweb's events emitted), posted (postMessage returned). */
  report(): Array<{ asked: number; recorded: number; posted: number }>;
}
interface ReplaySide {
  ask(): void;
  /** Per message: arrived (the message event), read (its data deserialised; then it is added to the Replayer). */
  received(): Array<{ arrived: number; read: number }>;
}

const RECORD_FN = (channelName: string) => {
  const now = () => performance.timeOrigin + performance.now();
  type Record = ((options: { emit(event: unknown): void }) => void) & { takeFullSnapshot(isCheckout?: boolean): void };
  const { record } = (window as unknown as { rrwebRecord: { record: Record } }).rrwebRecord;
  const channel = new BroadcastChannel(channelName);
  const snapshots: Array<{ asked: number; recorded: number; posted: number }> = [];
  let batch: unknown[] | undefined = [];
  record({
    emit(event) {
      if (batch) batch.push(event);
      else channel.postMessage({ events: [event] });
    },
  });
  // The first full snapshot, taken when recording started.
  channel.postMessage({ events: batch });
  batch = undefined;
  channel.addEventListener('message', (event: MessageEvent<{ ask?: boolean }>) => {
    if (!event.data.ask) return;
    const asked = now();
    batch = [];
    record.takeFullSnapshot(true);
    const events = batch;
    batch = undefined;
    const recorded = now();
    channel.postMessage({ events });
    snapshots.push({ asked, recorded, posted: now() });
  });
  const side: RecordSide = { report: () => snapshots };
  (window as unknown as { __floor: RecordSide }).__floor = side;
};

const REPLAY_FN = (channelName: string) => {
  const now = () => performance.timeOrigin + performance.now();
  type Replayer = { startLive(baseline?: number): void; addEvent(event: unknown): void };
  const rrweb = (
    window as unknown as { rrwebReplay: { Replayer: new (events: unknown[], config: object) => Replayer } }
  ).rrwebReplay;
  const channel = new BroadcastChannel(channelName);
  const received: Array<{ arrived: number; read: number }> = [];
  let replayer: Replayer | undefined;
  channel.addEventListener('message', (event: MessageEvent<{ events?: unknown[] }>) => {
    const arrived = now();
    const events = event.data.events;
    if (!events) return;
    const read = now();
    if (!replayer) {
      replayer = new rrweb.Replayer([], {
        root: document.getElementById('live'),
        liveMode: true,
        mouseTail: false,
        showWarning: false,
      });
      replayer.startLive(Date.now());
    }
    for (const e of events) replayer.addEvent(e);
    received.push({ arrived, read });
  });
  const side: ReplaySide = { ask: () => channel.postMessage({ ask: true }), received: () => received };
  (window as unknown as { __floor: ReplaySide }).__floor = side;
};

/** As page source: tsx (esbuild, keepNames) wraps functions in `__name(...)`, which the page lacks. */
const source = (fn: (arg: string) => void) => `var __name = (f) => f; (${fn.toString()})(${JSON.stringify(CHANNEL)});`;

// --- driver -------------------------------------------------------------------------------------------------------

export interface FloorSnapshot {
  /** Asked -> the replayed document holds the last element (and a frame has passed). */
  total: number;
  /** Asked -> rrweb's events emitted: the page serialised. */
  record: number;
  /** Events emitted -> the message event in the replay page: postMessage (structured clone) and the trip. */
  handover: number;
  /** The message's data deserialised. */
  read: number;
  /** Handed to the Replayer -> shown: rebuild and paint. */
  rebuild: number;
}

export interface RrwebFloor {
  elementCount: number;
  /** Elements in the replayed document. */
  replayedCount(): Promise<number>;
  snapshot(): Promise<FloorSnapshot>;
  close(): Promise<void>;
}

export async function openRrwebFloor(
  browser: Browser,
  server: StaticServer,
  viewport: { width: number; height: number },
): Promise<RrwebFloor> {
  const context = await browser.newContext({ viewport });
  // The record page first and the replay page last, as the bench opens the visitor's page and then the console. The
  // other way round, rrweb's replay (which runs on animation frames) took ~2 s per snapshot after the first few,
  // though both pages said they were visible and focused.
  const record: Page = await context.newPage();
  await record.goto(`${server.baseUrl}/record`);
  const elementCount = await record.evaluate(() => document.getElementsByTagName('*').length);
  const replay: Page = await context.newPage();
  await replay.addInitScript(
    instrumentConsole({ lastElementId: LAST_ELEMENT_ID, mutationTargetId: MUTATION_TARGET_ID }),
  );
  await replay.goto(`${server.baseUrl}/replay`);
  await replay.evaluate(source(REPLAY_FN));
  await record.evaluate(source(RECORD_FN));
  await replay.evaluate(() => (window as unknown as { __bench: ConsoleProbe }).__bench.waitForPage(30_000));
  return {
    elementCount,
    replayedCount: () =>
      replay.evaluate(
        () =>
          document
            .querySelector<HTMLIFrameElement>('.replayer-wrapper iframe')
            ?.contentDocument?.getElementsByTagName('*').length ?? 0,
      ),
    async snapshot() {
      const shown = await replay.evaluate(() => {
        const bench = (window as unknown as { __bench: ConsoleProbe }).__bench;
        bench.markStale();
        (window as unknown as { __floor: ReplaySide }).__floor.ask();
        return bench.waitForPage(30_000);
      });
      const sent = (await record.evaluate(() => (window as unknown as { __floor: RecordSide }).__floor.report())).at(
        -1,
      );
      const got = (await replay.evaluate(() => (window as unknown as { __floor: ReplaySide }).__floor.received())).at(
        -1,
      );
      if (!sent || !got) throw new Error('the floor took no snapshot');
      return {
        total: shown - sent.asked,
        record: sent.recorded - sent.asked,
        handover: got.arrived - sent.recorded,
        read: got.read - got.arrived,
        rebuild: shown - got.read,
      };
    },
    close: () => context.close(),
  };
}
