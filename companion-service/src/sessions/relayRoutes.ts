import { Channels, type BusChannel } from '../bus/bus';
import { canRelay, pairGeneration, type Session } from './model';

/** Where one participant's signals to one peer go: the peer's bus channel and the pair's current generation. */
export interface RelayRoute {
  readonly to: string;
  readonly channel: BusChannel;
  readonly gen: number;
}

/** The relay's per-message rules (both in the session, session live, pair generation) for one sender, resolved for
 * one session state instead of once per signal. Sessions are immutable: every change makes a new state, and the
 * caller keeps these routes with that state (the directory's seat), so they cannot go stale. */
export function relayRoutesFrom(session: Session, sender: string, channel: (name: string) => BusChannel): RelayRoute[] {
  const routes: RelayRoute[] = [];
  for (const peer of session.participants) {
    if (!canRelay(session, sender, peer.id)) continue;
    routes.push({
      to: peer.id,
      channel: channel(Channels.participant(peer.id)),
      gen: pairGeneration(session, sender, peer.id),
    });
  }
  return routes;
}

/** The route to `to`; a room holds a handful of people, so a scan beats hashing a fresh string. */
export function routeTo(routes: readonly RelayRoute[], to: string): RelayRoute | undefined {
  for (const route of routes) if (route.to === to) return route;
  return undefined;
}
