/** Which logged-in visitors have a tab open, and which of their tabs was active most recently (it gets the terms
 * prompt). Visitors are keyed by their identity, site and visitor id together (tenancy/visitorIdentity.ts). State
 * only; the presence plugin turns changes into pushes. */
export class PresenceRegistry {
  private readonly tabs = new Map<string, Map<string, number>>();

  /** Returns true when this tab brought the visitor online. */
  add(visitorKey: string, tabId: string, now: number): boolean {
    let tabs = this.tabs.get(visitorKey);
    const cameOnline = !tabs || tabs.size === 0;
    if (!tabs) this.tabs.set(visitorKey, (tabs = new Map()));
    tabs.set(tabId, now);
    return cameOnline;
  }

  /** Returns true when this was the visitor's last tab. */
  remove(visitorKey: string, tabId: string): boolean {
    const tabs = this.tabs.get(visitorKey);
    if (!tabs || !tabs.delete(tabId)) return false;
    if (tabs.size > 0) return false;
    this.tabs.delete(visitorKey);
    return true;
  }

  touch(visitorKey: string, tabId: string, now: number): void {
    const tabs = this.tabs.get(visitorKey);
    if (tabs?.has(tabId)) tabs.set(tabId, now);
  }

  isOnline(visitorKey: string): boolean {
    return (this.tabs.get(visitorKey)?.size ?? 0) > 0;
  }

  /** The tab used most recently and when; ties go to the one that registered last. */
  activeTab(visitorKey: string): { tabId: string; at: number } | undefined {
    let best: { tabId: string; at: number } | undefined;
    for (const [tabId, at] of this.tabs.get(visitorKey) ?? []) {
      if (!best || at >= best.at) best = { tabId, at };
    }
    return best;
  }
}
