import { EndReason, ErrorCode } from '../../src/protocol/codes';
import type { DemoCustomer, ErrorBody, InvitationResponse } from '../../src/protocol/http';
import { consoleUrl, isConsoleEnded } from '../shared/consoleHandoff';
import { el } from '../shared/dom';
import { SignalingClient, socketUrl } from '../shared/signalingClient';
import { CONSOLE_BUSY_TEXT, ConsoleWindow } from './consoleWindow';

/* 1-click connect from the join page: the demo portal's customers with live presence (an agent.watch socket), and
 * an orange Join per customer, enabled while they are online. Join asks the customer (terms prompt on their page)
 * and opens the agent console, which waits for their answer. A decline or no answer comes back from the console
 * window and is shown here next to the customer. */

interface Row {
  customer: DemoCustomer;
  presence: HTMLElement;
  button: HTMLButtonElement;
  message: HTMLElement;
  online: boolean;
}

export interface CustomerListOptions {
  token: () => string | undefined;
  /** The agent's sign-in is no longer accepted. */
  signedOut: (message: string) => void;
}

const RECONNECT_MS = 3000;

export class CustomerList {
  private readonly rows = new Map<string, Row>();
  private client: SignalingClient | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  /** Sessions this page started, by id, to explain how they ended. */
  private readonly invitations = new Map<string, string>();

  constructor(private readonly options: CustomerListOptions) {
    window.addEventListener('message', (event) => this.fromConsole(event));
  }

  async start(): Promise<void> {
    this.stopped = false;
    const status = document.getElementById('presence-status')!;
    status.textContent = 'Loading the customer list…';
    let customers: DemoCustomer[];
    try {
      const response = await fetch('/api/demo/customers');
      if (!response.ok) throw new Error(String(response.status));
      customers = (await response.json()) as DemoCustomer[];
    } catch {
      status.textContent = '';
      this.showError('The customer list could not be loaded. Reload the page to try again.');
      return;
    }
    const list = document.getElementById('customer-list')!;
    list.replaceChildren(...customers.map((c) => this.row(c)));
    status.textContent = customers.length ? '' : 'The demo portal has no customers.';
    if (customers.length) this.watch();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    client?.close();
  }

  private row(customer: DemoCustomer): HTMLElement {
    const presence = el('span', { class: 'presence', 'data-testid': `presence-${customer.id}` }, 'Checking…');
    const button = el(
      'button',
      { type: 'button', class: 'join', disabled: true },
      'Join',
      el('span', { class: 'visually-hidden' }, ` ${customer.name}`),
    );
    const message = el('p', { class: 'customer-message', role: 'status' });
    button.addEventListener('click', () => void this.join(customer.id));
    this.rows.set(customer.id, { customer, presence, button, message, online: false });
    return el(
      'li',
      { 'data-customer': customer.id },
      el('span', { class: 'customer-name' }, customer.name),
      presence,
      button,
      message,
    );
  }

  private watch(): void {
    const token = this.options.token();
    if (!token || this.stopped) return;
    const client = new SignalingClient(socketUrl(window.location.origin));
    this.client = client;
    client.on('presence', (m) => this.setOnline(m.visitorId, m.online));
    client.on('error', (m) => {
      if (m.code === 'unauthorized' || m.code === 'token_expired') {
        this.stop();
        this.options.signedOut(m.message);
      }
    });
    client.onStateChange = (state) => {
      if (state !== 'closed' || this.client !== client || this.stopped) return;
      // The watch socket has no session to resume: open a new one and ask again.
      for (const id of this.rows.keys()) this.setOnline(id, false, 'Reconnecting…');
      this.retry = setTimeout(() => this.watch(), RECONNECT_MS);
    };
    client.connect({ type: 'agent.watch', token, visitorIds: [...this.rows.keys()].slice(0, 50) });
  }

  private setOnline(visitorId: string, online: boolean, label?: string): void {
    const row = this.rows.get(visitorId);
    if (!row) return;
    row.online = online;
    row.presence.textContent = label ?? (online ? 'Online' : 'Offline');
    row.presence.classList.toggle('online', online);
    if (!row.button.getAttribute('aria-busy')) row.button.disabled = !online;
  }

  private async join(visitorId: string): Promise<void> {
    const row = this.rows.get(visitorId);
    const token = this.options.token();
    if (!row || !token) return;
    // Inside the click, so popup blockers allow it; the console loads while the invitation is sent.
    const consoleWindow = ConsoleWindow.open(() => this.showError(CONSOLE_BUSY_TEXT));
    // Before the customer is asked: they would accept and wait for a console that can't come.
    if (consoleWindow?.inSession) {
      consoleWindow.show();
      this.showError(CONSOLE_BUSY_TEXT);
      return;
    }
    row.button.disabled = true;
    row.button.setAttribute('aria-busy', 'true');
    this.say(row, `Asking ${row.customer.name} to join…`);
    this.showError(undefined);
    document.getElementById('customers-popup-blocked')!.hidden = true;
    let result: { ok: true; data: InvitationResponse } | { ok: false; status: number; error: ErrorBody };
    try {
      const response = await fetch('/api/agent/invitations', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ visitorId }),
      });
      const body = (await response.json()) as InvitationResponse | ErrorBody;
      result = response.ok
        ? { ok: true, data: body as InvitationResponse }
        : { ok: false, status: response.status, error: body as ErrorBody };
    } catch {
      result = {
        ok: false,
        status: 0,
        error: {
          code: 'network',
          message: 'The Tandem service cannot be reached. Check your connection and try again.',
        },
      };
    }
    row.button.removeAttribute('aria-busy');
    row.button.disabled = !row.online;
    if (!result.ok) {
      consoleWindow?.close();
      if (result.error.code === 'unauthorized' || result.error.code === 'token_expired') {
        this.stop();
        this.options.signedOut(result.error.message);
        return;
      }
      if (result.error.code === 'visitor_offline') {
        this.setOnline(visitorId, false);
        this.say(row, `${row.customer.name} is not online any more, so they can't be joined right now.`, true);
        return;
      }
      if (result.error.code === ErrorCode.InvitationPending) {
        this.say(
          row,
          `${row.customer.name} already has an invitation waiting for their answer. Wait for it, or for it to time out, before you ask again.`,
          true,
        );
        return;
      }
      this.say(row, result.error.message, true);
      return;
    }
    this.invitations.set(result.data.sessionId, visitorId);
    this.say(
      row,
      `Invitation sent. ${row.customer.name} is being asked to accept the terms; your console connects when they do.`,
    );
    // The console on this server (same origin as this page), with the single-use ticket.
    if (consoleWindow) {
      consoleWindow.deliver(result.data.ticket);
    } else {
      document.getElementById('customers-console-link')!.setAttribute('href', consoleUrl(result.data.ticket));
      document.getElementById('customers-popup-blocked')!.hidden = false;
    }
  }

  /** The console window reports how a session it ran ended. */
  private fromConsole(event: MessageEvent): void {
    if (event.origin !== window.location.origin || !isConsoleEnded(event.data)) return;
    const data = event.data;
    const visitorId = this.invitations.get(data.sessionId);
    const row = visitorId ? this.rows.get(visitorId) : undefined;
    if (!row) return;
    const name = row.customer.name;
    if (data.reason === EndReason.VisitorDeclined)
      this.say(row, `${name} declined the invitation. The session did not start.`, true);
    else if (data.reason === EndReason.TermsTimeout)
      this.say(row, `${name} did not answer the invitation in time.`, true);
    else
      this.say(
        row,
        data.started ? `Your session with ${name} has ended.` : `The session with ${name} ended before it started.`,
      );
    this.invitations.delete(data.sessionId);
  }

  private say(row: Row, text: string, problem = false): void {
    row.message.textContent = text;
    row.message.classList.toggle('problem', problem);
  }

  private showError(text: string | undefined): void {
    const node = document.getElementById('customers-error')!;
    node.textContent = text ?? '';
    node.hidden = !text;
  }
}
