import type { VisitorDevice } from '../protocol/messages';

/** The device a visitor's socket was opened on, as the server saw it (User-Agent), for the agents' Customer Info. In
 * this process, or in Redis when sessions are shared (redisVisitorDevices.ts): the agent may be on another instance. */
export interface VisitorDevices {
  set(sessionId: string, participantId: string, device: VisitorDevice): Promise<void>;
  get(sessionId: string, participantId: string): Promise<VisitorDevice | undefined>;
  /** The participant is gone from their session. */
  forget(participantId: string): void;
}

export class MemoryVisitorDevices implements VisitorDevices {
  private readonly devices = new Map<string, VisitorDevice>();

  async set(_sessionId: string, participantId: string, device: VisitorDevice): Promise<void> {
    this.devices.set(participantId, device);
  }

  async get(_sessionId: string, participantId: string): Promise<VisitorDevice | undefined> {
    return this.devices.get(participantId);
  }

  forget(participantId: string): void {
    this.devices.delete(participantId);
  }
}
