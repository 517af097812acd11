import type { ErrorMessage } from '../../src/protocol/messages';
import { whenIdle } from '../shared/idle';
import { socketUrl } from '../shared/socketUrl';
import type { CallWidget, LoaderLink, PresenceLink } from './callLink';
import type { ChangeGuard } from './earlyChangeGuard';
import type { WidgetFrame } from './frame';
import { loadCall, prefetchCall } from './loadCall';
import { Presence } from './presence';
import { mayResumeSession } from './sessionMemory';
import { onUserClick } from './userAction';

/* The widget as every page of the customer's site gets it: the launcher, and for an identified visitor the presence
 * socket. Everything else (the call's screens, WebRTC, the session) is in the call chunk, loaded only when it is
 * needed:
 * - the launcher is pressed (and fetched already when the pointer is over it or it has focus, as a press is likely);
 * - a call this tab was in before the page loaded comes back (sessionMemory.ts);
 * - an agent's invitation arrives on the presence socket (the chunk shows the terms prompt as soon as it is in).
 * An identified visitor's browser downloads the chunk (without running it) once the tab is online and idle: an
 * invitation can come at any time, and its prompt should not wait for a download (the chunk is cached for a year,
 * so that is once per deploy, not once per page). The frame's data-presence says where the tab stands for 1-click
 * connect, for the page and for tests. */

const SLOW_MS = 400;
const LOADING_TEXT = 'Loading the video call\u2026';
const FAILED_TEXT = 'The video call could not be loaded. Check your connection, or reload the page, then try again.';

export class WidgetLoader {
  private call: CallWidget | undefined;
  private loading: Promise<CallWidget> | undefined;
  private presence: { token: string; presence: Presence } | undefined;
  /** A stored call this page claimed is waiting for the chunk. */
  private restoring = false;
  private launching = false;

  constructor(
    private readonly closed: WidgetFrame,
    private readonly serviceOrigin: string,
    private readonly changeGuard: ChangeGuard | undefined,
    /** The call chunk of this build, as the build wrote it into widget.js. */
    private readonly chunk: string,
  ) {
    const launcher = closed.launcher;
    onUserClick(launcher, () => this.launch());
    const prefetch = () => void this.load().catch(() => undefined);
    launcher.addEventListener('pointerenter', prefetch);
    launcher.addEventListener('focus', prefetch);
    window.addEventListener('pageshow', (e) => {
      if (e.persisted) this.resumeStored();
    });
    this.resumeStored();
  }

  /** In a call, or getting back into one. */
  private get busy(): boolean {
    return this.restoring || !!this.call?.busy();
  }

  private get frame(): HTMLElement {
    return this.closed.frame;
  }

  // --- the call chunk ----------------------------------------------------------------------------------------------

  private load(): Promise<CallWidget> {
    this.loading ??= loadCall(this.serviceOrigin, this.chunk).then(
      (entry) => (this.call = entry.create(this.link())),
      (err: unknown) => {
        this.loading = undefined;
        throw err;
      },
    );
    return this.loading;
  }

  /** Runs `act` with the chunk once it is in, after whatever was asked of it before (in order). */
  private withCall(act: (call: CallWidget) => void, onFailure?: () => void): void {
    this.load().then(act, (err: unknown) => {
      console.warn('Tandem: the video call could not be loaded.', err);
      onFailure?.();
    });
  }

  private link(): LoaderLink {
    const presence: PresenceLink = {
      send: (m) => this.presence?.presence.send(m),
      handOver: () => this.presence?.presence.handOver(),
      markInCall: () => this.markInCall(),
      resume: () => this.resumePresence(),
    };
    return { frame: this.closed, serviceOrigin: this.serviceOrigin, changeGuard: this.changeGuard, presence };
  }

  /** The launcher was pressed: the call's first screen, once its code is in (a note says so if that takes a while). */
  private launch(): void {
    if (this.launching) return;
    this.launching = true;
    const launcher = this.closed.launcher;
    launcher.setAttribute('aria-busy', 'true');
    const slow = this.call ? undefined : setTimeout(() => this.closed.setNote(LOADING_TEXT), SLOW_MS);
    const done = () => {
      clearTimeout(slow);
      launcher.removeAttribute('aria-busy');
      this.launching = false;
    };
    this.withCall(
      (call) => {
        done();
        this.closed.setNote('');
        call.start();
      },
      () => {
        done();
        this.closed.setNote(FAILED_TEXT);
      },
    );
  }

  // --- across page loads -------------------------------------------------------------------------------------------

  /** A call this tab was in before the page loaded (or before it went into the back/forward cache) comes back. */
  private resumeStored(): void {
    if (this.busy) return;
    if (!mayResumeSession(Date.now())) return this.resumePresence();
    this.restoring = true;
    this.markInCall();
    this.withCall(
      (call) => {
        this.restoring = false;
        if (!call.resumeStored()) this.resumePresence();
      },
      () => {
        this.restoring = false;
        this.closed.setNote(FAILED_TEXT);
        this.resumePresence();
      },
    );
  }

  // --- 1-click connect: the identified visitor's presence ----------------------------------------------------------

  /** Puts this tab online for 1-click connect with the token the site issued for its logged-in visitor. */
  identify(visitorToken: string): void {
    if (this.presence?.token === visitorToken) return;
    this.presence?.presence.stop();
    // A tab that is in a call (e.g. resumed after a page load) goes online only once the call is over, so the
    // terms are not asked again for the call it is in.
    const online = !this.busy;
    this.frame.dataset.presence = online ? 'connecting' : 'in-call';
    const presence: Presence = new Presence(
      socketUrl(this.serviceOrigin),
      visitorToken,
      {
        // Visible state for the page and for tests: this tab is online for 1-click connect.
        registered: () => {
          this.frame.dataset.presence = 'online';
          whenIdle(() => prefetchCall(this.serviceOrigin, this.chunk));
        },
        offline: () => (this.frame.dataset.presence = 'connecting'),
        // The chunk starts loading as the invitation arrives, and shows the prompt as soon as it is in. If it can't
        // load, the invitation runs out on the server and the agent is told.
        prompt: (m) => {
          if (this.busy) return;
          // Not if the visitor signed out (or someone else signed in) while the chunk was loading.
          this.withCall((call) => this.presence?.presence === presence && call.prompt(m));
        },
        promptClosed: (m) => {
          if (this.loading) this.withCall((call) => call.promptClosed(m));
        },
        refused: (message) => {
          this.frame.dataset.presence = 'refused';
          console.warn(`Tandem: the visitor token was refused (${message}).`);
        },
        error: (m: ErrorMessage) => {
          if (this.loading) this.withCall((call) => call.presenceError(m));
        },
      },
      online,
    );
    this.presence = { token: visitorToken, presence };
  }

  /** Takes this tab offline for 1-click connect (the visitor signed out). A call in progress goes on. */
  forget(): void {
    this.presence?.presence.stop();
    this.presence = undefined;
    delete this.frame.dataset.presence;
    this.call?.forgotten();
  }

  private markInCall(): void {
    if (this.presence) this.frame.dataset.presence = 'in-call';
  }

  /** Back online for 1-click connect after a call (the call's socket was the presence socket). */
  private resumePresence(): void {
    if (!this.presence) return;
    this.frame.dataset.presence = 'connecting';
    this.presence.presence.resume();
  }
}
