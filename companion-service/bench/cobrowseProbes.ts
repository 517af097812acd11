/* In-page instrumentation for the cobrowse benchmark, added with addInitScript: timestamps on one clock for every
 * page of the browser (performance.timeOrigin + performance.now()). The product has no such hooks. */

export interface SnapshotSent {
  /** When the first and the last part of the snapshot batch left the page. */
  firstPartAt: number;
  lastPartAt: number;
  wireBytes: number;
  /** The batch's parts as sent (JSON messages), for the driver to decode and size. */
  parts: string[];
}
export interface VisitorProbe {
  report(): {
    snapshotAsked: number[];
    snapshots: SnapshotSent[];
    /** Start and end of every JSON.stringify of a large value (a snapshot batch being encoded). */
    largeStringify: Array<[number, number]>;
    cobrowseBytes: number;
    mutations: Array<{ value: string; at: number }>;
    /** When the page heard that the agent joined (peer.joined), and when its first connection was up. */
    agentJoinedAt: number | undefined;
    connectedAt: number | undefined;
  };
  mutate(count: number, everyMs: number): Promise<void>;
}
export interface ConsoleProbe {
  /** Marks the live view's current document, so waitForPage waits for a new one. */
  markStale(): void;
  requestSnapshot(): void;
  /** Resolves with the time the live view shows the page's last element (one frame after it appears). */
  waitForPage(timeoutMs: number): Promise<number>;
  watchMutations(): void;
  /** When the live view showed each mutation's value. */
  seen(): Record<string, number>;
  /** When each mutation's value reached the console's socket. */
  arrivals(): Record<string, number>;
  /** When the last part of the latest snapshot reached the console's socket. */
  lastSnapshotArrival(): number;
  /** When the latest JSON.parse of a large text (a snapshot batch, once inflated) ended. */
  lastLargeParse(): number;
  /** When the console's socket got its session.joined. */
  joinedAt(): number;
}

/** A JSON text this long is a snapshot batch (~1 MB for 5,000 elements), not a message envelope (< 64 KiB). */
const LARGE_JSON = 200_000;

/** Visitor page: watches the widget's socket for snapshot requests and cobrowse frames, and mutates on demand. */
const INSTRUMENT_VISITOR_FN = ({ mutationTargetId, largeJson }: { mutationTargetId: string; largeJson: number }) => {
  if (window !== window.top) return;
  const now = () => performance.timeOrigin + performance.now();
  const snapshotAsked: number[] = [];
  const snapshots: SnapshotSent[] = [];
  // The recorder's encoding starts with one JSON.stringify of the whole batch: when it starts, rrweb has serialised
  // the page.
  const largeStringify: Array<[number, number]> = [];
  const stringify = JSON.stringify;
  JSON.stringify = function (this: unknown, ...args: Parameters<typeof stringify>) {
    const start = now();
    const text = stringify.apply(JSON, args);
    if (typeof text === 'string' && text.length > largeJson) largeStringify.push([start, now()]);
    return text;
  } as typeof stringify;
  const mutations: Array<{ value: string; at: number }> = [];
  let cobrowseBytes = 0;
  let agentJoinedAt: number | undefined;
  let connectedAt: number | undefined;
  const NativeConnection = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativeConnection {
    constructor(config?: RTCConfiguration) {
      super(config);
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') connectedAt ??= now();
      });
    }
  } as typeof RTCPeerConnection;
  let current: { seq: number; firstPartAt: number; wireBytes: number; parts: string[]; expected: number } | undefined;
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event) => {
        if (typeof event.data !== 'string') return;
        if (event.data.includes('"cobrowse.snapshot.needed"')) snapshotAsked.push(now());
        if (event.data.includes('"type":"peer.joined"')) agentJoinedAt ??= now();
      });
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      super.send(data);
      if (typeof data !== 'string' || !data.startsWith('{"type":"cobrowse.events"')) return;
      const at = now();
      cobrowseBytes += data.length;
      // Parse only snapshot parts: the probe should cost the page as little as possible.
      if (!data.includes('"snapshot":true')) return;
      const part = JSON.parse(data) as { seq: number; parts: number; snapshot: boolean };
      if (!part.snapshot) return;
      if (!current || current.seq !== part.seq)
        current = { seq: part.seq, firstPartAt: at, wireBytes: 0, parts: [], expected: part.parts };
      current.wireBytes += data.length;
      current.parts.push(data);
      if (current.parts.length === current.expected)
        snapshots.push({
          firstPartAt: current.firstPartAt,
          lastPartAt: at,
          wireBytes: current.wireBytes,
          parts: current.parts,
        });
    }
  } as typeof WebSocket;
  (window as unknown as { __bench: unknown }).__bench = {
    report: () => ({ snapshotAsked, snapshots, largeStringify, cobrowseBytes, mutations, agentJoinedAt, connectedAt }),
    mutate: (count: number, everyMs: number) =>
      new Promise<void>((resolve) => {
        let i = 0;
        const timer = setInterval(() => {
          const value = `change-${i}`;
          mutations.push({ value, at: now() });
          document.getElementById(mutationTargetId)!.textContent = value;
          if (++i >= count) {
            clearInterval(timer);
            resolve();
          }
        }, everyMs);
      }),
  };
};

/** Agent console: finds the live view's document (rrweb's replayer iframe) and notes what it shows, and when. */
const INSTRUMENT_CONSOLE_FN = ({
  lastElementId,
  mutationTargetId,
  largeJson,
}: {
  lastElementId: string;
  mutationTargetId: string;
  largeJson: number;
}) => {
  if (window !== window.top) return;
  const now = () => performance.timeOrigin + performance.now();
  // The viewer's decoding ends with one JSON.parse of the inflated batch; then rrweb rebuilds.
  const largeParses: number[] = [];
  const parse = JSON.parse;
  JSON.parse = function (this: unknown, ...args: Parameters<typeof parse>) {
    const value: unknown = parse.apply(JSON, args);
    if (typeof args[0] === 'string' && args[0].length > largeJson) largeParses.push(now());
    return value;
  } as typeof parse;
  const sockets: WebSocket[] = [];
  const arrivals: Record<string, number> = {};
  const snapshotArrivals: number[] = [];
  let joinedAt: number | undefined;
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
      // When each mutation's batch reaches the console (small batches travel as plain JSON).
      this.addEventListener('message', (event) => {
        if (typeof event.data !== 'string') return;
        if (event.data.includes('"type":"session.joined"')) joinedAt ??= now();
        const found = /change-\d+/.exec(event.data);
        if (found) arrivals[found[0]] ??= now();
        // The last part of a snapshot batch: "part":N,"parts":N+1 with "snapshot":true.
        const part = /"part":(\d+),"parts":(\d+),"snapshot":true/.exec(event.data);
        if (part && Number(part[1]) + 1 === Number(part[2])) snapshotArrivals.push(now());
      });
    }
  } as typeof WebSocket;
  const liveDocument = () =>
    document.querySelector<HTMLIFrameElement>('.replayer-wrapper iframe')?.contentDocument ?? null;
  const seen: Record<string, number> = {};
  (window as unknown as { __bench: unknown }).__bench = {
    markStale: () => liveDocument()?.documentElement?.setAttribute('data-bench-stale', ''),
    requestSnapshot: () => sockets.at(-1)?.send(JSON.stringify({ type: 'cobrowse.snapshot.request' })),
    waitForPage: (timeoutMs: number) =>
      new Promise<number>((resolve, reject) => {
        const deadline = now() + timeoutMs;
        const check = () => {
          const doc = liveDocument();
          if (doc && !doc.documentElement?.hasAttribute('data-bench-stale') && doc.getElementById(lastElementId)) {
            // Shown once the frame with it has been produced.
            requestAnimationFrame(() => resolve(now()));
            return;
          }
          if (now() > deadline) return reject(new Error('the live view did not show the page in time'));
          setTimeout(check, 1);
        };
        check();
      }),
    watchMutations: () => {
      const doc = liveDocument();
      if (!doc) throw new Error('no live view');
      const note = () => {
        const text = doc.getElementById(mutationTargetId)?.textContent ?? '';
        if (text && seen[text] === undefined) seen[text] = now();
      };
      new MutationObserver(note).observe(doc, { subtree: true, childList: true, characterData: true });
    },
    seen: () => seen,
    arrivals: () => arrivals,
    lastSnapshotArrival: () => snapshotArrivals.at(-1) ?? Number.NaN,
    lastLargeParse: () => largeParses.at(-1) ?? Number.NaN,
    joinedAt: () => joinedAt ?? Number.NaN,
  };
};

/** As init-script source: tsx (esbuild, keepNames) wraps functions in `__name(...)`, which the page lacks. */
const asInitScript = <A>(fn: (arg: A) => void, arg: A) => ({
  content: `var __name = (f) => f; (${fn.toString()})(${JSON.stringify(arg)});`,
});
export const instrumentVisitor = (arg: { mutationTargetId: string }) =>
  asInitScript(INSTRUMENT_VISITOR_FN, { ...arg, largeJson: LARGE_JSON });
export const instrumentConsole = (arg: { lastElementId: string; mutationTargetId: string }) =>
  asInitScript(INSTRUMENT_CONSOLE_FN, { ...arg, largeJson: LARGE_JSON });
