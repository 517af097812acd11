/* In-page probes for the call benchmarks (bench:join: Tandem's pages, and the bare simple-peer floor in
 * bareCall.ts), added to every page with addInitScript, and the driver's readers of what they noted.
 *
 * "Decoded" is the first video frame of a remote track that is ready to be shown: the init script plays a clone of
 * every remote video track in a tiny video element of its own and takes the first frame's `presentationTime` from
 * requestVideoFrameCallback, the moment the decoded frame was handed to the compositor. That time is noted off the
 * page's main thread, as the picture itself reaches the screen: a page busy with other work gets its callback late,
 * but not its video. (Earlier versions read the first VideoFrame through a MediaStreamTrackProcessor, timed when the
 * main thread got to it, which put a busy page's long tasks into the figure; before that, getStats() polls, which
 * misdated frames by up to a poll cycle and loaded the CPU.) Timestamps are the pages' own (performance.timeOrigin +
 * performance.now(), one clock for all pages of the browser), never the driver's, so Playwright round trips do not
 * count. */
import type { BrowserContext, Page } from 'playwright-core';

export const RUN_TIMEOUT_MS = 30_000;

export interface Mark {
  name: string;
  at: number;
}
export interface FirstFrame {
  /** Handed to the compositor (requestVideoFrameCallback's presentationTime). */
  at: number;
  /** When the page's main thread ran the callback: later than `at` by however busy the page was. */
  handledAt: number;
  /** Stream ids in the connection's remote description: whose video this is. */
  msids: string[];
  /** When the connection was created and reached "connected". */
  createdAt: number;
  connectedAt?: number;
}
export interface Probe {
  marks: Mark[];
  /** Every connection's steps, for --verbose: [connection index, step, time]. */
  steps: Array<[number, string, number]>;
  frames: FirstFrame[];
  clicks: Array<{ label: string; at: number }>;
  /** Every socket message's direction and type ('<- signal', '-> peer.joined'), when the page handled it. */
  messages: Array<[string, number]>;
  /** Main-thread tasks over 50 ms: [start, duration]. A busy page handles socket messages late. */
  longTasks: Array<[number, number]>;
  /** The page's own camera: when its last frame came, and when its last stall (no frame for 150 ms) ended. */
  camera: { lastFrameAt: number; lastStallEndedAt: number } | undefined;
}

/** Chromium's breakout box (not in TypeScript's DOM types): turns a video track into a stream of VideoFrames. */
declare const MediaStreamTrackProcessor: new (init: { track: MediaStreamTrack }) => {
  readable: ReadableStream<{ close(): void }>;
};

/** Runs in every page before its scripts. Bench-side only; the product has no such hooks. */
export function instrument(): void {
  const now = () => performance.timeOrigin + performance.now();
  const probe: Probe = {
    marks: [],
    steps: [],
    frames: [],
    clicks: [],
    messages: [],
    longTasks: [],
    camera: undefined,
  };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) probe.longTasks.push([performance.timeOrigin + e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    /* no long task timing in this browser */
  }
  (window as unknown as { __probe: Probe }).__probe = probe;
  const mark = (name: string) => {
    if (!probe.marks.some((m) => m.name === name)) probe.marks.push({ name, at: now() });
  };
  mark('navigationStart');
  addEventListener('DOMContentLoaded', () => mark('domContentLoaded'));

  // On the window, not the document: a window opened with a same-origin URL keeps its initial about:blank window
  // object (and this script's state) when it loads the page, but not that first document.
  window.addEventListener(
    'click',
    (event) => {
      // The first node of the path: inside an open shadow root (the widget's) the target is retargeted to its host.
      const button = (event.composedPath()[0] as Element | undefined)?.closest?.('button');
      if (button) probe.clicks.push({ label: (button.textContent ?? '').trim(), at: now() });
    },
    true,
  );

  const media = navigator.mediaDevices;
  if (media?.getUserMedia) {
    const original = media.getUserMedia.bind(media);
    media.getUserMedia = async (constraints) => {
      const kind = constraints?.video ? 'camera' : 'mic';
      mark(`getUserMedia(${kind}) start`);
      const stream = await original(constraints);
      mark(`getUserMedia(${kind}) end`);
      const video = stream.getVideoTracks()[0];
      if (video) {
        // Every page's fake camera is the same device of the one browser: see cameraStalls below.
        const started = now();
        const camera = { lastFrameAt: started, lastStallEndedAt: started };
        probe.camera = camera;
        const reader = new MediaStreamTrackProcessor({ track: video.clone() }).readable.getReader();
        const readFrames = async (): Promise<void> => {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            value?.close();
            const at = now();
            if (at - camera.lastFrameAt > 150) camera.lastStallEndedAt = at;
            camera.lastFrameAt = at;
          }
        };
        void readFrames();
      }
      return stream;
    };
  }

  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      mark('ws created');
      this.addEventListener('open', () => mark('ws open'));
      this.addEventListener('message', (event) => {
        const type = /"type":"([^"]+)"/.exec(String(event.data))?.[1];
        if (!type) return;
        mark(`ws <- ${type}`);
        probe.messages.push([`<- ${type}`, now()]);
      });
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      const type = typeof data === 'string' ? /"type":"([^"]+)"/.exec(data)?.[1] : undefined;
      if (type) {
        mark(`ws -> ${type}`);
        probe.messages.push([`-> ${type}`, now()]);
      }
      super.send(data);
    }
  } as typeof WebSocket;

  const pcs: Array<{ createdAt: number; connectedAt?: number; done: boolean }> = [];
  const NativePc = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePc {
    constructor(config?: RTCConfiguration) {
      super(config);
      const entry: (typeof pcs)[number] = { createdAt: now(), done: false };
      const index = pcs.push(entry) - 1;
      const step = (name: string) => probe.steps.push([index, name, now()]);
      step('created');
      mark('pc created');
      for (const method of ['createOffer', 'createAnswer', 'setLocalDescription', 'setRemoteDescription'] as const) {
        const original = (this[method] as (...a: unknown[]) => Promise<unknown>).bind(this);
        (this as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
          step(`${method} start`);
          const out = await original(...args);
          step(`${method} end`);
          return out;
        };
      }
      this.addEventListener('iceconnectionstatechange', () => step(`ice ${this.iceConnectionState}`));
      this.addEventListener('icegatheringstatechange', () => {
        if (this.iceGatheringState === 'complete') mark('ice gathering complete');
      });
      this.addEventListener('icecandidate', (e) => {
        if (e.candidate) mark('first local candidate');
      });
      // The first decoded frame of the remote video, as it is shown. A clone, so that stopping it afterwards leaves
      // the page's own track alone; a 2-pixel element, barely visible, so that the browser does present its frames.
      this.addEventListener('track', (event) => {
        if (event.track.kind !== 'video' || entry.done) return;
        const copy = event.track.clone();
        const video = document.createElement('video');
        video.muted = true;
        video.style.cssText = 'position:fixed;left:0;top:0;width:2px;height:2px;opacity:0.01;pointer-events:none';
        video.srcObject = new MediaStream([copy]);
        document.documentElement.append(video);
        void video.play().catch(() => undefined);
        video.requestVideoFrameCallback((_now, frame) => {
          const handledAt = now();
          const at = performance.timeOrigin + frame.presentationTime;
          copy.stop();
          video.remove();
          if (entry.done) return;
          entry.done = true;
          const msids = [...(this.remoteDescription?.sdp ?? '').matchAll(/^a=msid:(\S+)/gm)]
            .map((m) => m[1]!)
            .filter((id) => id !== '-');
          probe.frames.push({ at, handledAt, msids, createdAt: entry.createdAt, connectedAt: entry.connectedAt });
          step('first frame decoded');
          probe.steps.push([index, 'first frame presented', at]);
          mark('first frame decoded');
        });
      });
      this.addEventListener('connectionstatechange', () => {
        step(`connection ${this.connectionState}`);
        if (this.connectionState === 'connected') {
          entry.connectedAt = now();
          mark('pc connected');
        }
      });
    }
  } as typeof RTCPeerConnection;
}

export async function probeOf(page: Page): Promise<Probe> {
  return page.evaluate(() => (window as unknown as { __probe: Probe }).__probe);
}

/** Only the first frames noted so far: what the waits poll, every 50 ms on every page. The whole probe (every
 * message, step and mark) is larger, and copying it out that often put garbage collections into the pages' calls. */
export async function framesOf(page: Page): Promise<FirstFrame[]> {
  return page.evaluate(() => (window as unknown as { __probe: Probe }).__probe.frames);
}

/** A page's probe once it has shown its first remote frame (polling only the frames until then). */
export async function probeOnceFramed(page: Page, what: string): Promise<Probe> {
  await waitFor(
    () => framesOf(page),
    (frames) => frames.length > 0,
    what,
  );
  return probeOf(page);
}

/** The stream ids a page sends, from the msid lines of its local descriptions. */
export async function sendsAs(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const ids = new Set<string>();
    const pcs = (window as unknown as { __pcList?: RTCPeerConnection[] }).__pcList ?? [];
    for (const pc of pcs)
      for (const m of (pc.localDescription?.sdp ?? '').matchAll(/^a=msid:(\S+)/gm)) if (m[1] !== '-') ids.add(m[1]!);
    return [...ids];
  });
}

/** Keeps a list of the page's connections for sendsAs (separately from the probe, which drops nothing). */
export function listConnections(): void {
  const list: RTCPeerConnection[] = [];
  (window as unknown as { __pcList: RTCPeerConnection[] }).__pcList = list;
  const Pc = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Pc {
    constructor(config?: RTCConfiguration) {
      super(config);
      list.push(this);
    }
  } as typeof RTCPeerConnection;
}

/** Adds the probes to every page of a context. */
export async function addProbes(context: BrowserContext): Promise<void> {
  // As source text: tsx (esbuild keepNames) wraps named functions in __name(), which pages don't have.
  const shim = 'var __name = (f) => f;';
  await context.addInitScript({ content: `${shim}(${instrument.toString()})();` });
  await context.addInitScript({ content: `${shim}(${listConnections.toString()})();` });
}

export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  what: string,
  timeoutMs = RUN_TIMEOUT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const firstMark = (p: Probe, name: string) => p.marks.find((m) => m.name === name)?.at;
export const lastClick = (p: Probe, label: RegExp) => [...p.clicks].reverse().find((c) => label.test(c.label))?.at;

export interface Party {
  name: string;
  page: Page;
}

/** When `receiver` first decoded video from `sender` (epoch ms), if it has. */
function frameFrom(receiver: FirstFrame[], senderStreams: string[]): number | undefined {
  const times = receiver.filter((f) => f.msids.some((id) => senderStreams.includes(id))).map((f) => f.at);
  return times.length ? Math.min(...times) : undefined;
}

export async function directionTimes(
  parties: Party[],
): Promise<Array<{ receiver: string; sender: string; at: number | undefined }>> {
  const streams = new Map<Party, string[]>();
  const frames = new Map<Party, FirstFrame[]>();
  for (const p of parties) {
    streams.set(p, await sendsAs(p.page));
    frames.set(p, await framesOf(p.page));
  }
  const out = [];
  for (const r of parties)
    for (const s of parties)
      if (r !== s) out.push({ receiver: r.name, sender: s.name, at: frameFrom(frames.get(r)!, streams.get(s)!) });
  return out;
}

export async function allDirections(parties: Party[], what: string) {
  return waitFor(
    () => directionTimes(parties),
    (d) => d.every((x) => x.at !== undefined),
    what,
  );
}

/** In this bench all four participants' cameras are one fake device of one browser, and each time a page opens it
 * (guest 2 does, ~0.3 s before the bench could click Admit), the device stops delivering frames to every page for
 * 1.0-1.4 s (measured: the same gap on all four pages at once). Four people have four cameras, and a guest reading
 * out the code takes longer than that, so Admit waits until every page's camera has run without a stall for 1 s. */
export async function camerasSteady(pages: Page[]): Promise<number> {
  const started = Date.now();
  const steady = async () => {
    for (const page of pages) {
      const ok = await page.evaluate(() => {
        const camera = (window as unknown as { __probe: Probe }).__probe.camera;
        const at = performance.timeOrigin + performance.now();
        return !camera || (at - camera.lastFrameAt < 150 && at - camera.lastStallEndedAt > 1000);
      });
      if (!ok) return false;
    }
    return true;
  };
  await waitFor(steady, (v) => v, 'the cameras to run steadily');
  return Date.now() - started;
}

/** For --verbose: what a page did from `from` for `spanMs` and a little more, relative to `from`: its long tasks, the
 * socket messages it handled, and its first connection's negotiation step by step (where an offer or answer waited).
 * A page that connected before `from` has older connections: only steps from `from` on count. */
export function timelineLines(who: string, p: Probe, from: number, spanMs: number): string[] {
  const within = (at: number) => at >= from && at - from < spanMs + 200;
  const rel = (at: number) => `${Math.round(at - from)} ms`;
  const lines: string[] = [];
  const tasks = p.longTasks.filter(([start]) => within(start));
  if (tasks.length)
    lines.push(
      `${who} long tasks (start +duration): ${tasks.map(([a, d]) => `${rel(a)} +${Math.round(d)}`).join(', ')}`,
    );
  const messages = p.messages.filter(([, at]) => within(at));
  if (messages.length) lines.push(`${who} messages: ${messages.map(([m, at]) => `${m} ${rel(at)}`).join(', ')}`);
  const steps = p.steps.filter(([, name, at]) => within(at) && / (start|end)$/.test(name));
  const first = steps[0]?.[0];
  const own = steps.filter(([index]) => index === first);
  if (own.length) lines.push(`${who} negotiation: ${own.map(([, name, at]) => `${name} ${rel(at)}`).join(', ')}`);
  return lines;
}
