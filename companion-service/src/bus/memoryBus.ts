import type { Bus, BusChannel, BusHandler, BusPayload } from './bus';
import { deliverLocally } from './localDelivery';

/** The in-process bus: delivery is synchronous, so messages keep their order exactly as on one socket.
 *
 * A channel's subscribers are kept in an array: nearly every channel has exactly one (a participant's socket, three
 * channels each), and an array of one costs a fraction of a Set's hash table and needs no iterator per message. */
export class MemoryBus implements Bus {
  private readonly channels = new Map<string, BusHandler[]>();

  /** Not `async`: it runs for every relayed signal, and one shared settled promise costs nothing per message. */
  publish(channel: string, payload: BusPayload): Promise<void> {
    return deliverLocally(this.channels.get(channel), payload);
  }

  channel(name: string): BusChannel {
    return new MemoryChannel(name, this.channels);
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    let handlers = this.channels.get(channel);
    // A new channel's array is made holding its subscriber: `push` onto an empty array reserves 17 slots.
    if (handlers) handlers.push(handler);
    else this.channels.set(channel, (handlers = [handler]));
    let subscribed = true;
    return async () => {
      if (!subscribed) return;
      subscribed = false;
      const at = handlers.indexOf(handler);
      if (at >= 0) handlers.splice(at, 1);
      if (handlers.length === 0 && this.channels.get(channel) === handlers) this.channels.delete(channel);
    };
  }

  /** Every subscriber is in this process already. */
  keepLocal(): void {}

  async close(): Promise<void> {
    // Emptied too, so that a kept channel handle stops delivering.
    for (const handlers of this.channels.values()) handlers.length = 0;
    this.channels.clear();
  }
}

/** Keeps the channel's subscriber array between publishes. An array is dropped from the bus only once it is empty,
 * and subscribers are only ever added to the array the bus holds, so a non-empty kept array is still the current
 * one; an empty (or missing) one is looked up again. */
class MemoryChannel implements BusChannel {
  private handlers: BusHandler[] | undefined;

  constructor(
    readonly name: string,
    private readonly channels: Map<string, BusHandler[]>,
  ) {}

  publish(payload: BusPayload): Promise<void> {
    if (!this.handlers?.length) this.handlers = this.channels.get(this.name);
    return deliverLocally(this.handlers, payload);
  }
}
