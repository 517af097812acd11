import type { ErrorCode } from '../../src/protocol/codes';
import type { ClientMessage, ServerMessage, ServerMessageOf } from '../../src/protocol/messages';
import { Backoff } from '../shared/backoff';

/* A logged-in visitor's tab: keeps a socket open with the visitor token so the agent sees them online and can
 * invite them in one click. Tells the server when this tab becomes the one in use (focus, or shown again) so
 * prompts go to the tab the visitor is looking at. Reconnects with backoff if the socket drops, except when the
 * token itself is refused. When the visitor accepts an invitation, the socket becomes the session's socket: the
 * call takes it with `handOver()` (and a SignalingClient adopts it). Part of the loader (widget.js), so it speaks
 * on a plain WebSocket rather than with the call's SignalingClient. */

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

// The codes as text: importing ErrorCode's values would put the whole table into the loader.
const REFUSED = new Set<string>(['unauthorized', 'token_expired'] satisfies ErrorCode[]);
const RETRYABLE = new Set<string>(['rate_limited', 'internal'] satisfies ErrorCode[]);
const MAX_DELAY_MS = 30_000;

export class Presence {
  private socket: WebSocket | undefined;
  private readonly reconnects = new Backoff(1000, MAX_DELAY_MS);
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly onActive = () => {
    if (document.visibilityState === 'visible') this.send({ type: 'visitor.active' });
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

  /** Sends on the socket if it is open (answers to a prompt). */
  send(message: ClientMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Gives the live socket to a session (after terms.accept); presence stops following it. Call `resume()` when
   * the session is over to come back online with a new socket. */
  handOver(): WebSocket | undefined {
    // A socket still connecting (after a drop) can't carry the acceptance yet: the caller says to try again.
    if (this.socket?.readyState !== WebSocket.OPEN) return undefined;
    return this.release();
  }

  resume(): void {
    if (this.stopped || this.socket) return;
    this.reconnects.reset();
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    window.removeEventListener('focus', this.onActive);
    document.removeEventListener('visibilitychange', this.onActive);
    this.release()?.close(1000, 'client closed');
  }

  /** Stops following the socket. */
  private release(): WebSocket | undefined {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) socket.onopen = socket.onmessage = socket.onclose = null;
    return socket;
  }

  private open(): void {
    if (this.stopped) return;
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () =>
      socket.send(JSON.stringify({ type: 'visitor.hello', visitorToken: this.visitorToken } satisfies ClientMessage));
    socket.onmessage = (event) => {
      let m: ServerMessage;
      try {
        m = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      if (m.type === 'presence.registered') {
        this.reconnects.reset();
        this.events.registered(m);
        // A tab that is in use when it (re)connects claims prompts straight away.
        if (document.visibilityState === 'visible' && document.hasFocus()) this.send({ type: 'visitor.active' });
      } else if (m.type === 'terms.prompt') {
        this.events.prompt(m);
      } else if (m.type === 'terms.closed') {
        this.events.promptClosed(m);
      } else if (m.type === 'error') {
        if (REFUSED.has(m.code) || (m.inReplyTo === 'visitor.hello' && !RETRYABLE.has(m.code))) {
          this.release(); // no retry
          socket.close(1000, 'client closed');
          this.events.refused(m.message);
          return;
        }
        this.events.error(m);
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.stopped) return;
      this.events.offline();
      this.retryTimer = setTimeout(() => this.open(), this.reconnects.next());
    };
  }
}
