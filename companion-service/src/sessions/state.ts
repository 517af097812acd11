import type { EndReason } from '../protocol/codes';
import type { ControlState, MediaState, Role } from '../protocol/messages';

/* A session's state: one plain record. It survives JSON unchanged (no Maps, class instances or functions; every
 * field always present, null where unset), so another instance can load it and compare its version before it
 * writes. The rules that change it are in transitions.ts (who may do what, when) and rules/ (what it does). */

/** inviting: 1-click, the visitor has not answered the terms yet. waiting: the visitor is in, no agent yet.
 * active: visitor and agent have met. ended: over for everyone. */
export const SESSION_STATUSES = ['inviting', 'waiting', 'active', 'ended'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const LIVE_STATUSES = ['inviting', 'waiting', 'active'] as const satisfies readonly SessionStatus[];

export interface Participant {
  id: string;
  role: Role;
  /** Who this is outside the session: the agent's user id, or "anonymous" for a code visitor. */
  identity: string;
  name: string | null;
  /** Order of arrival; the earlier member of a pair initiates its peer connection. */
  seq: number;
  /** Set while the participant's socket is gone and the resume grace period runs. */
  awaySince: number | null;
  media: MediaState;
  /** Agent privileges from the agent token; empty for everyone else. */
  privileges: string[];
  /** For guests: the invite they came in with, revoked if they are ejected. */
  invite: string | null;
}

/** A guest who asked to join and shows a code, waiting for the agent to type it. */
export interface PendingGuest {
  id: string;
  name: string;
  code: string;
  invite: string;
  expiresAt: number;
  extensionsLeft: number;
}

/** A guest link the agent made: an unguessable token bound to this session. */
export interface GuestInvite {
  token: string;
  expiresAt: number;
  /** Set when a guest who came with it is ejected: nobody gets in with it again. */
  revoked: boolean;
}

/** A 1-click invitation: the agent asked, the visitor has to accept the terms. It stays on the session once answered
 * (the status says whether it was), because only its agent may join. */
export interface Invitation {
  id: string;
  /** The logged-in visitor's id (from their visitor token). */
  visitorIdentity: string;
  /** The agent who asked; only they may join the session. */
  agentIdentity: string;
  agentName: string;
  expiresAt: number;
}

/** A pair of participants (pairKey) and the generation of its peer connection. A session keeps a list, not an object
 * keyed by pair: participant ids as keys would give every session's object a hidden class of its own in V8, and a
 * room holds a handful of pairs, so a scan is as quick as a lookup. */
export interface PairGeneration {
  readonly pair: string;
  readonly gen: number;
}

export interface Session {
  id: string;
  /** Goes up by one with every command that changes the session: another instance compares it before it writes. */
  version: number;
  code: string;
  status: SessionStatus;
  createdAt: number;
  /** The customer's site whose page started it (from the socket's Origin, or the invited visitor's site); null for
   * the service's own pages (demo portal, development). An agent joins by code only within their tenant's sites. */
  siteId: string | null;
  /** An unused code stops admitting (and the waiting session ends) at this time. */
  codeExpiresAt: number;
  participants: Participant[];
  /** Generation of each pair's peer connection that has one; a pair not listed is at generation 1. */
  pairGenerations: readonly PairGeneration[];
  nextSeq: number;
  invitation: Invitation | null;
  guestInvites: GuestInvite[];
  pendingGuests: PendingGuest[];
  /** Remote control of the visitor's page: asked by an agent with the privilege, granted by the visitor. */
  control: { state: ControlState; agentId: string | null };
  share: ScreenShare;
  endedAt: number | null;
  endReason: EndReason | null;
}

/** Screen share: an agent with the privilege shares (on, sharerId the agent), or asks the customer (requested,
 * agentId the asking agent) who then shares (on, sharerId the visitor). One at a time. */
export interface ScreenShare {
  state: ControlState;
  agentId: string | null;
  sharerId: string | null;
  /** The MediaStream id the screen travels under on the sharer's peer connections. */
  streamId: string | null;
}

export const SCREEN_SHARE_OFF: ScreenShare = { state: 'off', agentId: null, sharerId: null, streamId: null };

/** Every participant object gets the same fields in the same order, so they all share one hidden class in V8. (A
 * spread of an object that had a field added after its literal made a new hidden class for every copy.) */
export function participant(p: Participant): Participant {
  return {
    id: p.id,
    role: p.role,
    identity: p.identity,
    name: p.name,
    seq: p.seq,
    awaySince: p.awaySince,
    media: p.media,
    privileges: p.privileges,
    invite: p.invite,
  };
}
