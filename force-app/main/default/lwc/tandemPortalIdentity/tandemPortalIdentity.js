import { LightningElement } from 'lwc';
import getVisitorToken from '@salesforce/apex/TandemPortalController.getVisitorToken';

/** Name of the DOM event that carries the visitor token to the page's Tandem snippet (docs/admin-install.md). */
export const IDENTIFY_EVENT = 'tandem-identify';
/** A fresh token is fetched this long before the current one expires. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const MIN_REFRESH_MS = 30 * 1000;

/**
 * Renders nothing. For a logged-in portal user it asks Apex for a visitor token (signed by the Tandem service for
 * the user's contact) and hands it to the widget: directly through window.Tandem.identify when the widget is
 * reachable, and always as a `tandem-identify` event that the head-markup snippet forwards to the widget.
 */
export default class TandemPortalIdentity extends LightningElement {
    refreshTimer;
    disconnected = false;

    connectedCallback() {
        this.disconnected = false;
        this.identify();
    }

    disconnectedCallback() {
        this.disconnected = true;
        clearTimeout(this.refreshTimer);
        this.refreshTimer = undefined;
    }

    async identify() {
        let visitor;
        try {
            visitor = await getVisitorToken();
        } catch {
            // The page works without Tandem presence; the next page load tries again.
            return;
        }
        if (this.disconnected || !visitor || !visitor.token) {
            return;
        }
        this.handOver(visitor.token);
        if (visitor.expiresAt) {
            const wait = Math.max(MIN_REFRESH_MS, visitor.expiresAt - Date.now() - REFRESH_MARGIN_MS);
            // eslint-disable-next-line @lwc/lwc/no-async-operation
            this.refreshTimer = setTimeout(() => this.identify(), wait);
        }
    }

    handOver(token) {
        const tandem = window.Tandem;
        if (tandem && typeof tandem.identify === 'function') {
            tandem.identify(token);
            return;
        }
        this.dispatchEvent(new CustomEvent(IDENTIFY_EVENT, { bubbles: true, composed: true, detail: { token } }));
    }
}
