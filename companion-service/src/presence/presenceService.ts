import { Channels, type Bus } from '../bus/bus';
import type { ServerMessage } from '../protocol/messages';
import { visitorKey, type VisitorRef } from '../tenancy/visitorIdentity';
import { PresenceRegistry } from './presenceRegistry';

/** Presence of logged-in visitors, each known by (site, visitor id): tabs come and go, agents who follow a visitor
 * get a push on the visitor's presence channel when they come online or go offline, and messages can be sent to a
 * visitor's most recently active tab. Nothing here looks across sites: callers name the sites an agent may see. */
export class PresenceService {
  private readonly registry = new PresenceRegistry();

  constructor(private readonly bus: Bus) {}

  async tabOpened(visitor: VisitorRef, tabId: string, now: number): Promise<void> {
    if (this.registry.add(visitorKey(visitor), tabId, now)) await this.announce(visitor);
  }

  async tabClosed(visitor: VisitorRef, tabId: string): Promise<void> {
    if (this.registry.remove(visitorKey(visitor), tabId)) await this.announce(visitor);
  }

  tabActive(visitor: VisitorRef, tabId: string, now: number): void {
    this.registry.touch(visitorKey(visitor), tabId, now);
  }

  isOnline(visitor: VisitorRef): boolean {
    return this.registry.isOnline(visitorKey(visitor));
  }

  /** Is the visitor with this id online on any of these sites? */
  isOnlineOnAny(siteIds: readonly string[], visitorId: string): boolean {
    return siteIds.some((siteId) => this.isOnline({ siteId, visitorId }));
  }

  /** The visitor with this id on one of these sites, where their most recently active tab is; undefined when they
   * are online on none of them. */
  findOnline(siteIds: readonly string[], visitorId: string): VisitorRef | undefined {
    let found: { visitor: VisitorRef; at: number } | undefined;
    for (const siteId of siteIds) {
      const visitor = { siteId, visitorId };
      const tab = this.registry.activeTab(visitorKey(visitor));
      if (tab && (!found || tab.at > found.at)) found = { visitor, at: tab.at };
    }
    return found?.visitor;
  }

  /** Delivers to the tab the visitor used last; returns that tab's id, or undefined when they are offline. */
  async sendToActiveTab(visitor: VisitorRef, message: ServerMessage): Promise<string | undefined> {
    const tab = this.registry.activeTab(visitorKey(visitor))?.tabId;
    if (tab) await this.sendToTab(tab, message);
    return tab;
  }

  async sendToTab(tabId: string, message: ServerMessage): Promise<void> {
    await this.bus.publish(Channels.tab(tabId), JSON.stringify(message));
  }

  /** Followers recompute what to tell their agent (online on any of the agent's sites), so the payload is the
   * visitor's presence on this one site only. */
  private async announce(visitor: VisitorRef): Promise<void> {
    const message: ServerMessage = { type: 'presence', visitorId: visitor.visitorId, online: this.isOnline(visitor) };
    await this.bus.publish(Channels.presence(visitorKey(visitor)), JSON.stringify(message));
  }
}
