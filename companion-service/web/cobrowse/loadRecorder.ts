import { loadServiceScript, prefetchServiceScript } from '../shared/serviceScript';
import type { startVisitorCobrowse } from './visitorCobrowse';

type Entry = { startVisitorCobrowse: typeof startVisitorCobrowse };

/** The recorder of this build, content-hashed (written in by the build: scripts/build-web.mjs). */
declare const __TANDEM_RECORDER_CHUNK__: string;

const recorderUrl = (serviceOrigin: string) => new URL(__TANDEM_RECORDER_CHUNK__, serviceOrigin).toString();

/** Loads the recorder from the service on first use (the widget itself stays small and recorder-free). */
export function loadRecorder(serviceOrigin: string): Promise<Entry> {
  return loadServiceScript(
    recorderUrl(serviceOrigin),
    serviceOrigin,
    'the cobrowse recorder',
    () => (window as unknown as { __tandemCobrowse?: Entry }).__tandemCobrowse,
  );
}

/** Downloads the recorder without running it, for a page that will share soon (loadRecorder then takes it from the
 * browser's cache). */
export function prefetchRecorder(serviceOrigin: string): void {
  prefetchServiceScript(recorderUrl(serviceOrigin));
}
