import { WIDGET_HOST_ID } from '../shared/ownHosts';
import { LAUNCHER_CSS } from './styles';

/* The widget's home on the host page: one element with an open shadow root. The host page's CSS can't select
 * anything inside it; the few properties that do apply to the host element itself are reset with !important in
 * `:host`, which beats the page's own !important rules (inner context wins for important declarations). When the
 * browser supports it, the host is shown as a manual popover, in the top layer: above every z-index, and
 * positioned against the viewport even if the page transforms or clips its body. */

export function createHost(): { host: HTMLElement; root: ShadowRoot } | undefined {
  if (document.getElementById(WIDGET_HOST_ID)) return undefined;
  const host = document.createElement('div');
  host.id = WIDGET_HOST_ID;
  const root = host.attachShadow({ mode: 'open' });
  addStyles(root, LAUNCHER_CSS);
  (document.body ?? document.documentElement).append(host);
  promoteToTopLayer(host);
  return { host, root };
}

/** Adds a stylesheet to the shadow root (the launcher's at mount, the call's when its chunk loads). Constructable
 * stylesheets are not "inline styles" for a Content Security Policy; older browsers get <style>. */
export function addStyles(root: ShadowRoot, css: string): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    const style = document.createElement('style');
    style.textContent = css;
    root.append(style);
  }
}

function promoteToTopLayer(host: HTMLElement): void {
  if (typeof host.showPopover !== 'function') return;
  host.setAttribute('popover', 'manual');
  try {
    host.showPopover();
  } catch {
    host.removeAttribute('popover');
  }
}
