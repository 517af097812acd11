import type { Bus, BusChannel, BusHandler, BusPayload } from './bus';

const DELIVERED: Promise<void> = Promise.resolve();

function deliver(handlers: Set<BusHandler> | undefined, payload: BusPayload): Promise<void> {
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

/** The in-process bus: delivery is synchronous, so messages keep their order exactly as on one socket. */
export class MemoryBus implements Bus {
  private readonly channels = new Map<string, Set<BusHandler>>();

  /** Not `async`: it runs for every relayed signal, and one shared settled promise costs nothing per message. */
  publish(channel: string, payload: BusPayload): Promise<void> {
    return deliver(this.channels.get(channel), payload);
  }

  channel(name: string): BusChannel {
    return new MemoryChannel(name, this.channels);
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
    // Emptied too, so that a kept channel handle stops delivering.
    for (const handlers of this.channels.values()) handlers.clear();
    this.channels.clear();
  }
}

/** Keeps the channel's handler set between publishes. A set is dropped from the bus only once it is empty, and
 * subscribers are only ever added to the set the bus holds, so a non-empty kept set is still the current one; an
 * empty (or missing) one is looked up again. */
class MemoryChannel implements BusChannel {
  private handlers: Set<BusHandler> | undefined;

  constructor(
    readonly name: string,
    private readonly channels: Map<string, Set<BusHandler>>,
  ) {}

  publish(payload: BusPayload): Promise<void> {
    if (!this.handlers?.size) this.handlers = this.channels.get(this.name);
    return deliver(this.handlers, payload);
  }
}
