import type { BusHandler, BusPayload } from './bus';

/** One settled promise for every delivery that is done: the relay publishes per signal, and this costs nothing. */
export const DELIVERED: Promise<void> = Promise.resolve();

/** Hands a payload to this process's subscribers of a channel, synchronously, in subscription order. A copy of the
 * list when there are several, so a handler that (un)subscribes does not change who gets this payload; a handler's
 * error goes to the publisher. Both buses deliver to their own process this way. */
export function deliverLocally(handlers: BusHandler[] | undefined, payload: BusPayload): Promise<void> {
  if (!handlers?.length) return DELIVERED;
  try {
    if (handlers.length === 1) (handlers[0] as BusHandler)(payload);
    else for (const handler of handlers.slice()) handler(payload);
  } catch (err) {
    return Promise.reject(err);
  }
  return DELIVERED;
}
