import { Channels, type Bus } from '../bus/bus';
import type { ServerMessage } from '../protocol/messages';
import { PresenceRegistry } from './presenceRegistry';

/** Presence of logged-in visitors: tabs come and go, agents who follow a visitor get a push when they come online
 * or go offline, and messages can be sent to a visitor's most recently active tab. */
export class PresenceService {
  private readonly registry = new PresenceRegistry();

  constructor(private readonly bus: Bus) {}

  async tabOpened(visitorId: string, tabId: string, now: number): Promise<void> {
    if (this.registry.add(visitorId, tabId, now)) await this.announce(visitorId, true);
  }

  async tabClosed(visitorId: string, tabId: string): Promise<void> {
    if (this.registry.remove(visitorId, tabId)) await this.announce(visitorId, false);
  }

  tabActive(visitorId: string, tabId: string, now: number): void {
    this.registry.touch(visitorId, tabId, now);
  }

  isOnline(visitorId: string): boolean {
    return this.registry.isOnline(visitorId);
  }

  /** Delivers to the tab the visitor used last; returns that tab's id, or undefined when they are offline. */
  async sendToActiveTab(visitorId: string, message: ServerMessage): Promise<string | undefined> {
    const tab = this.registry.activeTab(visitorId);
    if (tab) await this.sendToTab(tab, message);
    return tab;
  }

  async sendToTab(tabId: string, message: ServerMessage): Promise<void> {
    await this.bus.publish(Channels.tab(tabId), JSON.stringify(message));
  }

  private async announce(visitorId: string, online: boolean): Promise<void> {
    const message: ServerMessage = { type: 'presence', visitorId, online };
    await this.bus.publish(Channels.presence(visitorId), JSON.stringify(message));
  }
}
