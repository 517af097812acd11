import type { Replayer } from '@rrweb/replay';

/* What the live view's replay chunk (replayerEntry.ts, built as assets/console-replayer-<hash>.js) hands the console
 * that loads it (loadReplayer.ts): rrweb's Replayer, through a global. Kept apart from both, so that neither bundle
 * carries the other. */

export type ReplayerClass = typeof Replayer;

/** Raised when the chunk and the console that loads it stop speaking the same entry. */
export const REPLAYER_ABI = 1;

export const REPLAYER_GLOBAL = '__tandemReplayer';

export interface ReplayerEntry {
  readonly abi: number;
  readonly Replayer: ReplayerClass;
}
