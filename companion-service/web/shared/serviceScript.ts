/* Adds one of the service's own scripts (a content-hashed file under /assets/: the call chunk, the recorder, the blur
 * chunk and its runtime) to the page, for the code that loads them on demand.
 *
 * A customer's page may enforce Trusted Types (`require-trusted-types-for 'script'` in its Content-Security-Policy),
 * where setting a script's src to a plain string throws. The widget then asks for a Trusted Types policy of its own,
 * named `tandem`, which the page's `trusted-types` directive must list (widget README). The policy approves only
 * the service's /assets/ files, so it opens nothing else to the page's other scripts. It is made once per page and
 * shared by the widget's scripts (the loader, the call chunk and the blur chunk are separate bundles, and a second
 * policy of the same name is refused unless the page allows duplicates). */

export const TRUSTED_TYPES_POLICY_NAME = 'tandem';

interface ScriptUrlPolicy {
  createScriptURL(url: string): unknown;
}
interface TrustedTypesFactory {
  createPolicy(name: string, rules: { createScriptURL(url: string): string }): ScriptUrlPolicy;
}

const SHARED_POLICY = Symbol.for('tandem.trustedTypesPolicy');

/** The page's Tandem policy, made on first use; undefined without Trusted Types, or when the page refuses the name
 * (then only a page that does not enforce Trusted Types lets the script load). */
function scriptUrlPolicy(serviceOrigin: string): ScriptUrlPolicy | undefined {
  const factory = (window as unknown as { trustedTypes?: TrustedTypesFactory }).trustedTypes;
  if (!factory) return undefined;
  const holder = window as unknown as Record<symbol, ScriptUrlPolicy | undefined>;
  if (holder[SHARED_POLICY]) return holder[SHARED_POLICY];
  try {
    const policy = factory.createPolicy(TRUSTED_TYPES_POLICY_NAME, {
      createScriptURL: (url) => {
        const parsed = new URL(url);
        if (parsed.origin !== serviceOrigin || !parsed.pathname.startsWith('/assets/'))
          throw new TypeError(`Tandem's policy only approves the service's own scripts, not ${url}`);
        return parsed.href;
      },
    });
    Object.defineProperty(window, SHARED_POLICY, { value: policy });
    return policy;
  } catch {
    return undefined;
  }
}

/** Adds the script and settles once it has run (or could not be loaded: then the element is taken out again). */
function addServiceScript(url: string, serviceOrigin: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    try {
      const policy = scriptUrlPolicy(serviceOrigin);
      script.src = (policy ? policy.createScriptURL(url) : url) as string;
    } catch {
      console.error(
        `Tandem: this page enforces Trusted Types and did not let the widget load ${url}. ` +
          `Add ${TRUSTED_TYPES_POLICY_NAME} to the page's trusted-types directive (Content-Security-Policy).`,
      );
      reject(new Error('the page did not let the widget load its script'));
      return;
    }
    script.async = true;
    script.onload = () => resolve();
    script.onerror = () => {
      script.remove();
      reject(new Error(`${url} could not be downloaded`));
    };
    (document.head ?? document.documentElement).append(script);
  });
}

/** Loads under way or done, by URL: however many callers ask at once, a script is added once; a failed load is
 * forgotten, so that the next call tries again. */
const loads = new Map<string, Promise<unknown>>();

/** Scripts downloaded ahead of need (prefetchServiceScript), by URL. */
const prefetched = new Set<string>();

/** Downloads one of the service's scripts into the browser's cache without running it, once, so that loading it later
 * does not wait for the network. A plain fetch, as the page's Content Security Policy must let the widget connect to
 * the service anyway (its socket); the request is the one the script element makes (no-cors, with credentials), so
 * the element finds the response in the cache. The service's scripts are content-hashed and immutable: downloaded
 * once per deploy, not per page. A failed download is forgotten, so that a later call tries again. */
export function prefetchServiceScript(url: string): void {
  if (loads.has(url) || prefetched.has(url)) return;
  prefetched.add(url);
  fetch(url, { mode: 'no-cors', credentials: 'include' })
    .then((response) => response.blob())
    .catch(() => prefetched.delete(url));
}

/** Loads one of the service's scripts once and returns what it leaves on the page: `entry()` reads it (undefined while
 * it is missing, or when what is there is not what this page's code speaks). `what` names the script in errors. */
export function loadServiceScript<T>(
  url: string,
  serviceOrigin: string,
  what: string,
  entry: () => T | undefined,
): Promise<T> {
  const existing = entry();
  if (existing !== undefined) return Promise.resolve(existing);
  let load = loads.get(url) as Promise<T> | undefined;
  if (!load) {
    load = addServiceScript(url, serviceOrigin).then(
      () => {
        const loaded = entry();
        if (loaded === undefined) throw new Error(`${what} does not match this page`);
        return loaded;
      },
      () => {
        throw new Error(`${what} could not be loaded`);
      },
    );
    loads.set(url, load);
    load.catch(() => loads.delete(url));
  }
  return load;
}
