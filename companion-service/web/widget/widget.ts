import { installChangeGuard, type ChangeGuard } from './earlyChangeGuard';
import { WidgetFrame } from './frame';
import { createHost } from './host';
import { WidgetLoader } from './loader';
import { pageMayUseService } from './originCheck';
import { pageAllowsCalls } from './pagePermissions';

/* The visitor widget: one <script src=".../widget.js" defer> on the customer's page. This script is the loader: the
 * launcher and 1-click presence (loader.ts); the rest comes in the call chunk when a call needs it (call.ts).
 *
 * Anyone can start a call with a code (the launcher). For 1-click connect, the site tells the widget who its
 * logged-in visitor is, with the visitor token its server obtained from the service, either on the script tag
 *   <script src=".../widget.js" data-visitor-token="..." defer></script>
 * or later (e.g. after the visitor signs in) with
 *   window.Tandem.identify(token)
 * and window.Tandem.forget() when they sign out.
 */

export interface TandemApi {
  /** Puts this tab online for 1-click connect as the visitor the token names. */
  identify(visitorToken: string): void;
  /** Takes this tab offline again (the visitor signed out). */
  forget(): void;
}

declare global {
  interface Window {
    Tandem?: TandemApi;
  }
}

/** The call chunk's path on the service, content-hashed: written in by the build (scripts/build-web.mjs). */
declare const __TANDEM_CALL_CHUNK__: string;

const script = document.currentScript as HTMLScriptElement | null;
const serviceOrigin = new URL(script?.src || window.location.href).origin;

let widget: WidgetLoader | undefined;
let changeGuard: ChangeGuard | undefined;
let pendingToken = script?.dataset.visitorToken?.trim() || undefined;

function identify(visitorToken: string): void {
  if (typeof visitorToken !== 'string' || visitorToken.trim().length < 16) {
    console.warn('Tandem.identify: expected the visitor token issued by your site\u2019s server.');
    return;
  }
  if (widget) widget.identify(visitorToken.trim());
  else pendingToken = visitorToken.trim();
}

function forget(): void {
  pendingToken = undefined;
  widget?.forget();
}

async function mount(): Promise<void> {
  if (!pageAllowsCalls() || !(await pageMayUseService(serviceOrigin))) return;
  const created = createHost();
  if (!created) return;
  widget = new WidgetLoader(new WidgetFrame(created.root), serviceOrigin, changeGuard, __TANDEM_CALL_CHUNK__);
  if (pendingToken) widget.identify(pendingToken);
  pendingToken = undefined;
}

// The script may be included twice (a tag manager and the page template): the first copy wins.
if (typeof window.Tandem?.identify !== 'function') {
  window.Tandem = { identify, forget };
  changeGuard = installChangeGuard(window);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => void mount());
  else void mount();
}
