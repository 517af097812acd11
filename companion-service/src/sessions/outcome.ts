import type { EndReason, ErrorCode, LeaveReason } from '../protocol/codes';
import type { ControlState, MediaState, PeerLink, ShareState } from '../protocol/messages';
import type { Session } from './state';

/** Who must be told what after a command; the service turns each into a message (wireEffects.ts). */
export type Effect =
  | { kind: 'peer-joined'; to: string; link: PeerLink }
  | { kind: 'peer-left'; to: string; peerId: string; reason: LeaveReason }
  | { kind: 'peer-away'; to: string; peerId: string }
  | { kind: 'peer-back'; to: string; peerId: string }
  | { kind: 'pair-reset'; to: string; link: PeerLink }
  | { kind: 'session-ended'; to: string; reason: EndReason }
  | { kind: 'peer-media'; to: string; peerId: string; media: MediaState }
  /** A pending guest was let in: they get their session.joined. */
  | { kind: 'admitted'; to: string }
  /** An ejected guest is told and disconnected. */
  | { kind: 'removed'; to: string; reason: LeaveReason }
  | { kind: 'control-state'; to: string; state: ControlState; agentName?: string }
  | { kind: 'share-state'; to: string; share: ShareState };

export type EffectKind = Effect['kind'];

/** A command's result: the new state and its effects, or a refusal that changes nothing. A command that would change
 * nothing (a second "away", a pause of a paused guest) is accepted with the very same state object. */
export type Outcome = { ok: true; session: Session; effects: Effect[] } | { ok: false; code: ErrorCode };

export const ok = (session: Session, effects: Effect[] = []): Outcome => ({ ok: true, session, effects });
export const refuse = (code: ErrorCode): Outcome => ({ ok: false, code });
