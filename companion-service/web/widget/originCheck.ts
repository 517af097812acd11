/* The service opens its socket only to pages of the sites it lists (their origins). On any other page the widget
 * would show a launcher whose calls all fail, so it asks once per tab whether this page may use the service, and if
 * not it tells the site's developer in the browser console and stays out of the visitor's way. */

const REMEMBERED = 'tandem.originAllowed';

/** Whether the service takes sockets from this page. A failed check (service unreachable) counts as allowed: the
 * widget's own connection handling covers outages. */
export async function pageMayUseService(serviceOrigin: string): Promise<boolean> {
  if (window.location.origin === serviceOrigin) return true;
  const remembered = readRemembered();
  if (remembered === serviceOrigin) return true;
  let allowed = true;
  try {
    const response = await fetch(new URL('/api/widget/origin', serviceOrigin), {
      credentials: 'omit',
      cache: 'no-store',
    });
    if (response.ok) allowed = ((await response.json()) as { allowed?: unknown }).allowed !== false;
  } catch {
    return true;
  }
  if (allowed) remember(serviceOrigin);
  else
    console.error(
      `Tandem: this page's origin (${window.location.origin}) is not one of your site's allowed origins on ${serviceOrigin}, ` +
        'so the widget stays hidden. Add it to the site\u2019s allowedOrigins in the Tandem service configuration.',
    );
  return allowed;
}

function readRemembered(): string | null {
  try {
    return window.sessionStorage.getItem(REMEMBERED);
  } catch {
    return null; // storage blocked (privacy settings): ask each time
  }
}

function remember(serviceOrigin: string): void {
  try {
    window.sessionStorage.setItem(REMEMBERED, serviceOrigin);
  } catch {
    // storage blocked: nothing to keep
  }
}
