import type { Page } from 'playwright-core';
import type { ClusterSuite } from './cluster';
import { people } from './people';

/* Test-side instruments for Chromium pages in a cluster (the product has none of them): when a page was told it joined
 * or resumed, by the machine's clock (so a test can measure from a kill it made), and a log of the frames it decodes,
 * sampled every 100 ms (so a test can show video never stopped across an instance's death or a deploy). */

const RECORD_JOINS = () => {
  const Native = window.WebSocket;
  const joins: Array<{ resumed: boolean; at: number }> = [];
  (window as unknown as { __joins: typeof joins }).__joins = joins;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event) => {
        try {
          const message = JSON.parse(String(event.data)) as { type?: string; resumed?: boolean };
          if (message.type === 'session.joined') joins.push({ resumed: message.resumed === true, at: Date.now() });
        } catch {
          /* not ours */
        }
      });
    }
  } as typeof WebSocket;
};

/** A page of the suite that records its sockets, its peer connections and its joins. */
export async function instrumentedPage(suite: ClusterSuite): Promise<Page> {
  const page = await suite.newPage({ recordSockets: true });
  await page.context().addInitScript(RECORD_JOINS);
  return page;
}

/** helpers/people.ts's steps on the cluster's public address, every page instrumented. */
export function clusterPeople(suite: ClusterSuite) {
  return people({
    get server() {
      return suite.server;
    },
    newPage: () => instrumentedPage(suite),
  });
}

/** Every `session.joined` the page received, with when. */
export function joinsOf(page: Page): Promise<Array<{ resumed: boolean; at: number }>> {
  return page.evaluate(() => (window as unknown as { __joins: Array<{ resumed: boolean; at: number }> }).__joins);
}

/** The session id of the page's first `session.joined` (the page must record its sockets). */
export async function sessionIdOf(page: Page): Promise<string | undefined> {
  return page.evaluate(
    () =>
      (window as unknown as { __ws: { received: Array<{ type: string; sessionId?: string }> } }).__ws.received.find(
        (m) => m.type === 'session.joined',
      )?.sessionId,
  );
}

/** Starts sampling, every 100 ms, the frames the page has decoded from all its peers so far. */
export async function startFrameLog(page: Page): Promise<void> {
  await page.evaluate(() => {
    const log: Array<{ at: number; frames: number }> = [];
    (window as unknown as { __frameLog: typeof log }).__frameLog = log;
    setInterval(async () => {
      let frames = 0;
      for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
        if (pc.connectionState === 'closed') continue;
        (await pc.getStats()).forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
        });
      }
      log.push({ at: Date.now(), frames });
    }, 100);
  });
}

/** The longest time within [from, to] that the page's decoded frames did not go up (from its frame log). */
export async function longestStall(page: Page, from: number, to: number): Promise<number> {
  const log = await page.evaluate(
    () => (window as unknown as { __frameLog: Array<{ at: number; frames: number }> }).__frameLog,
  );
  const samples = log.filter((s) => s.at >= from && s.at <= to);
  if (samples.length < 2) throw new Error(`too few frame samples between ${from} and ${to}: ${samples.length}`);
  let longest = 0;
  let lastRise = samples[0]!.at;
  for (let i = 1; i < samples.length; i++) {
    if (samples[i]!.frames > samples[i - 1]!.frames) lastRise = samples[i]!.at;
    longest = Math.max(longest, samples[i]!.at - lastRise);
  }
  return longest;
}
