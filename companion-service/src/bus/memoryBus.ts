import type { Bus, BusHandler, BusPayload } from './bus';

const DELIVERED: Promise<void> = Promise.resolve();

/** The in-process bus: delivery is synchronous, so messages keep their order exactly as on one socket. */
export class MemoryBus implements Bus {
  private readonly channels = new Map<string, Set<BusHandler>>();

  /** Not `async`: it runs for every relayed signal, and one shared settled promise costs nothing per message. */
  publish(channel: string, payload: BusPayload): Promise<void> {
    const handlers = this.channels.get(channel);
    if (!handlers) return DELIVERED;
    try {
      // A copy when there are several, so a handler that (un)subscribes does not change who gets this payload.
      if (handlers.size === 1) (handlers.values().next().value as BusHandler)(payload);
      else for (const handler of [...handlers]) handler(payload);
    } catch (err) {
      return Promise.reject(err);
    }
    return DELIVERED;
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
