import type { IceServer, ServerMessage } from '../protocol/messages';
import type { Effect } from './model';

/** Turns a rule's effect into the wire message its recipient gets. Effects that need more than the session state
 * (admitted, removed) are delivered by the service itself. `iceServers`: credentials minted for the recipient's new
 * connection (peer.joined, pair.reset). */
export function effectToMessage(
  effect: Exclude<Effect, { kind: 'admitted' | 'removed' }>,
  iceServers?: IceServer[],
): ServerMessage {
  switch (effect.kind) {
    case 'peer-joined':
      return { type: 'peer.joined', link: effect.link, ...(iceServers && { iceServers }) };
    case 'peer-left':
      return { type: 'peer.left', peerId: effect.peerId, reason: effect.reason };
    case 'peer-away':
      return { type: 'peer.away', peerId: effect.peerId };
    case 'peer-back':
      return { type: 'peer.back', peerId: effect.peerId };
    case 'pair-reset':
      return { type: 'pair.reset', link: effect.link, ...(iceServers && { iceServers }) };
    case 'session-ended':
      return { type: 'session.ended', reason: effect.reason };
    case 'peer-media':
      return { type: 'peer.media', peerId: effect.peerId, media: effect.media };
    case 'control-state':
      return effect.agentName === undefined
        ? { type: 'control.state', state: effect.state }
        : { type: 'control.state', state: effect.state, agentName: effect.agentName };
    case 'share-state':
      return { type: 'share.state', share: effect.share };
  }
}
