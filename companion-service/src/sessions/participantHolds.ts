/** Which instance holds each participant's socket, for the others: in a shared deployment (redisParticipantHolds.ts)
 * a participant who resumes elsewhere has their old socket closed as replaced, a stale socket's close or a dead
 * instance's clean-up does not mark them away once they are back elsewhere, and a dead instance's participants are
 * marked away by another. Alone, this process's own bindings (participantSockets.ts) say it all. */
export interface ParticipantHolds {
  /** This instance in a shared deployment; null alone. */
  readonly instance: string | null;
  /** A socket here speaks for the participant now (their join or resume took effect). */
  hold(participantId: string): Promise<void>;
  /** No socket here speaks for them any more. */
  letGo(participantId: string): Promise<void>;
  /** Something about a socket that went could not be done now (Redis away): redo it when Redis is back. */
  retryLater(): void;
}

export const NO_HOLDS: ParticipantHolds = {
  instance: null,
  hold: async () => undefined,
  letGo: async () => undefined,
  retryLater: () => undefined,
};
