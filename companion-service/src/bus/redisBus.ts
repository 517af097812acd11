import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Bus, BusChannel, BusHandler, BusPayload } from './bus';
import { DELIVERED, deliverLocally } from './localDelivery';

/* The bus across instances, on Redis pub/sub. This process's own subscribers get a message at once and in the
 * publisher's call, exactly as on the in-process bus; the other instances get it through Redis. Redis keeps the
 * order of one connection's publishes, and each instance publishes on one connection, so a subscriber anywhere gets a
 * channel's messages from one instance in the order they were published (there is no order between instances).
 *
 * Each message carries a header: whether it was text or bytes (handed on as it came), and which bus sent it (its own
 * messages come back from Redis to a bus that also subscribes to the channel: it has delivered them already).
 *
 * A channel kept local (`keepLocal`: its only follower anywhere is here, e.g. a participant's socket held by this
 * instance) is delivered here without a PUBLISH while it has a subscriber here: two members of a call on one instance
 * relay as fast as on the in-process bus. Without a subscriber here it is published as any other (whoever follows it
 * now is elsewhere).
 *
 * One SUBSCRIBE per channel however many local subscribers it has (counted by the handler list), on one connection.
 *
 * While Redis is away the bus works as the in-process one: publishing delivers here and resolves, and the copies for
 * other instances are dropped (counted and logged), not queued, since late signaling is worse than none; subscribing
 * takes effect here at once. When Redis is back, every channel with a subscriber here is subscribed again. */

const TEXT = 0x74; // 't'
const BYTES = 0x62; // 'b'
const ORIGIN_BYTES = 8;
const HEADER_BYTES = 1 + ORIGIN_BYTES;
/** Channels per SUBSCRIBE when subscribing again after an outage. */
const RESUBSCRIBE_BATCH = 1000;
const NOOP = (): void => undefined;

export class RedisBus implements Bus {
  private readonly handlers = new Map<string, BusHandler[]>();
  /** Channels with a SUBSCRIBE sent on the current connection, with its outcome. */
  private readonly subscribed = new Map<string, Promise<void>>();
  private readonly local = new Set<string>();
  private readonly origin = randomBytes(ORIGIN_BYTES);
  private readonly prefix: string;
  private dropped = 0;
  private closed = false;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    keyPrefix: string,
    private readonly log: FastifyBaseLogger,
  ) {
    this.prefix = `${keyPrefix}bus:`;
    subscriber.on('messageBuffer', this.onMessage);
    // The connection's subscriptions went with it.
    subscriber.on('close', () => this.subscribed.clear());
    subscriber.on('ready', () => this.resubscribe());
  }

  publish(channel: string, payload: BusPayload): Promise<void> {
    return this.send(channel, Buffer.from(this.prefix + channel), payload);
  }

  channel(name: string): BusChannel {
    const redisName = Buffer.from(this.prefix + name);
    return { name, publish: (payload) => this.send(name, redisName, payload) };
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    let list = this.handlers.get(channel);
    if (list) list.push(handler);
    else this.handlers.set(channel, (list = [handler]));
    // Failing or unsent (Redis away), the subscription still holds here and is sent again once Redis is back.
    await (this.subscribed.get(channel) ?? this.sendSubscribe([channel]));
    let subscribed = true;
    return async () => {
      if (!subscribed) return;
      subscribed = false;
      const at = list.indexOf(handler);
      if (at >= 0) list.splice(at, 1);
      if (list.length > 0 || this.handlers.get(channel) !== list) return;
      this.handlers.delete(channel);
      if (!this.subscribed.delete(channel)) return;
      // Unanswered, the channel's messages keep coming to a subscription nobody holds, and are ignored.
      await this.subscriber.unsubscribe(this.prefix + channel).then(NOOP, NOOP);
    };
  }

  keepLocal(channel: string, local: boolean): void {
    if (local) this.local.add(channel);
    else this.local.delete(channel);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.local.clear();
    this.subscriber.off('messageBuffer', this.onMessage);
    for (const list of this.handlers.values()) list.length = 0;
    this.handlers.clear();
    this.subscribed.clear();
  }

  private send(channel: string, redisName: Buffer, payload: BusPayload): Promise<void> {
    if (this.closed) return Promise.resolve();
    const handlers = this.handlers.get(channel);
    if (handlers?.length && this.local.has(channel)) return deliverLocally(handlers, payload);
    const text = typeof payload === 'string';
    const size = text ? Buffer.byteLength(payload) : payload.length;
    const message = Buffer.allocUnsafe(HEADER_BYTES + size);
    message[0] = text ? TEXT : BYTES;
    this.origin.copy(message, 1);
    if (text) message.write(payload, HEADER_BYTES);
    else payload.copy(message, HEADER_BYTES);
    if (this.publisher.status === 'ready') this.publisher.publish(redisName, message).catch(this.onDropped);
    else this.onDropped();
    return deliverLocally(handlers, payload);
  }

  private readonly onDropped = (): void => {
    if (this.dropped++ === 0)
      this.log.warn('Redis is unreachable: bus messages reach this instance only until it is back');
  };

  private readonly onMessage = (redisName: Buffer, message: Buffer): void => {
    if (message.length < HEADER_BYTES || message.compare(this.origin, 0, ORIGIN_BYTES, 1, HEADER_BYTES) === 0) return;
    const list = this.handlers.get(redisName.toString().slice(this.prefix.length));
    if (!list?.length) return;
    const bytes = message.subarray(HEADER_BYTES);
    const payload = message[0] === TEXT ? bytes.toString() : bytes;
    deliverLocally(list, payload).catch((err: unknown) => this.log.error({ err }, 'bus subscriber failed'));
  };

  private resubscribe(): void {
    if (this.closed) return;
    if (this.dropped > 0)
      this.log.warn(
        { dropped: this.dropped },
        'Redis is back: bus messages for other instances were dropped meanwhile',
      );
    this.dropped = 0;
    const channels = [...this.handlers.keys()].filter((c) => !this.subscribed.has(c));
    for (let i = 0; i < channels.length; i += RESUBSCRIBE_BATCH)
      void this.sendSubscribe(channels.slice(i, i + RESUBSCRIBE_BATCH));
  }

  /** Settles once Redis answered (or failed to); a failed SUBSCRIBE is forgotten so the next subscriber (or the next
   * reconnect) sends it again. Nothing is sent while the connection is down. */
  private sendSubscribe(channels: string[]): Promise<void> {
    if (this.subscriber.status !== 'ready') return DELIVERED;
    const sent: Promise<void> = this.subscriber.subscribe(...channels.map((c) => this.prefix + c)).then(NOOP, () => {
      for (const channel of channels) if (this.subscribed.get(channel) === sent) this.subscribed.delete(channel);
    });
    for (const channel of channels) this.subscribed.set(channel, sent);
    return sent;
  }
}
