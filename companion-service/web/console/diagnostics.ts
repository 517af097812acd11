/* Live connection diagnostics for Customer Info, read from RTCPeerConnection.getStats(): round-trip time, video
 * bitrate in and out, packet loss and the resolution being received, per participant. Bitrates and loss are
 * measured between two samples, so the first sample of a connection has none yet. */

export interface PeerDiagnostics {
  peerId: string;
  rttMs: number | null;
  inboundKbps: number | null;
  outboundKbps: number | null;
  packetLossPercent: number | null;
  width: number | null;
  height: number | null;
}

interface Counters {
  pc: RTCPeerConnection;
  at: number;
  bytesIn: number;
  bytesOut: number;
  packetsLost: number;
  packetsReceived: number;
}

type StatsEntry = Record<string, unknown> & { type: string; id: string };

const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const kindOf = (s: StatsEntry) => (s.kind ?? s.mediaType) as string | undefined;

export class DiagnosticsSampler {
  private readonly previous = new Map<string, Counters>();

  async sample(connections: Array<{ peerId: string; pc: RTCPeerConnection | undefined }>): Promise<PeerDiagnostics[]> {
    const live = new Set<string>();
    const results: PeerDiagnostics[] = [];
    for (const { peerId, pc } of connections) {
      if (!pc || pc.connectionState === 'closed') continue;
      live.add(peerId);
      let report: RTCStatsReport;
      try {
        report = await pc.getStats();
      } catch {
        continue;
      }
      results.push(this.read(peerId, pc, report));
    }
    for (const id of [...this.previous.keys()]) if (!live.has(id)) this.previous.delete(id);
    return results;
  }

  private read(peerId: string, pc: RTCPeerConnection, report: RTCStatsReport): PeerDiagnostics {
    const entries: StatsEntry[] = [];
    report.forEach((s: StatsEntry) => entries.push(s));
    const byId = new Map(entries.map((s) => [s.id, s]));

    const transport = entries.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
    const pair =
      (transport && byId.get(transport.selectedCandidatePairId as string)) ??
      entries.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
    const rtt = pair ? num(pair.currentRoundTripTime) : undefined;

    let bytesIn = 0;
    let bytesOut = 0;
    let packetsLost = 0;
    let packetsReceived = 0;
    let width: number | null = null;
    let height: number | null = null;
    for (const s of entries) {
      if (kindOf(s) !== 'video') continue;
      if (s.type === 'inbound-rtp') {
        bytesIn += num(s.bytesReceived) ?? 0;
        packetsLost += Math.max(0, num(s.packetsLost) ?? 0);
        packetsReceived += num(s.packetsReceived) ?? 0;
        const w = num(s.frameWidth);
        const h = num(s.frameHeight);
        if (w && h) {
          width = w;
          height = h;
        }
      } else if (s.type === 'outbound-rtp') {
        bytesOut += num(s.bytesSent) ?? 0;
      }
    }

    const now = performance.now();
    const before = this.previous.get(peerId);
    const current: Counters = { pc, at: now, bytesIn, bytesOut, packetsLost, packetsReceived };
    this.previous.set(peerId, current);
    const comparable = before && before.pc === pc && now > before.at;
    const seconds = comparable ? (now - before.at) / 1000 : 0;
    const kbps = (later: number, earlier: number) => Math.max(0, ((later - earlier) * 8) / seconds / 1000);
    let loss: number | null = null;
    if (comparable) {
      const lost = packetsLost - before.packetsLost;
      const got = packetsReceived - before.packetsReceived;
      if (lost + got > 0) loss = (Math.max(0, lost) / (Math.max(0, lost) + Math.max(0, got))) * 100;
    }
    return {
      peerId,
      rttMs: rtt === undefined ? null : rtt * 1000,
      inboundKbps: comparable ? kbps(bytesIn, before.bytesIn) : null,
      outboundKbps: comparable ? kbps(bytesOut, before.bytesOut) : null,
      packetLossPercent: loss,
      width,
      height,
    };
  }
}

export const formatMs = (v: number | null) => (v === null ? '—' : `${Math.round(v)} ms`);
export const formatKbps = (v: number | null) => (v === null ? '—' : `${Math.round(v)} kbps`);
export const formatPercent = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)} %`);
export const formatResolution = (w: number | null, h: number | null) => (w && h ? `${w}×${h}` : '—');
