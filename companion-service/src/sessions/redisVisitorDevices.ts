import type { VisitorDevice } from '../protocol/messages';
import type { RedisConnections } from '../redis/connections';
import { needRedis } from '../redis/unavailable';
import type { VisitorDevices } from './visitorDevices';

/** How long a visitor's device is kept: well past any call; a departed visitor's is not deleted, it expires. */
const DEVICE_TTL_SECONDS = 24 * 3600;

/** Visitors' devices in Redis (`visitor-device:<participant>`): the agent's instance reads what the visitor's wrote. */
export class RedisVisitorDevices implements VisitorDevices {
  constructor(private readonly redis: RedisConnections) {}

  async set(_sessionId: string, participantId: string, device: VisitorDevice): Promise<void> {
    await needRedis("the visitor's device cannot be kept", () =>
      this.redis.commands.set(this.key(participantId), JSON.stringify(device), 'EX', DEVICE_TTL_SECONDS),
    );
  }

  async get(_sessionId: string, participantId: string): Promise<VisitorDevice | undefined> {
    const found = await needRedis("the visitor's device cannot be read", () =>
      this.redis.commands.get(this.key(participantId)),
    );
    return found === null ? undefined : (JSON.parse(found) as VisitorDevice);
  }

  forget(): void {}

  private key(participantId: string): string {
    return this.redis.key('visitor-device', participantId);
  }
}
