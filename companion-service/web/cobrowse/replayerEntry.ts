import { Replayer } from '@rrweb/replay';
import { REPLAYER_ABI, REPLAYER_GLOBAL, type ReplayerEntry } from './replayerLink';

/* The live view's replay chunk (rrweb's Replayer, about half of what the console would otherwise load before it can
 * answer the customer's call), loaded by the console once it has joined (loadReplayer.ts). */

const entry: ReplayerEntry = { abi: REPLAYER_ABI, Replayer };
(window as unknown as Record<string, ReplayerEntry>)[REPLAYER_GLOBAL] = entry;
