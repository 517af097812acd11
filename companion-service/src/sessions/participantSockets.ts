import type { VisitorDevice } from '../protocol/messages';

/** Which connection speaks for each participant (a stale socket's close must not mark them away), and the device the
 * visitor's socket was opened on, as the server saw it (User-Agent), for Customer Info. */
export class ParticipantSockets {
  private readonly bindings = new Map<string, string>();
  private readonly devices = new Map<string, VisitorDevice>();

  /** Marks which connection speaks for the participant. Returns the connection it replaced, if any. */
  bind(participantId: string, connectionId: string): string | undefined {
    const previous = this.bindings.get(participantId);
    this.bindings.set(participantId, connectionId);
    return previous !== connectionId ? previous : undefined;
  }

  unbind(participantId: string, connectionId: string): void {
    if (this.bindings.get(participantId) === connectionId) this.bindings.delete(participantId);
  }

  /** Whether this is the participant's current connection; if so, it no longer is. */
  release(participantId: string, connectionId: string): boolean {
    if (this.bindings.get(participantId) !== connectionId) return false;
    this.bindings.delete(participantId);
    return true;
  }

  setDevice(participantId: string, device: VisitorDevice): void {
    this.devices.set(participantId, device);
  }

  deviceOf(participantId: string): VisitorDevice | undefined {
    return this.devices.get(participantId);
  }

  /** The participant is gone from their session. */
  forget(participantId: string): void {
    this.bindings.delete(participantId);
    this.devices.delete(participantId);
  }
}
