/** Which connection speaks for each participant whose socket is on this instance. */
export class ParticipantSockets {
  private readonly bindings = new Map<string, string>();

  /** Marks which connection speaks for the participant. Returns the connection it replaced, if any. */
  bind(participantId: string, connectionId: string): string | undefined {
    const previous = this.bindings.get(participantId);
    this.bindings.set(participantId, connectionId);
    return previous !== connectionId ? previous : undefined;
  }

  /** Whether that connection spoke for the participant; if so, it no longer does. */
  unbind(participantId: string, connectionId: string): boolean {
    if (this.bindings.get(participantId) !== connectionId) return false;
    this.bindings.delete(participantId);
    return true;
  }

  /** The connection here that speaks for the participant, if any. */
  connectionOf(participantId: string): string | undefined {
    return this.bindings.get(participantId);
  }

  /** Whether a socket here speaks for the participant. */
  has(participantId: string): boolean {
    return this.bindings.has(participantId);
  }

  /** The participants with a socket here. */
  participants(): IterableIterator<string> {
    return this.bindings.keys();
  }

  /** The participant is gone from their session. */
  forget(participantId: string): void {
    this.bindings.delete(participantId);
  }
}
