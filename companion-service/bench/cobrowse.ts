/* Cobrowse in real headless Chromium against the real service on loopback: a visitor page with ~5,000 elements
 * carrying the widget, and the agent console showing it live.
 *
 *   (a) full snapshot: from the moment the visitor's page is asked for a snapshot (it receives
 *       `cobrowse.snapshot.needed`) until the console's live view holds the page's last element and has painted
 *       (one animation frame later); with the snapshot's size on the wire and uncompressed, and each stage's share
 *       (rrweb serialising the page, encoding, sending, the relay, decoding, rebuilding and painting). Against its
 *       floor, measured alternately in the same browser: rrweb's own record -> Replayer of the same page between two
 *       pages, no network, nothing of Tandem's (rrwebFloor.ts); the target is Tandem's median <= 1.3x the floor's.
 *       Also: console opened -> page shown, for an agent joining.
 *   (b) mutation -> agent DOM: the visitor's page changes one element's text every --mutation-ms; the console
 *       notes when its live view shows each value. p50/p95 over --mutations changes.
 *   (c) bytes per minute of a scripted form session (typing, choosing, ticking, scrolling, pointer moves) for
 *       --session-s seconds: every `cobrowse.events` frame the visitor's page sends, with and without the first
 *       full snapshot.
 *   (d) the recorder's time on the visitor's main thread during (c): Chromium's ScriptDuration for the same
 *       scripted session with the recorder running, minus without it (no session), per minute.
 *   (e) remote control's round trip: the agent's keystroke (and click) in the live view -> the customer's page
 *       changed -> the live view shows it, p50/p95 over --control actions of each (remoteControlRoundTrip.ts).
 *
 * Timestamps are taken in the pages (performance.timeOrigin + performance.now(), one clock for every page of the
 * browser), never in the driver.
 *
 *   npm run bench:cobrowse
 *   npm run bench:cobrowse -- --elements 5000 --snapshots 10 --mutations 200 --session-s 60
 *   BENCH_LOG=warn npm run bench:cobrowse   # the service's log and both pages' consoles, for finding faults
 *
 * Not a test: it prints figures and PASS/MISS against the targets ((a) 1.3x its floor, p95 50 ms, 50 kbit/s, round trip
 * p95 100 ms). */
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath } from '../test/helpers/browser';
import { consoleTicket, devToken } from '../test/helpers/testServer';
import { Privilege } from '../src/protocol/codes';
import { benchPageHtml, LAST_ELEMENT_ID, MUTATION_TARGET_ID } from './cobrowsePage';
import { remoteControlRoundTrips } from './remoteControlRoundTrip';
import { instrumentConsole, instrumentVisitor, type ConsoleProbe, type VisitorProbe } from './cobrowseProbes';
import { othersDuring, waitForQuiet } from './machineLoad';
import { openRrwebFloor, startRrwebFloorServer, type FloorSnapshot } from './rrwebFloor';
import { median, percentile, summary } from './stats';
import { BatchAssembler, type StreamPart } from '../web/cobrowse/streamCodec';
import { readOptions } from './cli';
import { startEmbeddedService } from './embeddedService';
import { saveProfile, startProfile } from './pageProfile';
import { throttle } from '../test/helpers/slowNetwork';

const HELP = `Usage: npm run bench:cobrowse -- [options]
  --elements N      elements on the shared page (default 5000)
  --snapshots N     measured full snapshots (default 10)
  --mutations N     measured mutations (default 200)
  --mutation-ms MS  time between mutations (default 50)
  --session-s S     length of the scripted form session (default 60)
  --control N       measured remote-control keystrokes, and as many clicks (default 50)
  --wait-quiet S    before each (a) pair (Tandem's snapshot and the floor's), wait up to S s for other processes to use
                    < 0.3 cores for 2 s (default 30; 0 = don't wait); pairs during which they used more are left out
  --throttle        the customer's page on a slow network (DevTools' "slow 4G": 150 ms, 1.6 Mbit/s down)
  --cpu-prof DIR    write CPU profiles of the visitor's page and the console while the agent joins, and of the
                    visitor's page during (c)/(d), with and without the session
  --help`;

/** (a): Tandem's median at most this many times the floor's (rrweb record -> Replayer), measured in the same run. */
const TARGET_SNAPSHOT_RATIO = 1.3;
/** Pairs during which other processes used this many cores or more are left out of (a). */
const QUIET_CORES = 0.3;
const TARGET_MUTATION_P95_MS = 50;
const TARGET_KBITS = 50;
const TARGET_CONTROL_P95_MS = 100;
const PAGE_PATH = '/bench/cobrowse-page';

interface Options {
  elements: number;
  snapshots: number;
  mutations: number;
  mutationMs: number;
  sessionSeconds: number;
  controlActions: number;
  waitQuiet: number;
  throttle: boolean;
  cpuProf?: string;
}

function parseOptions(argv: string[]): Options {
  const { numbers, strings, flags } = readOptions(argv, HELP, {
    strings: ['cpu-prof'],
    flags: ['throttle'],
    numbers: {
      elements: { fallback: 5000, min: 100, max: 200_000 },
      snapshots: { fallback: 10, min: 1, max: 1000 },
      mutations: { fallback: 200, min: 10, max: 100_000 },
      'mutation-ms': { fallback: 50, min: 5, max: 10_000 },
      'session-s': { fallback: 60, min: 5, max: 3600 },
      control: { fallback: 50, min: 5, max: 10_000 },
      'wait-quiet': { fallback: 30, min: 0, max: 3600 },
    },
  });
  return {
    elements: numbers.elements,
    snapshots: numbers.snapshots,
    mutations: numbers.mutations,
    mutationMs: numbers['mutation-ms'],
    sessionSeconds: numbers['session-s'],
    controlActions: numbers.control,
    waitQuiet: numbers['wait-quiet'],
    throttle: flags.throttle,
    ...(strings['cpu-prof'] ? { cpuProf: strings['cpu-prof'] } : {}),
  };
}

/** Size of the snapshot's rrweb events as JSON, before the stream codec compressed them. */
function rrwebJsonBytes(parts: string[]): number {
  const assembler = new BatchAssembler();
  for (const part of parts) {
    const batch = assembler.add(JSON.parse(part) as StreamPart);
    if (batch) return Buffer.byteLength(JSON.stringify(batch.events));
  }
  throw new Error('the snapshot parts did not make a whole batch');
}

interface TandemSnapshot {
  /** Asked -> shown in the console. */
  total: number;
  /** Asked -> last part sent; last part sent -> the console's socket; -> shown. */
  recorder: number;
  relay: number;
  render: number;
  /** The recorder's stages: asked -> encoding starts (rrweb serialised the page), -> first part sent, -> last. */
  serialise: number;
  encode: number;
  send: number;
  /** The console's: last part arrived -> the batch parsed, -> shown. */
  decode: number;
  rebuild: number;
  wireBytes: number;
  parts: string[];
}

const visitorProbe = (page: Page) =>
  page.evaluate(() => (window as unknown as { __bench: VisitorProbe }).__bench.report());

/** Where an agent's join waits for the customer's page, each step from the console's navigation start: the console
 * joined, the customer's page heard of it and connected, serialised and sent the page, and the console received and
 * decoded it; and when the customer's page downloaded the recorder (before the agent joined: it is fetched ahead). */
async function agentJoinSteps(visitor: Page, agent: Page, openedAt: number): Promise<Array<[string, number]>> {
  const report = await visitorProbe(visitor);
  const recorder = await visitor.evaluate(() => {
    const entry = performance.getEntriesByType('resource').find((r) => r.name.includes('cobrowse-recorder')) as
      PerformanceResourceTiming | undefined;
    return entry && { asked: performance.timeOrigin + entry.startTime, in: performance.timeOrigin + entry.responseEnd };
  });
  const atConsole = await agent.evaluate(() => {
    const bench = (window as unknown as { __bench: ConsoleProbe }).__bench;
    return { joined: bench.joinedAt(), arrived: bench.lastSnapshotArrival(), decoded: bench.lastLargeParse() };
  });
  const steps: Array<[string, number | undefined]> = [
    ['recorder downloaded from', recorder?.asked],
    ['to', recorder?.in],
    ['the customer told', report.agentJoinedAt],
    ['console joined', atConsole.joined],
    ['connected', report.connectedAt],
    ['page serialised', report.largeStringify[0]?.[0]],
    ['sent', report.snapshots[0]?.lastPartAt],
    ['at the console', atConsole.arrived],
    ['decoded', atConsole.decoded],
  ];
  return steps.map(([step, at]) => [step, at === undefined ? Number.NaN : at - openedAt]);
}

/** A scripted visitor: types, chooses, ticks and scrolls on the form, moving the pointer, for `seconds`. */
async function scriptedFormSession(page: Page, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  let round = 0;
  while (Date.now() < until) {
    round++;
    await page.locator('#full-name').fill('');
    await page.locator('#full-name').pressSequentially(`Robin Customer ${round}`, { delay: 120 });
    await page.locator('#email').fill('');
    await page.locator('#email').pressSequentially(`robin${round}@example.com`, { delay: 120 });
    await page.locator('#topic').selectOption({ index: round % 3 });
    await page.locator('#consent').setChecked(round % 2 === 0);
    await page.locator('#message').pressSequentially('My parcel has not arrived yet. ', { delay: 120 });
    for (let i = 0; i < 10; i++) await page.mouse.move(100 + i * 30, 200 + ((i * 17) % 120), { steps: 4 });
    await page.mouse.wheel(0, 600);
    await page.waitForTimeout(500);
    await page.mouse.wheel(0, -600);
    await page.waitForTimeout(500);
  }
}

/** ScriptDuration of the page during `work`; with `profileTo`, also a CPU profile of it (DIR and file name). */
async function scriptDurationDuring(
  page: Page,
  work: () => Promise<void>,
  profileTo?: { dir: string; name: string },
): Promise<{ scriptMs: number; seconds: number }> {
  const profiler = profileTo ? await startProfile(page) : undefined;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const read = async () => {
    const { metrics } = (await cdp.send('Performance.getMetrics')) as {
      metrics: Array<{ name: string; value: number }>;
    };
    return metrics.find((m) => m.name === 'ScriptDuration')?.value ?? 0;
  };
  const before = await read();
  const started = Date.now();
  await work();
  const after = await read();
  if (profiler && profileTo)
    console.log(`    CPU profile: ${await saveProfile(profiler, profileTo.dir, profileTo.name)}`);
  return { scriptMs: (after - before) * 1000, seconds: (Date.now() - started) / 1000 };
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  // The embedded defaults, so the figures include the product's own co-browse limits.
  const pageHtml = benchPageHtml(options.elements);
  const service = await startEmbeddedService({
    routes: (app) => app.get(PAGE_PATH, async (_request, reply) => reply.type('text/html').send(pageHtml)),
  });
  const floorServer = await startRrwebFloorServer(options.elements);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: [
        '--no-sandbox',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        '--disable-background-networking',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });

    // (d) baseline first: the same scripted session on the page with the widget but no session, so no recorder.
    const baselinePage = await context.newPage();
    await baselinePage.goto(`${service.baseUrl}${PAGE_PATH}`);
    const baselineSeconds = Math.min(options.sessionSeconds, 20);
    const baseline = await scriptDurationDuring(
      baselinePage,
      () => scriptedFormSession(baselinePage, baselineSeconds),
      options.cpuProf ? { dir: options.cpuProf, name: 'visitor-without-session' } : undefined,
    );
    const recorderDownloaded = await baselinePage.evaluate(() =>
      performance.getEntriesByType('resource').some((r) => r.name.includes('cobrowse-recorder')),
    );
    await baselinePage.close();

    const visitor = await context.newPage();
    await visitor.addInitScript(instrumentVisitor({ mutationTargetId: MUTATION_TARGET_ID }));
    if (process.env.BENCH_LOG)
      visitor
        .on('console', (m) => console.log('visitor:', m.text()))
        .on('pageerror', (e) => console.log('visitor error:', e));
    if (options.throttle) await throttle(visitor);
    await visitor.goto(`${service.baseUrl}${PAGE_PATH}`);
    const elementCount = await visitor.evaluate(() => document.getElementsByTagName('*').length);
    await visitor.getByRole('button', { name: 'Start video session' }).click();
    await visitor.getByRole('button', { name: 'Enable camera' }).click();
    const code = ((await visitor.getByTestId('session-code').textContent({ timeout: 15_000 })) ?? '').replace(
      /\s+/g,
      '',
    );

    // Agent joins: console opened -> the visitor's page shown in the live view.
    const agent = await context.newPage();
    await agent.addInitScript(
      instrumentConsole({ lastElementId: LAST_ELEMENT_ID, mutationTargetId: MUTATION_TARGET_ID }),
    );
    if (process.env.BENCH_LOG)
      agent
        .on('console', (m) => console.log('agent:', m.text()))
        .on('pageerror', (e) => console.log('agent error:', e));
    const ticket = await consoleTicket(
      service,
      await devToken(service, 'Bench Agent', [Privilege.RemoteControl]),
      code,
    );
    const joinProfiles = options.cpuProf
      ? { dir: options.cpuProf, visitor: await startProfile(visitor), console: await startProfile(agent) }
      : undefined;
    await agent.goto(`${service.baseUrl}/console#ticket=${encodeURIComponent(ticket)}`);
    // The console page's own navigation start.
    const openedAt = await agent.evaluate(() => performance.timeOrigin);
    const firstShown = await agent.evaluate(() =>
      (window as unknown as { __bench: ConsoleProbe }).__bench.waitForPage(30_000),
    );
    const joinToPage = firstShown - openedAt;
    const joinSteps = await agentJoinSteps(visitor, agent, openedAt);
    if (joinProfiles) {
      await saveProfile(joinProfiles.visitor, joinProfiles.dir, 'visitor-agent-joins');
      await saveProfile(joinProfiles.console, joinProfiles.dir, 'console-agent-joins');
    }

    // (a) full snapshots on request, each paired with one of the floor's (alternately first), after a warm-up pair.
    const floor = await openRrwebFloor(browser, floorServer, { width: 1280, height: 800 });
    const tandemSnapshot = async (): Promise<TandemSnapshot> => {
      const at = await agent.evaluate(() => {
        const bench = (window as unknown as { __bench: ConsoleProbe }).__bench;
        bench.markStale();
        bench.requestSnapshot();
        return bench.waitForPage(30_000);
      });
      const report = await visitorProbe(visitor);
      const asked = report.snapshotAsked.at(-1);
      const sent = report.snapshots.at(-1);
      if (asked === undefined || !sent) throw new Error('the visitor was not asked for a snapshot, or sent none');
      const encodeStart = report.largeStringify.at(-1)?.[0] ?? Number.NaN;
      const arrived = await agent.evaluate(() =>
        (window as unknown as { __bench: ConsoleProbe }).__bench.lastSnapshotArrival(),
      );
      const decoded = await agent.evaluate(() =>
        (window as unknown as { __bench: ConsoleProbe }).__bench.lastLargeParse(),
      );
      return {
        total: at - asked,
        recorder: sent.lastPartAt - asked,
        relay: arrived - sent.lastPartAt,
        render: at - arrived,
        serialise: encodeStart - asked,
        encode: sent.firstPartAt - encodeStart,
        send: sent.lastPartAt - sent.firstPartAt,
        decode: decoded - arrived,
        rebuild: at - decoded,
        wireBytes: sent.wireBytes,
        parts: sent.parts,
      };
    };
    const pairs: Array<{ tandem: TandemSnapshot; floor: FloorSnapshot; others: number | undefined }> = [];
    process.stdout.write('(a) full snapshots, Tandem and its floor alternately first:\n');
    for (let i = 0; i < 1 + options.snapshots; i++) {
      if (options.waitQuiet > 0) await waitForQuiet(options.waitQuiet, true);
      const { value, others } = await othersDuring(async () => {
        const floorFirst = i % 2 === 1;
        const f1 = floorFirst ? await floor.snapshot() : undefined;
        const tandem = await tandemSnapshot();
        const f2 = floorFirst ? f1! : await floor.snapshot();
        return { tandem, floor: f2 };
      });
      if (i > 0) pairs.push({ ...value, others });
      const note =
        others === undefined
          ? ''
          : `  [other processes ${others.toFixed(2)} cores${others >= QUIET_CORES ? ': BUSY, left out' : ''}]`;
      process.stdout.write(
        `  (a) ${i === 0 ? 'warm-up' : `pair ${i}`}: Tandem ${ms(value.tandem.total)}, floor ${ms(value.floor.total)}${note}\n`,
      );
    }
    const floorElements = { page: floor.elementCount, replayed: await floor.replayedCount() };
    await floor.close();
    const tandemReplayed = await agent.evaluate(
      () =>
        document
          .querySelector<HTMLIFrameElement>('.replayer-wrapper iframe')
          ?.contentDocument?.getElementsByTagName('*').length ?? 0,
    );
    // With no quiet pair at all, every pair counts (and the report says so).
    const quiet = pairs.filter((p) => p.others === undefined || p.others < QUIET_CORES);
    const quietPairs = quiet.length ? quiet : pairs;
    const snapshotTimes = quietPairs.map((p) => p.tandem.total);
    const floorTimes = quietPairs.map((p) => p.floor.total);
    const lastTandem = pairs.at(-1)!.tandem;
    const wireBytes = lastTandem.wireBytes;
    const rawBytes = rrwebJsonBytes(lastTandem.parts);

    // (b) mutation -> agent DOM.
    await agent.evaluate(() => (window as unknown as { __bench: ConsoleProbe }).__bench.watchMutations());
    await visitor.evaluate(
      ([count, every]) => (window as unknown as { __bench: VisitorProbe }).__bench.mutate(count!, every!),
      [options.mutations, options.mutationMs],
    );
    await agent.waitForTimeout(1000);
    const changes = await visitor.evaluate(
      () => (window as unknown as { __bench: VisitorProbe }).__bench.report().mutations,
    );
    const seen = await agent.evaluate(() => (window as unknown as { __bench: ConsoleProbe }).__bench.seen());
    const arrivals = await agent.evaluate(() => (window as unknown as { __bench: ConsoleProbe }).__bench.arrivals());
    const transit = changes.flatMap((c) => (arrivals[c.value] === undefined ? [] : [arrivals[c.value]! - c.at]));
    const latencies = changes.flatMap((c) => (seen[c.value] === undefined ? [] : [seen[c.value]! - c.at]));
    const missed = changes.length - latencies.length;
    // A value never seen on its own may still have arrived: two changes in one batch are applied in one replay step,
    // and the live view's observer then sees only the later one.
    const missedButArrived = changes.filter(
      (c) => seen[c.value] === undefined && arrivals[c.value] !== undefined,
    ).length;

    // (c) + (d): the scripted form session with the recorder running.
    const bytesBefore = (await visitorProbe(visitor)).cobrowseBytes;
    const recorded = await scriptDurationDuring(
      visitor,
      () => scriptedFormSession(visitor, options.sessionSeconds),
      options.cpuProf ? { dir: options.cpuProf, name: 'visitor-in-session' } : undefined,
    );
    const sessionBytes = (await visitorProbe(visitor)).cobrowseBytes - bytesBefore;
    const kbits = (sessionBytes * 8) / 1000 / recorded.seconds;
    const withSnapshotKbits = ((sessionBytes + wireBytes) * 8) / 1000 / recorded.seconds;
    const recorderMsPerMinute = (recorded.scriptMs / recorded.seconds - baseline.scriptMs / baseline.seconds) * 60;

    // (e) remote control: the agent asks, the customer allows.
    await agent.getByRole('button', { name: 'Remote Control' }).click();
    await visitor.getByRole('alertdialog').getByRole('button', { name: 'Allow' }).click();
    await agent.getByTestId('control-status').filter({ hasText: 'You are controlling' }).waitFor();
    const control = await remoteControlRoundTrips(agent, visitor, options.controlActions);

    const snap = summary(snapshotTimes);
    const floorSnap = summary(floorTimes);
    const ratio = snap.median / floorSnap.median;
    const mut = summary(latencies);
    const stage = <T>(of: (p: (typeof quietPairs)[number]) => T, key: keyof T) =>
      ms(median(quietPairs.map((p) => of(p)[key] as number)));
    const t = (key: keyof TandemSnapshot) => stage((p) => p.tandem, key);
    const f = (key: keyof FloorSnapshot) => stage((p) => p.floor, key);
    const lines = [
      `cobrowse benchmark: ${elementCount} elements, Chromium ${browser.version()}, ${new Date().toISOString().slice(0, 10)}`,
      `(a) full snapshot: ${(wireBytes / 1024).toFixed(1)} KiB on the wire (${(rawBytes / 1024).toFixed(1)} KiB of rrweb JSON); elements replayed: Tandem ${tandemReplayed}, floor ${floorElements.replayed} (floor page ${floorElements.page})`,
      `    pairs left out because other processes used >= ${QUIET_CORES} cores meanwhile: ${quiet.length ? pairs.length - quiet.length : `none: all ${pairs.length} were busy, all count`} of ${pairs.length}${pairs.length > quietPairs.length ? ` (all pairs: Tandem median ${ms(median(pairs.map((p) => p.tandem.total)))}, floor ${ms(median(pairs.map((p) => p.floor.total)))})` : ''}`,
      `    Tandem, asked -> shown in the console: median ${ms(snap.median)}, p90 ${ms(snap.p90)}, min ${ms(snap.min)}, max ${ms(snap.max)} over ${snapshotTimes.length}`,
      `      the recorder (asked -> last part sent) ${t('recorder')}: rrweb serialising the page ${t('serialise')}, encoding (JSON, deflate, base64) ${t('encode')}, sending the parts ${t('send')}`,
      `      the relay (last part sent -> the console's socket) ${t('relay')}`,
      `      the console ${t('render')}: decoding (base64, inflate, JSON) ${t('decode')}, rrweb rebuilding and painting ${t('rebuild')}`,
      `    floor (rrweb record -> Replayer, no network): median ${ms(floorSnap.median)}, p90 ${ms(floorSnap.p90)}, min ${ms(floorSnap.min)}, max ${ms(floorSnap.max)} over ${floorTimes.length}`,
      `      rrweb serialising the page ${f('record')}, postMessage to the other page ${f('handover')}, reading the message ${f('read')}, rrweb rebuilding and painting ${f('rebuild')}`,
      `    Tandem / floor: ${ratio.toFixed(2)}x  [target <= ${TARGET_SNAPSHOT_RATIO}x: ${options.throttle ? 'not judged with --throttle: the floor has no network' : verdict(ratio <= TARGET_SNAPSHOT_RATIO)}]`,
      `    agent joins (console opened -> page shown): ${ms(joinToPage)}${options.throttle ? ', the customer on "slow 4G"' : ''}`,
      `      ${joinSteps.map(([step, at]) => `${step} ${ms(at)}`).join(', ')}`,
      `(b) mutation -> agent DOM: p50 ${ms(mut.median)}, p95 ${ms(percentile(latencies, 95))}, max ${ms(mut.max)} over ${latencies.length} (${missed} not seen, of which ${missedButArrived} reached the console's socket)  [target p95 <= ${TARGET_MUTATION_P95_MS} ms: ${verdict(percentile(latencies, 95) <= TARGET_MUTATION_P95_MS && missed === 0)}]`,
      `    of which the visitor's page -> the console's socket: p50 ${ms(percentile(transit, 50))}, p95 ${ms(percentile(transit, 95))}`,
      `(c) scripted form session, ${recorded.seconds.toFixed(0)} s: ${(sessionBytes / 1024).toFixed(1)} KiB = ${kbits.toFixed(1)} kbit/s (${withSnapshotKbits.toFixed(1)} kbit/s counting the first snapshot)  [target <= ${TARGET_KBITS} kbit/s: ${verdict(withSnapshotKbits <= TARGET_KBITS)}]`,
      `(d) recorder on the visitor's main thread: ${(((recorderMsPerMinute / 1000) * 100) / 60).toFixed(2)}% (${ms(recorderMsPerMinute)} per minute; script ${ms(recorded.scriptMs)} in ${recorded.seconds.toFixed(0)} s with it, ${ms(baseline.scriptMs)} in ${baseline.seconds.toFixed(0)} s without)`,
      `    a page with the widget and no session downloaded the recorder: ${recorderDownloaded ? 'yes (unexpected)' : 'no'}`,
      ...(['keys', 'clicks'] as const).map((kind) => {
        const { oneWay, roundTrip } = control[kind];
        const p95 = percentile(roundTrip, 95);
        return `(e) remote control, ${kind === 'keys' ? 'keystroke' : 'click'} -> customer's page -> agent's view: p50 ${ms(percentile(roundTrip, 50))}, p95 ${ms(p95)} over ${roundTrip.length} (one way p50 ${ms(percentile(oneWay, 50))}, p95 ${ms(percentile(oneWay, 95))})  [target p95 <= ${TARGET_CONTROL_P95_MS} ms: ${verdict(p95 <= TARGET_CONTROL_P95_MS)}]`;
      }),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await browser?.close();
    await floorServer.stop();
    await service.stop();
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
