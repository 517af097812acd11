import type { Role } from '../../src/protocol/messages';
import type { PeerMesh } from '../shared/peerMesh';
import { isOver, isSendingVideo, participant } from '../shared/sessionState';
import type { SessionStore } from '../shared/sessionStore';
import { DiagnosticsSampler } from './diagnostics';
import type { DiagnosticsRow } from './infoPanel';

/* Feeds Customer Info's connection table every 2 seconds while the session is on, and flattens the latest rows
 * (with the session's code, size and our video) into what a problem report carries. */

const EVERY_MS = 2000;
/** A report carries the first few connections: enough to see a bad one, within the report's size limit. */
const REPORTED_PEERS = 6;

export class DiagnosticsFeed {
  private readonly sampler = new DiagnosticsSampler();
  private latest: DiagnosticsRow[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly mesh: PeerMesh,
    private readonly store: SessionStore,
    /** Where the rows are shown (Customer Info). */
    private readonly publish: (rows: DiagnosticsRow[]) => void,
    /** How the console names a participant. */
    private readonly nameOf: (peerId: string) => string | undefined,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.sample(), EVERY_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  snapshot(): Record<string, number | string | null> {
    const state = this.store.state;
    const out: Record<string, number | string | null> = {
      sessionCode: state.code ?? null,
      participants: state.participants.length + 1,
      agentVideo: isSendingVideo(state) ? 'on' : 'off',
      agentBrowser: navigator.userAgent.slice(0, 200),
    };
    const round = (v: number | null, digits = 0) => (v === null ? null : Number(v.toFixed(digits)));
    this.latest.slice(0, REPORTED_PEERS).forEach((row, i) => {
      const s = row.stats;
      const key = `peer${i + 1}`;
      out[`${key}.role`] = row.role;
      out[`${key}.rttMs`] = round(s.rttMs);
      out[`${key}.videoInKbps`] = round(s.inboundKbps);
      out[`${key}.videoOutKbps`] = round(s.outboundKbps);
      out[`${key}.packetLossPercent`] = round(s.packetLossPercent, 2);
      out[`${key}.resolutionIn`] = s.width && s.height ? `${s.width}x${s.height}` : null;
    });
    return out;
  }

  private async sample(): Promise<void> {
    if (isOver(this.store.state)) return;
    const mesh = this.mesh;
    const stats = await this.sampler.sample(
      mesh.peerIds().map((peerId) => ({ peerId, pc: mesh.connectionTo(peerId) })),
    );
    const rows: DiagnosticsRow[] = [];
    for (const s of stats) {
      const p = participant(this.store.state, s.peerId);
      const name = this.nameOf(s.peerId);
      if (p && name !== undefined) rows.push({ name, role: roleLabel(p.role), stats: s });
    }
    this.latest = rows;
    this.publish(rows);
  }
}

function roleLabel(role: Role): string {
  return role === 'visitor' ? 'customer' : role;
}
