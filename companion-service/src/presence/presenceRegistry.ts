/** Which logged-in visitors have a tab open, and which of their tabs was active most recently (it gets the terms
 * prompt). State only; the presence plugin turns changes into pushes. */
export class PresenceRegistry {
  private readonly tabs = new Map<string, Map<string, number>>();

  /** Returns true when this tab brought the visitor online. */
  add(visitorId: string, tabId: string, now: number): boolean {
    let tabs = this.tabs.get(visitorId);
    const cameOnline = !tabs || tabs.size === 0;
    if (!tabs) this.tabs.set(visitorId, (tabs = new Map()));
    tabs.set(tabId, now);
    return cameOnline;
  }

  /** Returns true when this was the visitor's last tab. */
  remove(visitorId: string, tabId: string): boolean {
    const tabs = this.tabs.get(visitorId);
    if (!tabs || !tabs.delete(tabId)) return false;
    if (tabs.size > 0) return false;
    this.tabs.delete(visitorId);
    return true;
  }

  touch(visitorId: string, tabId: string, now: number): void {
    const tabs = this.tabs.get(visitorId);
    if (tabs?.has(tabId)) tabs.set(tabId, now);
  }

  isOnline(visitorId: string): boolean {
    return (this.tabs.get(visitorId)?.size ?? 0) > 0;
  }

  /** The tab used most recently; ties go to the one that registered last. */
  activeTab(visitorId: string): string | undefined {
    let best: string | undefined;
    let bestAt = -Infinity;
    for (const [tab, at] of this.tabs.get(visitorId) ?? []) {
      if (at >= bestAt) {
        best = tab;
        bestAt = at;
      }
    }
    return best;
  }
}
