import { Channels, type Bus } from '../bus/bus';
import type { ServerMessage } from '../protocol/messages';
import { parseVisitorKey, visitorKey, type VisitorRef } from '../tenancy/visitorIdentity';
import { MemoryPresenceRegistry, type PresenceRegistry } from './presenceRegistry';

/** Presence of logged-in visitors, each known by (site, visitor id): tabs come and go, agents who follow a visitor
 * get a push on the visitor's presence channel when they come online or go offline, and messages can be sent to a
 * visitor's most recently active tab. Nothing here looks across sites: callers name the sites an agent may see. */
export class PresenceService {
  constructor(
    private readonly bus: Bus,
    private readonly registry: PresenceRegistry = new MemoryPresenceRegistry(),
  ) {
    // An instance holding the visitor's tabs stopped: their followers everywhere are told.
    registry.onChange((key, online) => {
      const visitor = parseVisitorKey(key);
      if (visitor) this.announce(visitor, online).catch(() => undefined);
    });
  }

  /** Never fails: without Redis the tab is registered when Redis is back (presence/redisPresenceRegistry.ts). */
  async tabOpened(visitor: VisitorRef, tabId: string, now: number): Promise<void> {
    if (await this.registry.add(visitorKey(visitor), tabId, now)) await this.announce(visitor, true);
  }

  async tabClosed(visitor: VisitorRef, tabId: string): Promise<void> {
    if (await this.registry.remove(visitorKey(visitor), tabId)) await this.announce(visitor, false);
  }

  async tabActive(visitor: VisitorRef, tabId: string, now: number): Promise<void> {
    await this.registry.touch(visitorKey(visitor), tabId, now);
  }

  /** Reading needs the registry: on Redis, fails with RedisUnavailableError while Redis is away. */
  isOnline(visitor: VisitorRef): Promise<boolean> {
    return this.registry.isOnline(visitorKey(visitor));
  }

  /** Is the visitor with this id online on any of these sites? */
  async isOnlineOnAny(siteIds: readonly string[], visitorId: string): Promise<boolean> {
    for (const siteId of siteIds) if (await this.isOnline({ siteId, visitorId })) return true;
    return false;
  }

  /** The visitor with this id on one of these sites, where their most recently active tab is; undefined when they
   * are online on none of them. */
  async findOnline(siteIds: readonly string[], visitorId: string): Promise<VisitorRef | undefined> {
    let found: { visitor: VisitorRef; at: number } | undefined;
    for (const siteId of siteIds) {
      const visitor = { siteId, visitorId };
      const tab = await this.registry.activeTab(visitorKey(visitor));
      if (tab && (!found || tab.at > found.at)) found = { visitor, at: tab.at };
    }
    return found?.visitor;
  }

  /** Delivers to the tab the visitor used last; returns that tab's id, or undefined when they are offline. */
  async sendToActiveTab(visitor: VisitorRef, message: ServerMessage): Promise<string | undefined> {
    const tab = (await this.registry.activeTab(visitorKey(visitor)))?.tabId;
    if (tab) await this.sendToTab(tab, message);
    return tab;
  }

  async sendToTab(tabId: string, message: ServerMessage): Promise<void> {
    await this.bus.publish(Channels.tab(tabId), JSON.stringify(message));
  }

  /** Followers recompute what to tell their agent (online on any of the agent's sites), so the payload is the
   * visitor's presence on this one site only. */
  private async announce(visitor: VisitorRef, online: boolean): Promise<void> {
    const message: ServerMessage = { type: 'presence', visitorId: visitor.visitorId, online };
    await this.bus.publish(Channels.presence(visitorKey(visitor)), JSON.stringify(message));
  }
}
