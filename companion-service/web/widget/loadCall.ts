import { loadServiceScript, prefetchServiceScript } from '../shared/serviceScript';
import { CALL_ABI, CALL_GLOBAL, MANIFEST_PATH, type CallEntry, type WidgetManifest } from './callLink';

/* Loads the call chunk (everything a call needs: its screens, WebRTC, the session) into the page, once.
 *
 * The loader knows its own chunk by name: the build writes the chunk's content-hashed path into widget.js. That
 * chunk can be missing when the page loaded widget.js before a deploy and the call starts after it, on a service
 * whose directory no longer holds it (each build keeps the chunks of earlier builds for 30 days, but a fresh
 * directory, e.g. a new container image, has only its own). Then the loader asks the service for its current
 * manifest (widget-manifest.json, never cached) and loads the chunk it names, if it speaks the same ABI
 * (callLink.ts); otherwise the call cannot start in this page until it is reloaded. */

let loading: Promise<CallEntry> | undefined;

/** Downloads the call chunk into the browser's cache without running it: for an identified visitor, who may get an
 * invitation at any time, so that the terms prompt does not wait for a download then. */
export function prefetchCall(serviceOrigin: string, chunk: string): void {
  prefetchServiceScript(new URL(chunk, serviceOrigin).toString());
}

export function loadCall(serviceOrigin: string, ownChunk: string): Promise<CallEntry> {
  loading ??= loadChunk(serviceOrigin, ownChunk)
    .catch(async () => {
      const current = await currentChunk(serviceOrigin);
      if (!current || current === ownChunk) throw new Error('the call chunk could not be loaded');
      return loadChunk(serviceOrigin, current);
    })
    .catch((err: unknown) => {
      loading = undefined; // a later press tries again
      throw err;
    });
  return loading;
}

function loadChunk(serviceOrigin: string, chunk: string): Promise<CallEntry> {
  return loadServiceScript(new URL(chunk, serviceOrigin).toString(), serviceOrigin, 'the call chunk', () => {
    const entry = (window as unknown as Record<string, CallEntry | undefined>)[CALL_GLOBAL];
    return entry?.abi === CALL_ABI ? entry : undefined;
  });
}

/** The current build's call chunk, when it speaks our ABI. */
async function currentChunk(serviceOrigin: string): Promise<string | undefined> {
  const response = await fetch(new URL(MANIFEST_PATH, serviceOrigin), { credentials: 'omit', cache: 'no-store' });
  if (!response.ok) return undefined;
  const manifest = (await response.json()) as Partial<WidgetManifest>;
  const call = manifest.chunks?.call;
  // A path on the service (never another origin), as the build writes it.
  return manifest.abi === CALL_ABI && typeof call === 'string' && /^\/assets\/[\w.-]+\.js$/.test(call)
    ? call
    : undefined;
}
