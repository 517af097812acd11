import { eventually, successive } from './eventually';

/* Video between two pages, read from the peer connections that newContext() (helpers/browser.ts) records: which
 * frames a receiver has decoded from one particular sender, rising or stopped. */

/** What these helpers need of a page: to run a function in it. A Playwright page (Chromium) has it, and so does a
 * Firefox page driven through Puppeteer (firefox.ts). */
export interface InPage {
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
}

/** A page, or a page with a name for the error messages. */
export type Party = InPage | { name: string; page: InPage };

export const pageOf = (p: Party): InPage => ('page' in p ? p.page : p);
export const nameOf = (p: Party, fallback: string): string => ('page' in p ? p.name : fallback);

/** The stream ids a page sends, read from the msid lines of its local descriptions. */
export async function sendsAs(page: InPage): Promise<string[]> {
  return page.evaluate(() => {
    const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [];
    const ids = new Set<string>();
    for (const pc of pcs)
      for (const m of (pc.localDescription?.sdp ?? '').matchAll(/^a=msid:(\S+)/gm)) if (m[1] !== '-') ids.add(m[1]!);
    return [...ids];
  });
}

/** Video frames the receiver has decoded from the sender, over the receiver's live connections whose remote
 * description carries one of the sender's streams. */
export async function framesFrom(receiver: InPage, sender: InPage): Promise<number> {
  const streams = await sendsAs(sender);
  return receiver.evaluate(async (ids) => {
    const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [];
    let total = 0;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed' || pc.signalingState === 'closed') continue;
      const remote = [...(pc.remoteDescription?.sdp ?? '').matchAll(/^a=msid:(\S+)/gm)].map((m) => m[1]);
      if (!remote.some((id) => id && ids.includes(id))) continue;
      (await pc.getStats()).forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') total += s.framesDecoded ?? 0;
      });
    }
    return total;
  }, streams);
}

/** Waits until the receiver decodes more and more frames from the sender (two samples half a second apart, the
 * first above zero): the sender's camera really arrives. */
export async function expectRising(receiver: Party, sender: Party, timeoutMs = 20_000): Promise<void> {
  const sample = successive(() => framesFrom(pageOf(receiver), pageOf(sender)));
  const what = `${nameOf(receiver, 'the receiver')} to decode rising video from ${nameOf(sender, 'the sender')}`;
  await eventually(
    sample,
    ({ before, now }) => before !== undefined && before > 0 && now > before,
    what,
    timeoutMs,
    500,
  );
}

/** Waits until frames from the sender stop: two samples a second and a half apart are equal (or there is no
 * connection). Returns the count they stopped at. The interval is the measurement itself: a stopped stream is one
 * that decodes nothing for that long. */
export async function expectStopped(receiver: Party, sender: Party, timeoutMs = 15_000): Promise<number> {
  const sample = successive(() => framesFrom(pageOf(receiver), pageOf(sender)));
  const what = `${nameOf(sender, 'the sender')}'s video to stop arriving at ${nameOf(receiver, 'the receiver')}`;
  return (await eventually(sample, ({ before, now }) => before === now, what, timeoutMs, 1500)).now;
}
