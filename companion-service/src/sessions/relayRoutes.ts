import { Channels } from '../bus/bus';
import { signalPrefix } from '../protocol/signalRelay';
import { canRelay, pairGeneration, type Session } from './model';

/** Where one participant's signals to one peer go: the peer's bus channel, the pair's current generation, and the
 * bytes the relayed message starts with. */
export interface RelayRoute {
  readonly to: string;
  readonly channel: string;
  readonly gen: number;
  readonly prefix: Buffer;
}

/** Each sender's routes. A room holds a handful of people, so a scan by `to` beats hashing a fresh string. */
type RouteTable = Map<string, RelayRoute[]>;

/** The relay's per-message rules (both in the session, session live, pair generation), resolved once per session
 * state instead of once per signal. Sessions are immutable: every change stores a new object, so a table keyed by
 * the object cannot go stale, and tables of replaced states are collected with them. The channel names it hands out
 * are built once, so the bus's lookup hashes each once rather than per message. */
export class RelayRoutes {
  private readonly tables = new WeakMap<Session, RouteTable>();

  /** The route from `from` to `to`, or undefined when the rules forbid relaying between them. */
  route(session: Session, from: string, to: string): RelayRoute | undefined {
    let table = this.tables.get(session);
    if (!table) this.tables.set(session, (table = buildTable(session)));
    const routes = table.get(from);
    if (routes) for (const route of routes) if (route.to === to) return route;
    return undefined;
  }
}

function buildTable(session: Session): RouteTable {
  const table: RouteTable = new Map();
  for (const sender of session.participants) {
    const routes: RelayRoute[] = [];
    const prefix = signalPrefix(sender.id);
    for (const peer of session.participants) {
      if (!canRelay(session, sender.id, peer.id)) continue;
      routes.push({ to: peer.id, channel: Channels.participant(peer.id), gen: pairGeneration(session, sender.id, peer.id), prefix });
    }
    table.set(sender.id, routes);
  }
  return table;
}
