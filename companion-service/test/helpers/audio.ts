import { eventually, successive } from './eventually';
import { nameOf, pageOf, sendsAs, type InPage, type Party } from './video';

/* Sound between two pages: the receiver gets the sender's microphone (audio samples with energy, i.e. not silence)
 * and plays it (a media element in the page, attached, playing, unmuted and audible, whose stream carries that
 * track). Read from the peer connections newContext() records (helpers/browser.ts), like the video helpers. */

export interface Hearing {
  /** Audio samples the receiver decoded from the sender. */
  samples: number;
  /** Their total energy (WebRTC's totalAudioEnergy): zero for silence. */
  energy: number;
  /** Media elements playing the sender's audio out loud (attached, not paused, not muted, volume above zero). */
  playing: number;
  /** Those elements' summed playback position, in seconds: it advances while they play. */
  playedSeconds: number;
}

export async function hearingOf(receiver: InPage, sender: InPage): Promise<Hearing> {
  const streams = await sendsAs(sender);
  return receiver.evaluate(async (ids) => {
    const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [];
    const hearing = { samples: 0, energy: 0, playing: 0, playedSeconds: 0 };
    const tracks = new Set<string>();
    for (const pc of pcs) {
      if (pc.connectionState === 'closed' || pc.signalingState === 'closed') continue;
      const remote = [...(pc.remoteDescription?.sdp ?? '').matchAll(/^a=msid:(\S+)/gm)].map((m) => m[1]);
      if (!remote.some((id) => id && ids.includes(id))) continue;
      for (const r of pc.getReceivers()) if (r.track.kind === 'audio') tracks.add(r.track.id);
      (await pc.getStats()).forEach(
        (s: { type: string; kind?: string; totalSamplesReceived?: number; totalAudioEnergy?: number }) => {
          if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
          hearing.samples += s.totalSamplesReceived ?? 0;
          hearing.energy += s.totalAudioEnergy ?? 0;
        },
      );
    }
    // Media elements anywhere, open shadow roots included (the widget lives in one).
    const elements: HTMLMediaElement[] = [];
    const visit = (root: Document | ShadowRoot) => {
      for (const node of root.querySelectorAll('*')) {
        if (node instanceof HTMLMediaElement) elements.push(node);
        if (node.shadowRoot) visit(node.shadowRoot);
      }
    };
    visit(document);
    for (const media of elements) {
      const stream = media.srcObject;
      if (!(stream instanceof MediaStream)) continue;
      const carries = stream.getAudioTracks().some((t) => tracks.has(t.id) && t.readyState === 'live' && t.enabled);
      if (!carries || !media.isConnected || media.paused || media.muted || media.volume === 0) continue;
      hearing.playing++;
      hearing.playedSeconds += media.currentTime;
    }
    return hearing;
  }, streams);
}

/** Waits until the receiver hears the sender: between two samples half a second apart, more samples with more
 * energy arrived, and an element kept playing them out loud. */
export async function expectHearing(receiver: Party, sender: Party, timeoutMs = 20_000): Promise<Hearing> {
  const sample = successive(() => hearingOf(pageOf(receiver), pageOf(sender)));
  const what = `${nameOf(receiver, 'the receiver')} to hear ${nameOf(sender, 'the sender')}`;
  const { now } = await eventually(
    sample,
    ({ before, now }) =>
      !!before &&
      before.samples > 0 &&
      now.samples > before.samples &&
      now.energy > before.energy &&
      now.playing > 0 &&
      now.playedSeconds > before.playedSeconds,
    what,
    timeoutMs,
    500,
  );
  return now;
}
