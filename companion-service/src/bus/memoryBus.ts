import type { Bus, BusHandler } from './bus';

/** The in-process bus: delivery is synchronous, so messages keep their order exactly as on one socket. */
export class MemoryBus implements Bus {
  private readonly channels = new Map<string, Set<BusHandler>>();

  async publish(channel: string, payload: string): Promise<void> {
    const handlers = this.channels.get(channel);
    if (!handlers) return;
    for (const handler of [...handlers]) handler(payload);
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    let handlers = this.channels.get(channel);
    if (!handlers) this.channels.set(channel, (handlers = new Set()));
    handlers.add(handler);
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0 && this.channels.get(channel) === handlers) this.channels.delete(channel);
    };
  }

  async close(): Promise<void> {
    this.channels.clear();
  }
}
