import { loadServiceScript } from '../shared/serviceScript';
import { REPLAYER_ABI, REPLAYER_GLOBAL, type ReplayerClass, type ReplayerEntry } from './replayerLink';

/* Loads the live view's replay chunk into the console, once. It is not part of console.js, so that the console's side
 * of the call starts sooner; the console asks for it as it joins, while the customer's page prepares its first
 * snapshot. A failed load is tried again on the next call. */

/** The chunk's path on the service, written by the build (scripts/build-web.mjs). */
declare const __TANDEM_REPLAYER_CHUNK__: string;

export function loadReplayer(): Promise<ReplayerClass> {
  const origin = window.location.origin;
  return loadServiceScript(new URL(__TANDEM_REPLAYER_CHUNK__, origin).toString(), origin, 'the live view', () => {
    const entry = (window as unknown as Record<string, ReplayerEntry | undefined>)[REPLAYER_GLOBAL];
    return entry?.abi === REPLAYER_ABI ? entry.Replayer : undefined;
  });
}
