/* The floor under bench:join: the same call with nothing of Tandem's. Pages load simple-peer's own
 * simplepeer.min.js from a bare HTTP server, open the fake camera with the product's constraints (VIDEO_QUALITY and
 * a microphone, as web/shared/camera.ts asks) and signal through a bare `ws` relay started here, on loopback, in
 * this process (as bench:join runs the Tandem service). No widget, console, service, session or validation.
 *
 * The relay: a socket's first frame is its name; every later frame "<to>\n<body>" goes to the socket of that name
 * as "<from>\n<body>". Body "hello" announces a newcomer: the receiver, already present, creates the initiating
 * simple-peer toward it (as in Tandem, where the member already present initiates); any other body is simple-peer
 * signal data, and the newcomer creates its own (answering) peer on the first. Peers are made as PeerMesh makes
 * them: trickle, no ICE servers (the embedded defaults have none), offerToReceive audio and video.
 *
 * One run: the pages are loaded, their sockets open, their cameras running steadily (every page's fake camera is
 * one device, which stalls all pages for ~1 s whenever one opens it: callProbes.ts, camerasSteady); then the
 * newcomer says hello (t0, stamped in its page) and the run ends at the first decoded frame (callProbes.ts) in
 * every direction. Page load, socket set-up and opening the cameras come before t0: the floor is the call itself
 * (relay hops, peer connections, offer/answer, ICE, DTLS, the first frame encoded, sent and decoded). */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { WebSocketServer, type WebSocket as RelaySocket } from 'ws';
import { VIDEO_QUALITY } from '../web/shared/camera';
import {
  allDirections,
  camerasSteady,
  firstMark,
  probeOf,
  probeOnceFramed,
  timelineLines,
  type Party,
  type Probe,
} from './callProbes';
import { serveStatic, type StaticServer } from './staticPages';

const CALL_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bare call</title>
<script src="/simplepeer.min.js"></script></head><body></body></html>`;

export interface BareCallServer {
  baseUrl: string;
  relayUrl: string;
  /** The pages show their camera and every remote camera in video elements, as a call's page would. */
  showVideo: boolean;
  stop(): Promise<void>;
}

export async function startBareCallServer({ showVideo = false } = {}): Promise<BareCallServer> {
  const pages: StaticServer = await serveStatic({
    '/call': { type: 'text/html', body: CALL_PAGE },
    '/simplepeer.min.js': {
      type: 'text/javascript',
      body: readFileSync(require.resolve('simple-peer/simplepeer.min.js')),
    },
  });
  const sockets = new Map<string, RelaySocket>();
  const relay = new WebSocketServer({ server: pages.server, path: '/relay', perMessageDeflate: false });
  relay.on('connection', (socket) => {
    let name: string | undefined;
    socket.on('error', () => undefined);
    socket.on('message', (data) => {
      const text = String(data);
      if (name === undefined) {
        name = text;
        sockets.set(name, socket);
        return;
      }
      const cut = text.indexOf('\n');
      sockets.get(text.slice(0, cut))?.send(`${name}\n${text.slice(cut + 1)}`);
    });
    socket.on('close', () => {
      if (name !== undefined && sockets.get(name) === socket) sockets.delete(name);
    });
  });
  return {
    baseUrl: pages.baseUrl,
    relayUrl: `${pages.baseUrl.replace(/^http/, 'ws')}/relay`,
    showVideo,
    async stop() {
      for (const client of relay.clients) client.terminate();
      relay.close();
      await pages.stop();
    },
  };
}

// --- in the page --------------------------------------------------------------------------------------------------

interface BarePage {
  /** Says hello to each named page through the relay; returns when (epoch ms, the page's clock). */
  announce(to: string[]): number;
}

/** Evaluated in each floor page once loaded: opens the camera and the relay socket, then answers hellos and signals. */
const BARE_PAGE_FN = async ({
  relayUrl,
  name,
  video,
  showVideo,
}: {
  relayUrl: string;
  name: string;
  video: MediaTrackConstraints;
  showVideo: boolean;
}) => {
  type Peer = { signal(data: unknown): void; on(event: string, listener: (data: unknown) => void): void };
  const SimplePeer = (window as unknown as { SimplePeer: new (opts: object) => Peer }).SimplePeer;
  const now = () => performance.timeOrigin + performance.now();
  const peers = new Map<string, Peer>();
  const stream = await navigator.mediaDevices.getUserMedia({ video, audio: true });
  const show = (media: MediaStream) => {
    if (!showVideo) return;
    const element = document.createElement('video');
    Object.assign(element, { muted: true, autoplay: true, playsInline: true, width: 320, height: 180 });
    element.srcObject = media;
    document.body.append(element);
  };
  show(stream);
  const socket = new WebSocket(relayUrl);
  const connect = (id: string, initiator: boolean) => {
    const peer = new SimplePeer({
      initiator,
      stream,
      trickle: true,
      config: { iceServers: [] },
      offerOptions: { offerToReceiveAudio: true, offerToReceiveVideo: true },
    });
    peers.set(id, peer);
    peer.on('signal', (data) => socket.send(`${id}\n${JSON.stringify(data)}`));
    peer.on('error', () => undefined);
    peer.on('stream', (remote) => show(remote as MediaStream));
    return peer;
  };
  socket.addEventListener('message', (event) => {
    const text = String(event.data);
    const cut = text.indexOf('\n');
    const from = text.slice(0, cut);
    const body = text.slice(cut + 1);
    if (body === 'hello') connect(from, true);
    else (peers.get(from) ?? connect(from, false)).signal(JSON.parse(body));
  });
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('error', () => reject(new Error('relay socket failed')));
  });
  socket.send(name);
  const bare: BarePage = {
    announce(to) {
      const at = now();
      for (const id of to) socket.send(`${id}\nhello`);
      return at;
    },
  };
  (window as unknown as { __bare: BarePage }).__bare = bare;
};

// --- runs ---------------------------------------------------------------------------------------------------------

/** A fresh page with the call probes (the caller's newPage adds them), loaded, camera and relay socket open. */
async function barePage(newPage: () => Promise<Page>, server: BareCallServer, name: string): Promise<Party> {
  const page = await newPage();
  await page.goto(`${server.baseUrl}/call`);
  // As source text: tsx (esbuild keepNames) wraps named functions in __name(), which pages don't have.
  await page.evaluate(
    `var __name = (f) => f; (${BARE_PAGE_FN.toString()})(${JSON.stringify({ relayUrl: server.relayUrl, name, video: VIDEO_QUALITY, showVideo: server.showVideo })})`,
  );
  return { name, page };
}

const announce = (from: Party, to: Party[]) =>
  from.page.evaluate(
    (names) => (window as unknown as { __bare: BarePage }).__bare.announce(names),
    to.map((p) => p.name),
  );

async function closeAll(parties: Party[]): Promise<void> {
  for (const p of parties)
    await p.page
      .context()
      .close()
      .catch(() => undefined);
}

export interface BareJoinRun {
  others?: number;
  /** From the agent's hello to the first decoded frame at each side, and both. */
  toAgentFrame: number;
  toVisitorFrame: number;
  toBoth: number;
  breakdown: Record<string, number | undefined>;
}

/** Floor of (a): the visitor's page is in the call; the agent's page (newcomer) says hello. */
export async function bareJoinRun(newPage: () => Promise<Page>, server: BareCallServer): Promise<BareJoinRun> {
  const visitor = await barePage(newPage, server, 'visitor');
  const agent = await barePage(newPage, server, 'agent');
  try {
    await camerasSteady([visitor.page, agent.page]);
    const t0 = await announce(agent, [visitor]);
    const agentProbe = await probeOnceFramed(agent.page, 'a frame at the bare agent');
    const visitorProbe = await probeOnceFramed(visitor.page, 'a frame at the bare visitor');
    const rel = (t: number | undefined) => (t === undefined ? undefined : t - t0);
    const toAgentFrame = agentProbe.frames[0]!.at - t0;
    const toVisitorFrame = visitorProbe.frames[0]!.at - t0;
    return {
      toAgentFrame,
      toVisitorFrame,
      toBoth: Math.max(toAgentFrame, toVisitorFrame),
      breakdown: {
        ...callSteps('visitor', visitorProbe, rel),
        ...callSteps('agent', agentProbe, rel),
        'agent: first frame decoded': toAgentFrame,
        'visitor: first frame decoded': toVisitorFrame,
      },
    };
  } finally {
    await closeAll([visitor, agent]);
  }
}

function callSteps(
  who: string,
  probe: Probe,
  rel: (t: number | undefined) => number | undefined,
): Record<string, number | undefined> {
  return {
    [`${who}: pc created`]: rel(firstMark(probe, 'pc created')),
    [`${who}: first signal sent`]: rel(probe.marks.find((m) => /^ws -> (offer|answer)$/.test(m.name))?.at),
    [`${who}: first signal received`]: rel(probe.marks.find((m) => /^ws <- (offer|answer)$/.test(m.name))?.at),
    [`${who}: pc connected`]: rel(firstMark(probe, 'pc connected')),
  };
}

export interface BareGuestRun {
  others?: number;
  /** From guest 2's hello to frames in all 12 directions. */
  toAllDirections: number;
  directions: Array<{ receiver: string; sender: string; afterHello: number }>;
  breakdown: Record<string, number | undefined>;
}

/** Floor of (b): visitor, agent and guest 1 are in a call (each newcomer said hello to those present); guest 2
 * says hello to all three. */
export async function bareGuestRun(
  newPage: () => Promise<Page>,
  server: BareCallServer,
  verboseTimeline = false,
): Promise<BareGuestRun> {
  const parties: Party[] = [];
  try {
    for (const name of ['visitor', 'agent', 'guest 1', 'guest 2']) parties.push(await barePage(newPage, server, name));
    const [visitor, agent, guest1, guest2] = parties as [Party, Party, Party, Party];
    await announce(agent, [visitor]);
    await allDirections([visitor, agent], 'bare: agent <-> visitor');
    await announce(guest1, [visitor, agent]);
    await allDirections([visitor, agent, guest1], 'bare: three parties');
    await camerasSteady(parties.map((p) => p.page));
    const t0 = await announce(guest2, [visitor, agent, guest1]);
    const directions = await allDirections(parties, 'bare: all 12 directions');
    const g2 = await probeOf(guest2.page);
    const rel = (t: number | undefined) => (t === undefined ? undefined : t - t0);
    if (verboseTimeline) {
      const span = Math.max(...directions.map((d) => d.at!)) - t0;
      for (const p of parties)
        for (const line of timelineLines(p.name, await probeOf(p.page), t0, span))
          process.stdout.write(`      ${line}\n`);
    }
    return {
      toAllDirections: Math.max(...directions.map((d) => d.at!)) - t0,
      directions: directions.map((d) => ({ receiver: d.receiver, sender: d.sender, afterHello: d.at! - t0 })),
      breakdown: {
        'guest 2: first pc created': rel(firstMark(g2, 'pc created')),
        'guest 2: first signal received': rel(firstMark(g2, 'ws <- offer')),
        'guest 2: first signal sent': rel(firstMark(g2, 'ws -> answer')),
        'guest 2: first pc connected': rel(firstMark(g2, 'pc connected')),
        'guest 2: connections connected (last)': rel(Math.max(...g2.frames.map((f) => f.connectedAt ?? NaN))),
        'guest 2: first frame decoded': rel(firstMark(g2, 'first frame decoded')),
      },
    };
  } finally {
    await closeAll(parties);
  }
}
