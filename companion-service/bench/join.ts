/* Join latency in real headless Chromium with fake cameras, against the real service on loopback.
 *
 *   (a) agent Join -> first decoded frame on both sides: from the Join click on the agent join page (with the
 *       visitor's key) to the first inbound video frame decoded in the agent console, and at the visitor. The agent
 *       has "Start my video when I join" on, so their video goes out from the start, as the floor's does; with
 *       --video-click it is off and the bench clicks Video as soon as the button exists (the visitor's figure then
 *       includes that click, reported separately too).
 *   (b) guest Admit -> frames in all 12 directions between agent, visitor and two guests: from the Admit click for
 *       the second guest until every participant has decoded video from every other.
 *   (c) 1-click connect, the customer's Accept -> first decoded frame on both sides: a customer signed in on the demo
 *       portal, the agent's Join on the join page's customer list; the console opens and waits for the answer (as
 *       it does while a person reads the terms); from the customer's Accept click, which opens their camera, to the
 *       same first frames. The wait a customer and an agent have in the product's main flow.
 *
 * Each is measured against its floor in the same run and the same browser, one Tandem run then one floor run: the
 * same call with nothing of Tandem's (bareCall.ts: simple-peer's own build through a bare `ws` relay), from the
 * newcomer's hello (pages loaded, sockets open, cameras running) to the same first frames. Absolute times differ
 * 2-3x between machines; the ratio Tandem / floor (of the medians) is what the targets are about.
 *
 * "Decoded" is the first VideoFrame of each remote video track, noted in the page (callProbes.ts), on one clock for
 * every page of the browser.
 *
 *   npm run bench:join                          # 10 runs of (a), 5 of (b), as many floor runs, one warm-up each
 *   npm run bench:join -- --join-runs 20 --guest-runs 0 --verbose
 *
 * Not a test: it prints figures and PASS/MISS against the targets (Tandem <= 1.3x the floor, (a) and (b)). */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath, slowCameras } from '../test/helpers/browser';
import { bareGuestRun, bareJoinRun, startBareCallServer, type BareGuestRun, type BareJoinRun } from './bareCall';
import {
  addProbes,
  allDirections,
  camerasSteady,
  firstMark,
  lastClick,
  probeOnceFramed,
  probeOf,
  RUN_TIMEOUT_MS,
  timelineLines,
  waitFor,
  type Party,
  type Probe,
} from './callProbes';
import { othersDuring, waitForQuiet } from './machineLoad';
import { saveProfile, startProfile, startTrace } from './pageProfile';
import { summary } from './stats';
import { readOptions } from './cli';
import { startEmbeddedServiceProcess } from './embeddedService';
import { START_WITH_VIDEO_KEY } from '../web/console/startWithVideo';

const HELP = `Usage: npm run bench:join -- [options]
  --join-runs N     measured runs of (a) agent Join -> first frame, and as many of its floor (default 10; 0 skips)
  --guest-runs N    measured runs of (b) Admit -> 12 directions with 4 participants, and of its floor (default 5)
  --accept-runs N   measured runs of (c) 1-click: the customer's Accept -> first frame, and as many of the floor of
                    (a) (default 10; 0 skips)
  --warmup N        unmeasured runs before each part (default 1)
  --wait-quiet S    before each run, wait up to S s for the machine (other processes and our idle pages) to use
                    < 0.3 cores for 2 s (default 30; 0 = don't wait). Each run prints the load it started in
  --verbose         per-run breakdown (where the time goes)
  --video-click     (a) with the agent's "Start my video when I join" off: the bench clicks the console's Video as soon
                    as it shows (by default the choice is on and the agent's video goes out from the start)
  --camera-delay MS  every page's camera takes MS longer to open (getUserMedia answers MS later), as a real webcam
                    does (a few hundred ms to over a second); Chromium's fake camera opens in tens of ms. The floor's
                    cameras are open before its runs start, so only Tandem's runs wait for it
  --floor-shows-video  the floor's pages show their camera and every remote camera in 320x180 video elements, as a
                    call's page would (Tandem's pages do); by default they show nothing
  --cpu-prof DIR    write CPU profiles, per run: of the visitor's page from the Join click to its first frame, and of
                    the console's from its window's opening, in (a) (DIR/visitor-<run>.cpuprofile,
                    DIR/console-<run>.cpuprofile), and of guest 2's page and the console from the Admit click to the
                    last direction, in (b) (DIR/guest2-<run>.cpuprofile, DIR/admitting-console-<run>.cpuprofile);
                    summarise with bench/profileSummary.ts
  --trace DIR       write a Chromium trace of the whole browser per run of (a), from before the Join click to the
                    first frames (DIR/join-<run>.json; open it in DevTools' Performance panel): which process and
                    thread each step waited for (the join page and its console share one renderer thread)
  --help`;

interface Options {
  joinRuns: number;
  guestRuns: number;
  acceptRuns: number;
  warmup: number;
  waitQuiet: number;
  verbose: boolean;
  videoClick: boolean;
  floorShowsVideo: boolean;
  cameraDelay: number;
  cpuProf?: string;
  trace?: string;
}

function parseOptions(argv: string[]): Options {
  const { numbers, flags, strings } = readOptions(argv, HELP, {
    numbers: {
      'join-runs': { fallback: 10, min: 0, max: 1000 },
      'guest-runs': { fallback: 5, min: 0, max: 1000 },
      'accept-runs': { fallback: 10, min: 0, max: 1000 },
      warmup: { fallback: 1, min: 0, max: 100 },
      'wait-quiet': { fallback: 30, min: 0, max: 3600, integer: false },
      'camera-delay': { fallback: 0, min: 0, max: 10_000 },
    },
    flags: ['verbose', 'video-click', 'floor-shows-video'],
    strings: ['cpu-prof', 'trace'],
  });
  return {
    joinRuns: numbers['join-runs'],
    guestRuns: numbers['guest-runs'],
    acceptRuns: numbers['accept-runs'],
    warmup: numbers.warmup,
    waitQuiet: numbers['wait-quiet'],
    verbose: flags.verbose,
    videoClick: flags['video-click'],
    floorShowsVideo: flags['floor-shows-video'],
    cameraDelay: numbers['camera-delay'],
    ...(strings['cpu-prof'] ? { cpuProf: strings['cpu-prof'] } : {}),
    ...(strings.trace ? { trace: strings.trace } : {}),
  };
}

/** Tandem's median at most this many times its floor's, measured in the same run. */
const TARGET_RATIO = 1.3;

// --- harness -------------------------------------------------------------------------------------------------

const ARGS = [
  '--no-sandbox',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--disable-background-networking',
];

class Harness {
  private readonly contexts: BrowserContext[] = [];
  http429 = 0;
  httpRequests = 0;

  constructor(
    readonly browser: Browser,
    readonly baseUrl: string,
    private readonly cameraDelay: number,
  ) {}

  async context(): Promise<BrowserContext> {
    const context = await this.browser.newContext();
    await addProbes(context);
    await slowCameras(context, this.cameraDelay);
    context.on('response', (response) => {
      this.httpRequests++;
      if (response.status() === 429) this.http429++;
    });
    this.contexts.push(context);
    return context;
  }

  async page(): Promise<Page> {
    return (await this.context()).newPage();
  }

  async closeAll(): Promise<void> {
    for (const c of this.contexts.splice(0)) await c.close().catch(() => undefined);
  }

  async visitorStarts(): Promise<{ page: Page; code: string }> {
    const page = await this.page();
    await page.goto(`${this.baseUrl}/`);
    await page.getByRole('button', { name: 'Start video session' }).click();
    await page.getByRole('button', { name: 'Enable camera' }).click();
    const code = ((await page.getByTestId('session-code').textContent({ timeout: 10_000 })) ?? '').replace(/\s+/g, '');
    return { page, code };
  }

  async agentToken(): Promise<string> {
    const response = await fetch(`${this.baseUrl}/api/dev/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ana Agent' }),
    });
    return ((await response.json()) as { token: string }).token;
  }
}

// --- (a) agent Join -> first frame -----------------------------------------------------------------------------

interface JoinRun {
  /** Cores used by other processes during the run. */
  others?: number;
  toAgentFrame: number;
  toVisitorFrame: number;
  /** Both sides' first frames from the console's agent.join: the call set-up alone, as the floor measures it. */
  fromJoinMessage: number;
  /** With --video-click. */
  videoClickToVisitorFrame?: number;
  breakdown: Record<string, number | undefined>;
}

async function joinRun(
  h: Harness,
  joinPage: Page,
  videoClick: boolean,
  verboseTimeline = false,
  cpuProf?: string,
  traceDir?: string,
): Promise<JoinRun> {
  const visitor = await h.visitorStarts();
  await joinPage.getByLabel('Session key from the visitor').fill(visitor.code);
  const profiler = cpuProf ? await startProfile(visitor.page) : undefined;
  const tracing = traceDir ? await startTrace(h.browser, traceDir, 'join') : undefined;
  const [consolePage] = await Promise.all([
    joinPage.context().waitForEvent('page'),
    joinPage.getByRole('button', { name: 'Join' }).click(),
  ]);
  // The join page opens the window empty, then points it at /console: probes read the console's document.
  await consolePage.waitForURL(/\/console/, { waitUntil: 'commit' });
  const consoleProfiler = cpuProf ? await startProfile(consolePage) : undefined;
  // Without "Start my video when I join", the agent turns Video on as soon as the console offers it.
  if (videoClick)
    await consolePage.getByRole('button', { name: 'Video', exact: true }).click({ timeout: RUN_TIMEOUT_MS });
  const { agentProbe, visitorProbe } = await firstFrames(consolePage, visitor.page);
  if (tracing) await h.browser.stopTracing();
  if (profiler && cpuProf) await saveProfile(profiler, cpuProf, 'visitor');
  if (consoleProfiler && cpuProf) await saveProfile(consoleProfiler, cpuProf, 'console');
  const joinProbe = await probeOf(joinPage);
  const consoleProbe = await probeOf(consolePage);
  const consoleLoad = await requestTimes(consolePage);
  const ticket = await requestTimes(joinPage, '/api/agent/console-tickets');
  const joinAt = lastClick(joinProbe, /^Join$/);
  const videoAt = lastClick(consoleProbe, /^Video$/);
  if (joinAt === undefined || (videoClick && videoAt === undefined)) throw new Error('click not recorded');
  const rel = (t: number | undefined) => (t === undefined ? undefined : t - joinAt);
  const joinSent = firstMark(consoleProbe, 'ws -> agent.join');
  if (joinSent === undefined) throw new Error('agent.join not recorded');
  const result: JoinRun = {
    toAgentFrame: agentProbe.frames[0]!.at - joinAt,
    toVisitorFrame: visitorProbe.frames[0]!.at - joinAt,
    fromJoinMessage: Math.max(agentProbe.frames[0]!.at, visitorProbe.frames[0]!.at) - joinSent,
    ...(videoAt !== undefined ? { videoClickToVisitorFrame: visitorProbe.frames[0]!.at - videoAt } : {}),
    breakdown: {
      'join page: ticket asked': rel(ticket.sent),
      'join page: ticket answered': rel(ticket.received),
      'console: navigation start': rel(firstMark(consoleProbe, 'navigationStart')),
      'console: page requested': rel(consoleLoad.sent),
      'console: page received': rel(consoleLoad.received),
      'console: ws created': rel(firstMark(consoleProbe, 'ws created')),
      'console: DOMContentLoaded': rel(firstMark(consoleProbe, 'domContentLoaded')),
      'console: getUserMedia start': rel(firstMark(consoleProbe, 'getUserMedia(camera) start')),
      'console: getUserMedia end': rel(firstMark(consoleProbe, 'getUserMedia(camera) end')),
      'console: ws open': rel(firstMark(consoleProbe, 'ws open')),
      'console: agent.join sent': rel(firstMark(consoleProbe, 'ws -> agent.join')),
      'console: session.joined': rel(firstMark(consoleProbe, 'ws <- session.joined')),
      'visitor: peer.joined': rel(firstMark(visitorProbe, 'ws <- peer.joined')),
      ...callSteps(consoleProbe, visitorProbe, rel),
      'console: ice gathering complete': rel(firstMark(consoleProbe, 'ice gathering complete')),
      'console: Video clicked': rel(videoAt),
      // The fake camera is one device for every page: opening it in the console stalls the visitor's for a while.
      'visitor: camera stall ended (last)': rel(visitorProbe.camera?.lastStallEndedAt),
    },
  };
  if (verboseTimeline) printNegotiation(consoleProbe, visitorProbe, joinAt, result.toVisitorFrame);
  await endCall(consolePage);
  await visitor.page.context().close();
  return result;
}

/** The console's and the visitor's probes once each has shown its first remote frame. */
async function firstFrames(consolePage: Page, visitorPage: Page): Promise<{ agentProbe: Probe; visitorProbe: Probe }> {
  const agentProbe = await probeOnceFramed(consolePage, 'a frame at the agent');
  const visitorProbe = await probeOnceFramed(visitorPage, 'a frame at the visitor');
  return { agentProbe, visitorProbe };
}

/** A two-party call's set-up, step by step on each side (`rel`: from the run's start), to its first frames. */
function callSteps(
  consoleProbe: Probe,
  visitorProbe: Probe,
  rel: (t: number | undefined) => number | undefined,
): Record<string, number | undefined> {
  return {
    'console: pc created': rel(firstMark(consoleProbe, 'pc created')),
    'visitor: pc created': rel(firstMark(visitorProbe, 'pc created')),
    'console: first signal sent': rel(firstMark(consoleProbe, 'ws -> signal')),
    'visitor: first signal received': rel(firstMark(visitorProbe, 'ws <- signal')),
    'visitor: first signal sent': rel(firstMark(visitorProbe, 'ws -> signal')),
    'console: first signal received': rel(firstMark(consoleProbe, 'ws <- signal')),
    'console: pc connected': rel(firstMark(consoleProbe, 'pc connected')),
    'visitor: pc connected': rel(firstMark(visitorProbe, 'pc connected')),
    'console: first frame decoded': rel(consoleProbe.frames[0]?.at),
    'visitor: first frame decoded': rel(visitorProbe.frames[0]?.at),
  };
}

/** The agent ends the session; its console window closes. */
async function endCall(consolePage: Page): Promise<void> {
  const closed = consolePage.waitForEvent('close');
  await consolePage.getByRole('button', { name: 'END' }).click();
  await closed;
}

/** Each side's long tasks, messages and first connection's negotiation, from `from`. */
function printNegotiation(consoleProbe: Probe, visitorProbe: Probe, from: number, spanMs: number): void {
  const lines = [
    ...timelineLines('console', consoleProbe, from, spanMs),
    ...timelineLines('visitor', visitorProbe, from, spanMs),
  ];
  process.stdout.write(lines.map((line) => `    ${line}\n`).join(''));
}

/** When a page's request went out and its response was in, on the probes' clock: its own document's (Navigation
 * Timing), or with `path` its last request for that path (Resource Timing). The console's first script is in its
 * page, so nothing else is waited for there. */
async function requestTimes(page: Page, path?: string): Promise<{ sent?: number; received?: number }> {
  const [sent, received] = await page.evaluate((path) => {
    const entry = (
      path === undefined
        ? performance.getEntriesByType('navigation')[0]
        : performance
            .getEntriesByType('resource')
            .filter((e) => new URL(e.name).pathname === path)
            .pop()
    ) as PerformanceResourceTiming | undefined;
    return [entry?.requestStart, entry?.responseEnd].map((t) => (t ? performance.timeOrigin + t : 0));
  }, path);
  const or = (t: number | undefined) => (t ? t : undefined);
  return { sent: or(sent), received: or(received) };
}

// --- (c) 1-click: the customer's Accept -> first frame ----------------------------------------------------------

/** The demo portal's customer whose widget the runs of (c) sign in (one new browser context per run). */
const ONE_CLICK_CUSTOMER = 'Maya Jensen';

interface AcceptRun {
  others?: number;
  toAgentFrame: number;
  toVisitorFrame: number;
  /** Both sides' first frames from the widget's terms.accept (sent once the customer's camera is open). */
  fromTermsAccept: number;
  breakdown: Record<string, number | undefined>;
}

/** `customersPage`: a join page signed in, on its customer list. */
async function acceptRun(
  h: Harness,
  customersPage: Page,
  verboseTimeline = false,
  cpuProf?: string,
): Promise<AcceptRun> {
  const portal = await h.page();
  try {
    return await acceptedCall(h, portal, customersPage, verboseTimeline, cpuProf);
  } finally {
    await portal.context().close();
  }
}

async function acceptedCall(
  h: Harness,
  portal: Page,
  customersPage: Page,
  verboseTimeline: boolean,
  cpuProf: string | undefined,
): Promise<AcceptRun> {
  await portal.goto(`${h.baseUrl}/`);
  await portal.getByLabel('Sign in as').selectOption({ label: ONE_CLICK_CUSTOMER });
  await portal.getByRole('button', { name: 'Sign in', exact: true }).click();
  const joinButton = customersPage.getByRole('button', { name: `Join ${ONE_CLICK_CUSTOMER}` });
  await waitFor(
    () => joinButton.isEnabled(),
    (v) => v,
    'the customer online',
  );
  const [consolePage] = await Promise.all([customersPage.context().waitForEvent('page'), joinButton.click()]);
  await consolePage.waitForURL(/\/console/, { waitUntil: 'commit' });
  await consolePage
    .getByRole('status')
    .filter({ hasText: 'Waiting for the customer to accept the invitation' })
    .waitFor({ timeout: RUN_TIMEOUT_MS });
  const accept = portal.getByRole('button', { name: 'Accept' });
  await accept.waitFor({ timeout: RUN_TIMEOUT_MS });
  // The console is loaded and the agent's camera is on while the customer reads the terms.
  await camerasSteady([consolePage]);
  const profiler = cpuProf ? await startProfile(portal) : undefined;
  const consoleProfiler = cpuProf ? await startProfile(consolePage) : undefined;
  await accept.click();
  const { agentProbe, visitorProbe } = await firstFrames(consolePage, portal);
  if (profiler && cpuProf) await saveProfile(profiler, cpuProf, 'portal');
  if (consoleProfiler && cpuProf) await saveProfile(consoleProfiler, cpuProf, 'console-waiting');
  const consoleProbe = await probeOf(consolePage);
  const acceptAt = lastClick(visitorProbe, /^Accept$/);
  if (acceptAt === undefined) throw new Error('Accept click not recorded');
  const termsSent = firstMark(visitorProbe, 'ws -> terms.accept');
  if (termsSent === undefined) throw new Error('terms.accept not recorded');
  const rel = (t: number | undefined) => (t === undefined ? undefined : t - acceptAt);
  const result: AcceptRun = {
    toAgentFrame: agentProbe.frames[0]!.at - acceptAt,
    toVisitorFrame: visitorProbe.frames[0]!.at - acceptAt,
    fromTermsAccept: Math.max(agentProbe.frames[0]!.at, visitorProbe.frames[0]!.at) - termsSent,
    breakdown: {
      // The console's camera opened before (the portal's page and the console are new in each run).
      'visitor: getUserMedia start': rel(firstMark(visitorProbe, 'getUserMedia(camera) start')),
      'visitor: getUserMedia end': rel(firstMark(visitorProbe, 'getUserMedia(camera) end')),
      'visitor: terms.accept sent': rel(termsSent),
      'visitor: session.joined': rel(firstMark(visitorProbe, 'ws <- session.joined')),
      'console: peer.joined': rel(firstMark(consoleProbe, 'ws <- peer.joined')),
      ...callSteps(consoleProbe, visitorProbe, rel),
      'console: camera stall ended (last)': rel(consoleProbe.camera?.lastStallEndedAt),
    },
  };
  if (verboseTimeline) printNegotiation(consoleProbe, visitorProbe, acceptAt, result.toVisitorFrame);
  await endCall(consolePage);
  return result;
}

// --- (b) guest Admit -> 12 directions -------------------------------------------------------------------------

interface GuestRun {
  others?: number;
  toAllDirections: number;
  directions: Array<{ receiver: string; sender: string; afterAdmit: number }>;
  breakdown: Record<string, number | undefined>;
}

async function guestAsks(h: Harness, link: string, name: string): Promise<{ page: Page; code: string }> {
  const page = await h.page();
  await page.goto(link);
  await page.getByLabel('Your name').fill(name);
  await waitFor(
    () => page.getByLabel('Camera', { exact: true }).isEnabled(),
    (v) => v,
    'the guest camera',
  );
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await page.getByTestId('guest-code').waitFor({ state: 'visible', timeout: 10_000 });
  const code = await waitFor(
    async () => ((await page.getByTestId('guest-code').textContent()) ?? '').replace(/\s+/g, ''),
    (c) => /^\d{4,12}$/.test(c),
    'the guest code',
  );
  return { page, code };
}

async function guestLink(h: Harness, agent: Page): Promise<string> {
  if (await agent.locator('#panel-guests').isHidden()) await agent.getByRole('button', { name: 'Add Guest' }).click();
  const input = agent.getByLabel('Guest link');
  await waitFor(
    () => input.inputValue(),
    (v) => /\/guest#invite=/.test(v),
    'the guest link',
  );
  return `${h.baseUrl}/guest${new URL(await input.inputValue()).hash}`;
}

async function admit(agent: Page, code: string): Promise<void> {
  await agent.getByLabel('Code from the guest').fill(code);
  await agent.getByRole('button', { name: 'Admit' }).click();
}

async function guestRun(h: Harness, verboseTimeline = false, cpuProf?: string): Promise<GuestRun> {
  const v = await h.visitorStarts();
  const token = await h.agentToken();
  const ticketResponse = await fetch(`${h.baseUrl}/api/agent/console-tickets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ code: v.code }),
  });
  if (ticketResponse.status !== 201) throw new Error(`console ticket: HTTP ${ticketResponse.status}`);
  const { ticket } = (await ticketResponse.json()) as { ticket: string };
  const agentPage = await h.page();
  await agentPage.goto(`${h.baseUrl}/console#ticket=${encodeURIComponent(ticket)}`);
  await agentPage.getByRole('button', { name: 'Video', exact: true }).click({ timeout: RUN_TIMEOUT_MS });
  const agent: Party = { name: 'agent', page: agentPage };
  const visitor: Party = { name: 'visitor', page: v.page };
  await allDirections([agent, visitor], 'agent <-> visitor');

  const link = await guestLink(h, agentPage);
  const g1 = await guestAsks(h, link, 'Gina Guest');
  await admit(agentPage, g1.code);
  const guest1: Party = { name: 'guest 1', page: g1.page };
  await allDirections([agent, visitor, guest1], 'three parties');

  const g2 = await guestAsks(h, await guestLink(h, agentPage), 'Hugo Helper');
  const waitedMs = await camerasSteady([agentPage, v.page, g1.page, g2.page]);
  const profiler = cpuProf ? await startProfile(g2.page) : undefined;
  const consoleProfiler = cpuProf ? await startProfile(agentPage) : undefined;
  await admit(agentPage, g2.code);
  const guest2: Party = { name: 'guest 2', page: g2.page };
  const parties = [agent, visitor, guest1, guest2];
  const directions = await allDirections(parties, 'all 12 directions');
  if (profiler && cpuProf) await saveProfile(profiler, cpuProf, 'guest2');
  if (consoleProfiler && cpuProf) await saveProfile(consoleProfiler, cpuProf, 'admitting-console');
  const admitAt = lastClick(await probeOf(agentPage), /^Admit$/);
  if (admitAt === undefined) throw new Error('Admit click not recorded');
  const g2Probe = await probeOf(guest2.page);
  const rel = (t: number | undefined) => (t === undefined ? undefined : t - admitAt);
  if (verboseTimeline) {
    process.stdout.write(
      `      Admit clicked once the cameras ran steadily: waited ${ms(waitedMs)} after guest 2's code appeared\n`,
    );
    const span = Math.max(...directions.map((d) => d.at!)) - admitAt;
    for (const p of parties)
      for (const line of timelineLines(p.name, await probeOf(p.page), admitAt, span))
        process.stdout.write(`      ${line}\n`);
    for (const [index, step, at] of g2Probe.steps)
      process.stdout.write(`      guest 2 pc${index} ${step.padEnd(28)} ${ms(at - admitAt).padStart(8)}\n`);
  }
  const result: GuestRun = {
    toAllDirections: Math.max(...directions.map((d) => d.at!)) - admitAt,
    directions: directions.map((d) => ({ receiver: d.receiver, sender: d.sender, afterAdmit: d.at! - admitAt })),
    breakdown: {
      'guest 2: session.joined': rel(firstMark(g2Probe, 'ws <- session.joined')),
      'guest 2: first pc created': rel(firstMark(g2Probe, 'pc created')),
      'guest 2: first signal sent': rel(firstMark(g2Probe, 'ws -> signal')),
      'guest 2: first signal received': rel(firstMark(g2Probe, 'ws <- signal')),
      'guest 2: first pc connected': rel(firstMark(g2Probe, 'pc connected')),
      'guest 2: connections connected (last)': rel(Math.max(...g2Probe.frames.map((f) => f.connectedAt ?? NaN))),
      'guest 2: first frame decoded': rel(firstMark(g2Probe, 'first frame decoded')),
    },
  };
  await agentPage.getByRole('button', { name: 'END' }).click();
  await h.closeAll();
  return result;
}

// --- report ----------------------------------------------------------------------------------------------------

const ms = (v: number) => `${Math.round(v)} ms`;

function row(label: string, values: number[]): string {
  if (!values.length) return `  ${label.padEnd(44)} (no runs)`;
  const s = summary(values);
  return `  ${label.padEnd(44)} median ${ms(s.median).padStart(8)}   min ${ms(s.min).padStart(8)}   p90 ${ms(s.p90).padStart(8)}   max ${ms(s.max).padStart(8)}   (n=${s.n})`;
}

function medianBreakdown(runs: Array<{ breakdown: Record<string, number | undefined> }>): string[] {
  const keys = Object.keys(runs[0]?.breakdown ?? {});
  return keys.map((k) => {
    const values = runs.map((r) => r.breakdown[k]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return values.length ? `    ${k.padEnd(42)} ${ms(summary(values).median).padStart(8)}` : `    ${k.padEnd(42)} –`;
  });
}

function loadNote(load: number | undefined, others: number | undefined): string {
  if (others === undefined) return '';
  const before = load === undefined ? '' : `machine ${load.toFixed(2)} cores busy before, `;
  return `  [${before}other processes ${others.toFixed(2)} cores during the run${others >= QUIET_CORES ? ': BUSY, left out' : ''}]`;
}

/** Runs during which other processes used this much CPU or more are left out of the summary. */
const QUIET_CORES = 0.3;
const clean = <T extends { others?: number }>(runs: T[]) =>
  runs.filter((r) => r.others === undefined || r.others < QUIET_CORES);

/** Tandem's median over the floor's, with the verdict. */
function ratioLine(label: string, tandem: number[], floor: number[]): string {
  if (!tandem.length || !floor.length) return `  ${label}: no runs to compare`;
  const t = summary(tandem).median;
  const f = summary(floor).median;
  const ratio = t / f;
  return `  ${label}: Tandem ${ms(t)} / floor ${ms(f)} = ${ratio.toFixed(2)}x  [target <= ${TARGET_RATIO}x: ${ratio <= TARGET_RATIO ? 'PASS' : 'MISS'}]`;
}

// --- main ------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  // Every round's visitor comes from 127.0.0.1: the per-address session cap would stop the rounds.
  const service = await startEmbeddedServiceProcess({ limits: { sessionsPerAddressPerMinute: 100_000 } });
  const { baseUrl } = service;
  const bare = await startBareCallServer({ showVideo: opts.floorShowsVideo });
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ARGS });
  const stop = async () => {
    await browser.close().catch(() => undefined);
    await bare.stop();
    await service.stop();
  };
  const onSignal = () => void stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const failures: string[] = [];
  try {
    process.stdout.write(
      `bench:join  Chromium ${browser.version()}  Node ${process.version}  ${new Date().toISOString()}  Tandem ${baseUrl}, floor ${bare.baseUrl}${opts.cameraDelay ? `  cameras open ${opts.cameraDelay} ms later` : ''}\n`,
    );
    const h = new Harness(browser, baseUrl, opts.cameraDelay);

    // The floor's pages: contexts of their own with the same probes (and not counted in the service's HTTP figures).
    const floorPage = async () => {
      const context = await browser.newContext();
      await addProbes(context);
      await slowCameras(context, opts.cameraDelay);
      return context.newPage();
    };
    /** One run: waits for a quiet machine, notes the other processes' load meanwhile, prints a line; a failed run is
     * left out. */
    const measure = async <T extends { others?: number }>(
      label: string,
      run: () => Promise<T>,
      line: (r: T) => string,
      cleanUp?: () => Promise<void>,
    ) => {
      try {
        const load = opts.waitQuiet > 0 ? await waitForQuiet(opts.waitQuiet) : undefined;
        const { value, others } = await othersDuring(run);
        value.others = others;
        process.stdout.write(`  ${label}: ${line(value)}${loadNote(load, others)}\n`);
        return value;
      } catch (err) {
        failures.push(`${label}: ${(err as Error).message.split('\n')[0]}`);
        process.stdout.write(`  ${label} failed: ${(err as Error).message.split('\n')[0]}\n`);
        await cleanUp?.();
        return undefined;
      }
    };

    const joinRuns: JoinRun[] = [];
    const bareJoinRuns: BareJoinRun[] = [];
    /** The agent signed in on a join page of a context of its own, with "Start my video when I join" as the
     * console's Settings remember it (same origin). */
    const agentJoinPage = async (startWithVideo: boolean) => {
      const page = await h.page();
      await page.goto(`${baseUrl}/join`);
      await page.getByLabel('Your name').fill('Ana Agent');
      await page.getByRole('button', { name: 'Sign in (development)' }).click();
      await page.getByLabel('Session key from the visitor').waitFor();
      await page.evaluate(([key, on]) => (on ? localStorage.setItem(key, 'on') : localStorage.removeItem(key)), [
        START_WITH_VIDEO_KEY,
        startWithVideo,
      ] as const);
      return page;
    };
    /** A console left in its session would refuse the next run's Join (the join page reuses its window). */
    const closeConsoles = async (joinPage: Page) => {
      for (const page of joinPage.context().pages()) if (page !== joinPage) await page.close();
    };

    if (opts.joinRuns > 0) {
      const joinPage = await agentJoinPage(!opts.videoClick);
      for (let i = 0; i < opts.warmup + opts.joinRuns; i++) {
        const measured = i >= opts.warmup;
        const n = measured ? `run ${i - opts.warmup + 1}` : 'warm-up';
        const run = await measure(
          `(a) ${n}`,
          () => joinRun(h, joinPage, opts.videoClick, opts.verbose, opts.cpuProf, opts.trace),
          (r) =>
            `agent frame ${ms(r.toAgentFrame)}, visitor frame ${ms(r.toVisitorFrame)} (${r.videoClickToVisitorFrame !== undefined ? `${ms(r.videoClickToVisitorFrame)} after Video; ` : ''}both ${ms(r.fromJoinMessage)} after agent.join)`,
          () => closeConsoles(joinPage),
        );
        if (run && opts.verbose) process.stdout.write(`${medianBreakdown([run]).join('\n')}\n`);
        if (run && measured) joinRuns.push(run);
        const floor = await measure(
          `(a) floor ${n}`,
          () => bareJoinRun(floorPage, bare),
          (r) => `agent frame ${ms(r.toAgentFrame)}, visitor frame ${ms(r.toVisitorFrame)} (from the hello)`,
        );
        if (floor && opts.verbose) process.stdout.write(`${medianBreakdown([floor]).join('\n')}\n`);
        if (floor && measured) bareJoinRuns.push(floor);
      }
      await h.closeAll();
    }

    const acceptRuns: AcceptRun[] = [];
    const bareAcceptRuns: BareJoinRun[] = [];
    if (opts.acceptRuns > 0) {
      const customersPage = await agentJoinPage(true);
      await customersPage.getByRole('tab', { name: 'Customers on the demo portal' }).click();
      await customersPage.locator('#customer-list li').first().waitFor();
      for (let i = 0; i < opts.warmup + opts.acceptRuns; i++) {
        const measured = i >= opts.warmup;
        const n = measured ? `run ${i - opts.warmup + 1}` : 'warm-up';
        const run = await measure(
          `(c) ${n}`,
          () => acceptRun(h, customersPage, opts.verbose, opts.cpuProf),
          (r) =>
            `agent frame ${ms(r.toAgentFrame)}, visitor frame ${ms(r.toVisitorFrame)} (both ${ms(r.fromTermsAccept)} after terms.accept)`,
          () => closeConsoles(customersPage),
        );
        if (run && opts.verbose) process.stdout.write(`${medianBreakdown([run]).join('\n')}\n`);
        if (run && measured) acceptRuns.push(run);
        const floor = await measure(
          `(c) floor ${n}`,
          () => bareJoinRun(floorPage, bare),
          (r) => `agent frame ${ms(r.toAgentFrame)}, visitor frame ${ms(r.toVisitorFrame)} (from the hello)`,
        );
        if (floor && measured) bareAcceptRuns.push(floor);
      }
      await h.closeAll();
    }

    const guestRuns: GuestRun[] = [];
    const bareGuestRuns: BareGuestRun[] = [];
    for (let i = 0; i < (opts.guestRuns > 0 ? opts.warmup + opts.guestRuns : 0); i++) {
      const measured = i >= opts.warmup;
      const n = measured ? `run ${i - opts.warmup + 1}` : 'warm-up';
      const slowest = (directions: Array<{ receiver: string; sender: string; after: number }>) => {
        const last = [...directions].sort((a, b) => b.after - a.after)[0]!;
        return `${last.sender} -> ${last.receiver}`;
      };
      const run = await measure(
        `(b) ${n}`,
        () => guestRun(h, opts.verbose, opts.cpuProf),
        (r) =>
          `all 12 directions ${ms(r.toAllDirections)} (last: ${slowest(r.directions.map((d) => ({ ...d, after: d.afterAdmit })))})`,
        () => h.closeAll(),
      );
      if (run && opts.verbose) {
        process.stdout.write(`${medianBreakdown([run]).join('\n')}\n`);
        for (const d of run.directions.filter((x) => x.afterAdmit > 0))
          process.stdout.write(`    ${d.sender} -> ${d.receiver}: ${ms(d.afterAdmit)}\n`);
      }
      if (run && measured) guestRuns.push(run);
      const floor = await measure(
        `(b) floor ${n}`,
        () => bareGuestRun(floorPage, bare, opts.verbose),
        (r) =>
          `all 12 directions ${ms(r.toAllDirections)} (last: ${slowest(r.directions.map((d) => ({ ...d, after: d.afterHello })))})`,
      );
      if (floor && opts.verbose) {
        process.stdout.write(`${medianBreakdown([floor]).join('\n')}\n`);
        for (const d of floor.directions.filter((x) => x.afterHello > 0))
          process.stdout.write(`    ${d.sender} -> ${d.receiver}: ${ms(d.afterHello)}\n`);
      }
      if (floor && measured) bareGuestRuns.push(floor);
    }

    process.stdout.write('\nResults (ms; first decoded frame: first VideoFrame of each remote video track)\n');
    const quiet = <T extends { others?: number }>(runs: T[]) => {
      const all = runs.splice(0);
      runs.push(...clean(all));
      return all;
    };
    const allJoinRuns = quiet(joinRuns);
    const allBareJoinRuns = quiet(bareJoinRuns);
    const allAcceptRuns = quiet(acceptRuns);
    const allBareAcceptRuns = quiet(bareAcceptRuns);
    const allGuestRuns = quiet(guestRuns);
    const allBareGuestRuns = quiet(bareGuestRuns);
    const leftOut = (kept: unknown[], all: unknown[]) => `${all.length - kept.length} of ${all.length}`;
    process.stdout.write(
      `Runs left out because other processes used >= ${QUIET_CORES} cores meanwhile: (a) ${leftOut(joinRuns, allJoinRuns)}, floor ${leftOut(bareJoinRuns, allBareJoinRuns)}; (c) ${leftOut(acceptRuns, allAcceptRuns)}, floor ${leftOut(bareAcceptRuns, allBareAcceptRuns)}; (b) ${leftOut(guestRuns, allGuestRuns)}, floor ${leftOut(bareGuestRuns, allBareGuestRuns)}\n`,
    );
    const bothSides = (r: JoinRun) => Math.max(r.toAgentFrame, r.toVisitorFrame);
    if (allJoinRuns.length > joinRuns.length || allBareJoinRuns.length > bareJoinRuns.length) {
      process.stdout.write(`${row('(a) both sides, all runs incl. busy ones', allJoinRuns.map(bothSides))}\n`);
      process.stdout.write(
        `${row(
          '(a) floor, all runs incl. busy ones',
          allBareJoinRuns.map((r) => r.toBoth),
        )}\n`,
      );
    }
    if (allGuestRuns.length > guestRuns.length || allBareGuestRuns.length > bareGuestRuns.length) {
      process.stdout.write(
        `${row(
          '(b) all runs incl. busy ones',
          allGuestRuns.map((r) => r.toAllDirections),
        )}\n`,
      );
      process.stdout.write(
        `${row(
          '(b) floor, all runs incl. busy ones',
          allBareGuestRuns.map((r) => r.toAllDirections),
        )}\n`,
      );
    }
    if (opts.joinRuns > 0) {
      process.stdout.write('(a) agent Join -> first decoded frame (Tandem: from the Join click)\n');
      process.stdout.write(
        `${row(
          'at the agent console',
          joinRuns.map((r) => r.toAgentFrame),
        )}\n`,
      );
      process.stdout.write(
        `${row(
          opts.videoClick ? 'at the visitor (incl. the Video click)' : 'at the visitor',
          joinRuns.map((r) => r.toVisitorFrame),
        )}\n`,
      );
      process.stdout.write(`${row('both sides (the later of the two)', joinRuns.map(bothSides))}\n`);
      if (opts.videoClick)
        process.stdout.write(
          `${row(
            'visitor, from the Video click',
            joinRuns.map((r) => r.videoClickToVisitorFrame ?? NaN),
          )}\n`,
        );
      process.stdout.write(
        `${row(
          "both sides, from the console's agent.join",
          joinRuns.map((r) => r.fromJoinMessage),
        )}\n`,
      );
      process.stdout.write('  median breakdown from the Join click:\n');
      process.stdout.write(`${medianBreakdown(joinRuns).join('\n')}\n`);
      process.stdout.write(
        `(a) floor: bare simple-peer call${opts.floorShowsVideo ? ' showing video' : ''}, from the agent page's hello\n`,
      );
      process.stdout.write(
        `${row(
          'at the agent',
          bareJoinRuns.map((r) => r.toAgentFrame),
        )}\n`,
      );
      process.stdout.write(
        `${row(
          'at the visitor',
          bareJoinRuns.map((r) => r.toVisitorFrame),
        )}\n`,
      );
      process.stdout.write(
        `${row(
          'both sides (the later of the two)',
          bareJoinRuns.map((r) => r.toBoth),
        )}\n`,
      );
      process.stdout.write('  median breakdown from the hello:\n');
      process.stdout.write(`${medianBreakdown(bareJoinRuns).join('\n')}\n`);
      const floor = bareJoinRuns.map((r) => r.toBoth);
      process.stdout.write(`${ratioLine('(a) both sides, Join click vs the floor', joinRuns.map(bothSides), floor)}\n`);
      process.stdout.write(
        `${ratioLine(
          '    call set-up alone (from agent.join; no target)',
          joinRuns.map((r) => r.fromJoinMessage),
          floor,
        ).replace(/ {2}\[target.*$/, '')}\n`,
      );
    }
    if (opts.acceptRuns > 0) {
      process.stdout.write(
        "(c) 1-click: the customer's Accept -> first decoded frame (the console waiting, its camera on)\n",
      );
      process.stdout.write(
        `${row(
          'at the agent console',
          acceptRuns.map((r) => r.toAgentFrame),
        )}\n`,
      );
      process.stdout.write(
        `${row(
          'at the visitor',
          acceptRuns.map((r) => r.toVisitorFrame),
        )}\n`,
      );
      const both = acceptRuns.map((r) => Math.max(r.toAgentFrame, r.toVisitorFrame));
      process.stdout.write(`${row('both sides (the later of the two)', both)}\n`);
      process.stdout.write(
        `${row(
          "both sides, from the widget's terms.accept",
          acceptRuns.map((r) => r.fromTermsAccept),
        )}\n`,
      );
      process.stdout.write('  median breakdown from the Accept click:\n');
      process.stdout.write(`${medianBreakdown(acceptRuns).join('\n')}\n`);
      const floor = bareAcceptRuns.map((r) => r.toBoth);
      process.stdout.write(`${row('floor of (a), runs alongside (c): both sides', floor)}\n`);
      process.stdout.write(`${ratioLine('(c) both sides, Accept click vs the floor', both, floor)}\n`);
      process.stdout.write(
        `${ratioLine(
          '    from terms.accept (no target)',
          acceptRuns.map((r) => r.fromTermsAccept),
          floor,
        ).replace(/ {2}\[target.*$/, '')}\n`,
      );
    }
    if (opts.guestRuns > 0) {
      process.stdout.write('(b) Admit (2nd guest) -> all 12 directions decoding, 4 participants\n');
      process.stdout.write(
        `${row(
          'all 12 directions',
          guestRuns.map((r) => r.toAllDirections),
        )}\n`,
      );
      process.stdout.write('  median breakdown from the Admit click:\n');
      process.stdout.write(`${medianBreakdown(guestRuns).join('\n')}\n`);
      process.stdout.write(
        `(b) floor: bare simple-peer mesh${opts.floorShowsVideo ? ' showing video' : ''}, from guest 2's hello\n`,
      );
      process.stdout.write(
        `${row(
          'all 12 directions',
          bareGuestRuns.map((r) => r.toAllDirections),
        )}\n`,
      );
      process.stdout.write('  median breakdown from the hello:\n');
      process.stdout.write(`${medianBreakdown(bareGuestRuns).join('\n')}\n`);
      process.stdout.write(
        `${ratioLine(
          '(b) all 12 directions, Admit click vs the floor',
          guestRuns.map((r) => r.toAllDirections),
          bareGuestRuns.map((r) => r.toAllDirections),
        )}\n`,
      );
    }
    process.stdout.write(`HTTP responses seen by the pages: ${h.httpRequests}, of which 429: ${h.http429}\n`);
    if (failures.length)
      process.stdout.write(`failed runs (left out): ${failures.length}\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
  } finally {
    await stop();
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`bench:join failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
