/* Which instance answered, behind a load balancer: the random part of the instance's id in Redis (the part after the
 * last colon of `instances` entries and of the `instance` field in its logs), on /healthz, /readyz and every
 * WebSocket upgrade. It names no host, address or process, and is new at each start. Only with Redis: a single
 * instance has nothing to tell apart. */

export const INSTANCE_HEADER = 'x-tandem-instance';

export function instanceTag(instanceId: string): string {
  return instanceId.slice(instanceId.lastIndexOf(':') + 1);
}
