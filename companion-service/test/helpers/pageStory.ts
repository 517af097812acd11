import type { Page } from 'playwright-core';

/* What pages went through, added to a failed wait's message: a call that does not connect in a full run and then
 * passes alone leaves nothing else to go on. Each page tells the messages its sockets received (recorded with
 * `recordSockets`), the texts recorded under a key (textsShown.ts) and its peer connections' states. */

/** Awaits `wait`; if it fails, fails with what each named page went through added to the message. */
export async function withPageStories<T>(wait: Promise<T>, pages: Record<string, Page>, textsKey?: string): Promise<T> {
  try {
    return await wait;
  } catch (err) {
    const stories = await Promise.all(
      Object.entries(pages).map(async ([name, page]) => `${name}: ${await pageStory(page, textsKey)}`),
    );
    throw new Error(`${(err as Error).message}\n${stories.join('\n')}`);
  }
}

async function pageStory(page: Page, textsKey: string | undefined): Promise<string> {
  if (page.isClosed()) return 'closed';
  try {
    const story = await page.evaluate((key) => {
      const w = window as unknown as {
        __ws?: { received: Array<{ type: string; code?: string; inReplyTo?: string }> };
        __textsShown?: Record<string, string[]>;
        __pcs?: RTCPeerConnection[];
      };
      return {
        received: (w.__ws?.received ?? []).map((m) =>
          m.type === 'error' ? [m.type, m.code, m.inReplyTo].filter(Boolean).join(' ') : m.type,
        ),
        texts: key ? (w.__textsShown?.[key] ?? []) : [],
        connections: (w.__pcs ?? []).map((pc) => `${pc.signalingState}/${pc.iceConnectionState}/${pc.connectionState}`),
      };
    }, textsKey);
    return JSON.stringify(story).slice(0, 3000);
  } catch (err) {
    return `(could not read the page: ${(err as Error).message})`;
  }
}
