import { loadServiceScript } from '../serviceScript';
import { BLUR_ABI, BLUR_GLOBAL, type BlurEntry } from './blurLink';

/* Loads the background-blur chunk into the page, once, the first time someone turns blur on; the page's own bundle
 * only knows its path (written by the build). A failed load is tried again on the next attempt. */

/** The chunk's path on the service, written by the build (scripts/build-web.mjs). */
declare const __TANDEM_BLUR_CHUNK__: string;

export function loadBlur(serviceOrigin: string): Promise<BlurEntry> {
  return loadServiceScript(
    new URL(__TANDEM_BLUR_CHUNK__, serviceOrigin).toString(),
    serviceOrigin,
    'the background blur',
    () => {
      const entry = (window as unknown as Record<string, BlurEntry | undefined>)[BLUR_GLOBAL];
      return entry?.abi === BLUR_ABI ? entry : undefined;
    },
  );
}
