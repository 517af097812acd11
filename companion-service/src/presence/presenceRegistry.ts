/** Which logged-in visitors have a tab open, and which of their tabs was active most recently (it gets the terms
 * prompt). Visitors are keyed by their identity, site and visitor id together (tenancy/visitorIdentity.ts). State
 * only; the presence service turns changes into pushes. In this process (below) or in Redis, shared by every
 * instance (redisPresenceRegistry.ts). */
export interface PresenceRegistry {
  /** Returns true when this tab brought the visitor online. */
  add(visitorKey: string, tabId: string, now: number): Promise<boolean>;
  /** Returns true when this was the visitor's last tab. */
  remove(visitorKey: string, tabId: string): Promise<boolean>;
  touch(visitorKey: string, tabId: string, now: number): Promise<void>;
  isOnline(visitorKey: string): Promise<boolean>;
  /** The tab used most recently and when. */
  activeTab(visitorKey: string): Promise<{ tabId: string; at: number } | undefined>;
  /** Visitors whose presence changed other than through add and remove here (an instance holding their tabs
   * stopped, or came back after Redis was away); the service tells their followers. */
  onChange(listener: (visitorKey: string, online: boolean) => void): void;
}

/** The registry of one instance. Ties for the active tab go to the one that registered last. */
export class MemoryPresenceRegistry implements PresenceRegistry {
  private readonly tabs = new Map<string, Map<string, number>>();

  async add(visitorKey: string, tabId: string, now: number): Promise<boolean> {
    let tabs = this.tabs.get(visitorKey);
    const cameOnline = !tabs || tabs.size === 0;
    if (!tabs) this.tabs.set(visitorKey, (tabs = new Map()));
    tabs.set(tabId, now);
    return cameOnline;
  }

  async remove(visitorKey: string, tabId: string): Promise<boolean> {
    const tabs = this.tabs.get(visitorKey);
    if (!tabs || !tabs.delete(tabId)) return false;
    if (tabs.size > 0) return false;
    this.tabs.delete(visitorKey);
    return true;
  }

  async touch(visitorKey: string, tabId: string, now: number): Promise<void> {
    const tabs = this.tabs.get(visitorKey);
    if (tabs?.has(tabId)) tabs.set(tabId, now);
  }

  async isOnline(visitorKey: string): Promise<boolean> {
    return (this.tabs.get(visitorKey)?.size ?? 0) > 0;
  }

  async activeTab(visitorKey: string): Promise<{ tabId: string; at: number } | undefined> {
    return latestTab(this.tabs.get(visitorKey) ?? []);
  }

  /** Nothing changes here but through add and remove. */
  onChange(): void {}
}

/** The tab used most recently; ties go to the last one listed. */
export function latestTab(tabs: Iterable<[string, number]>): { tabId: string; at: number } | undefined {
  let best: { tabId: string; at: number } | undefined;
  for (const [tabId, at] of tabs) {
    if (!best || at >= best.at) best = { tabId, at };
  }
  return best;
}
