import type { ServerMessage } from '../../src/protocol/messages';
import { initialSessionState, reduceSession, type SessionAction, type SessionState } from './sessionState';
import type { SignalingClient } from './signalingClient';

/* Holds one page's session state (sessionState.ts) and feeds it the socket's messages and connection changes.
 * Pages subscribe per action type and get the action with the state after and before it, so "who left" or "did
 * our pause change" is read from the state, not from a list of their own. Once the state is over, nothing more is
 * announced: the end is told once, and what a closing socket says afterwards is not. */

/** The server messages the state follows. */
const FOLLOWED = [
  'session.created',
  'session.joined',
  'peer.joined',
  'pair.reset',
  'peer.left',
  'peer.away',
  'peer.back',
  'peer.media',
  'control.state',
  'guest.code',
  'guest.removed',
  'session.ended',
  'error',
] as const satisfies ReadonlyArray<ServerMessage['type']>;

type ActionOf<T extends SessionAction['type']> = Extract<SessionAction, { type: T }>;
export type StateListener<T extends SessionAction['type']> = (
  action: ActionOf<T>,
  next: SessionState,
  prev: SessionState,
) => void;
type AnyListener = (action: SessionAction, next: SessionState, prev: SessionState) => void;

export class SessionStore {
  private current: SessionState = initialSessionState();
  private readonly listeners = new Map<string, Set<AnyListener>>();
  private readonly offs: Array<() => void> = [];

  constructor(private readonly client: SignalingClient) {
    for (const type of FOLLOWED) this.offs.push(client.on(type, (m) => this.dispatch(m)));
    client.onStateChange = (state, detail) =>
      this.dispatch({ type: 'client.connection', state, ...(detail ? { detail } : {}) });
  }

  get state(): SessionState {
    return this.current;
  }

  dispatch(action: SessionAction): void {
    const prev = this.current;
    if (prev.status === 'over') return;
    const next = reduceSession(prev, action);
    this.current = next;
    for (const listener of this.listeners.get(action.type) ?? []) listener(action, next, prev);
  }

  on<T extends SessionAction['type']>(type: T, listener: StateListener<T>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    const any = listener as unknown as AnyListener;
    set.add(any);
    return () => set.delete(any);
  }

  /** Stops following the socket (before the page closes it on purpose). */
  detach(): void {
    for (const off of this.offs.splice(0)) off();
    this.client.onStateChange = () => {};
    this.listeners.clear();
  }
}
