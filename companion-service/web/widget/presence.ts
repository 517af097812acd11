import { ErrorCode } from '../../src/protocol/codes';
import type { ServerMessageOf } from '../../src/protocol/messages';
import { SignalingClient } from '../shared/signalingClient';

/* A logged-in visitor's tab: keeps a socket open with the visitor token so the agent sees them online and can
 * invite them in one click. Tells the server when this tab becomes the one in use (focus, or shown again) so
 * prompts go to the tab the visitor is looking at. Reconnects with backoff if the socket drops, except when the
 * token itself is refused. When the visitor accepts an invitation, the socket becomes the session's socket: the
 * caller takes it with `handOver()`. */

export type TermsPrompt = ServerMessageOf<'terms.prompt'>;
export type TermsClosed = ServerMessageOf<'terms.closed'>;

export interface PresenceEvents {
  registered(m: ServerMessageOf<'presence.registered'>): void;
  prompt(m: TermsPrompt): void;
  promptClosed(m: TermsClosed): void;
  /** The socket dropped; a new one is on its way. */
  offline(): void;
  /** The token was refused (bad, expired, unknown site): no more retries until identify() is called again. */
  refused(message: string): void;
  /** An error about something this tab sent (e.g. terms.accept refused). */
  error(m: ServerMessageOf<'error'>): void;
}

const REFUSED = new Set<string>([ErrorCode.Unauthorized, ErrorCode.TokenExpired]);
const MAX_DELAY_MS = 30_000;

export class Presence {
  private client: SignalingClient | undefined;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly onActive = () => {
    if (document.visibilityState === 'visible') this.client?.send({ type: 'visitor.active' });
  };

  constructor(
    private readonly url: string,
    private readonly visitorToken: string,
    private readonly events: PresenceEvents,
    /** False when the tab is already in a call (resumed after a page load): no socket until `resume()`. */
    online = true,
  ) {
    window.addEventListener('focus', this.onActive);
    document.addEventListener('visibilitychange', this.onActive);
    if (online) this.open();
  }

  /** The socket, for sending answers to a prompt. */
  get socket(): SignalingClient | undefined {
    return this.client;
  }

  /** Gives the live socket to a session (after terms.accept); presence stops following it. Call `resume()` when
   * the session is over to come back online with a new socket. */
  handOver(): SignalingClient | undefined {
    const client = this.client;
    this.client = undefined;
    if (client) client.onStateChange = () => {};
    return client;
  }

  resume(): void {
    if (this.stopped || this.client) return;
    this.attempts = 0;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    window.removeEventListener('focus', this.onActive);
    document.removeEventListener('visibilitychange', this.onActive);
    const client = this.client;
    this.client = undefined;
    client?.close();
  }

  private open(): void {
    if (this.stopped) return;
    const client = new SignalingClient(this.url);
    this.client = client;
    let refused = false;
    client.on('presence.registered', (m) => {
      if (this.client !== client) return;
      this.attempts = 0;
      this.events.registered(m);
      // A tab that is in use when it (re)connects claims prompts straight away.
      if (document.visibilityState === 'visible' && document.hasFocus()) client.send({ type: 'visitor.active' });
    });
    client.on('terms.prompt', (m) => this.client === client && this.events.prompt(m));
    client.on('terms.closed', (m) => this.client === client && this.events.promptClosed(m));
    client.on('error', (m) => {
      if (this.client !== client) return;
      const retryable = m.code === ErrorCode.RateLimited || m.code === ErrorCode.Internal;
      if (REFUSED.has(m.code) || (m.inReplyTo === 'visitor.hello' && !retryable)) {
        refused = true;
        client.close();
        this.events.refused(m.message);
        return;
      }
      this.events.error(m);
    });
    client.onStateChange = (state) => {
      if (state !== 'closed' || this.client !== client) return;
      this.client = undefined;
      if (refused || this.stopped) return;
      this.events.offline();
      const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** this.attempts++);
      this.retryTimer = setTimeout(() => this.open(), delay);
    };
    client.connect({ type: 'visitor.hello', visitorToken: this.visitorToken });
  }
}
