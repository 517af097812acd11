import type { Bus } from '../bus/bus';
import type { Store } from '../store/store';
import type { ServiceMetrics } from './serviceMetrics';

/** The store with every call timed (tandem_store_seconds by operation); behaviour unchanged. */
export function timedStore(store: Store, metrics: ServiceMetrics): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        const done = metrics.timeStore(property);
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) return result.finally(done);
        done();
        return result;
      };
    },
  });
}

/** The bus with publishing timed (tandem_bus_publish_seconds). Channels handed out for the relay are not wrapped:
 * the relay's signals are counted instead, so its hot path gains nothing. */
export function timedBus(bus: Bus, metrics: ServiceMetrics): Bus {
  return {
    publish: (channel, payload) => {
      const done = metrics.timeBus();
      return bus.publish(channel, payload).finally(done);
    },
    channel: (name) => bus.channel(name),
    subscribe: (channel, handler) => bus.subscribe(channel, handler),
    keepLocal: (channel, local) => bus.keepLocal(channel, local),
    close: () => bus.close(),
  };
}
