import type { ClientMessage, ErrorMessage } from '../../src/protocol/messages';
import type { ChangeGuard } from './earlyChangeGuard';
import type { WidgetFrame } from './frame';
import type { TermsClosed, TermsPrompt } from './presence';

/* What the widget's loader (widget.js, on every page) and its call chunk (assets/widget-call-<hash>.js, loaded when
 * a call starts, comes back after a page load, or is offered) expect of each other. They are separate scripts,
 * built together but not always loaded together: a page that loaded the loader of the previous deploy may load the
 * chunk of the next one (see loadCall.ts). Everything that crosses between them is in this file, and CALL_ABI says
 * which version of it a script speaks: change anything here (or what WidgetFrame's public members do: the chunk
 * builds its panel into the loader's frame) and CALL_ABI must go up. A loader only starts a chunk of its own ABI. */

export const CALL_ABI = 1;

/** The chunk hands its entry to the loader through this global (both are classic scripts). */
export const CALL_GLOBAL = '__tandemWidgetCall';

/** The build writes this file next to widget.js: the current chunk, for a loader whose own chunk is gone. */
export const MANIFEST_PATH = '/widget-manifest.json';

export interface WidgetManifest {
  abi: number;
  /** Paths on the service of the current build's chunks: `call` (the call chunk) and `recorder` (co-browse). */
  chunks: { call: string; recorder: string };
}

/** The chunk's one export. */
export interface CallEntry {
  abi: number;
  create(link: LoaderLink): CallWidget;
}

/** What the loader gives the call chunk. */
export interface LoaderLink {
  /** The widget's frame with the launcher, in its shadow root (frame.ts). */
  readonly frame: WidgetFrame;
  readonly serviceOrigin: string;
  /** Registered when the loader ran, for remote control's commits (earlyChangeGuard.ts). */
  readonly changeGuard: ChangeGuard | undefined;
  readonly presence: PresenceLink;
}

/** The identified visitor's presence socket, which the loader keeps (presence.ts). Every call is a no-op when the
 * visitor is not identified. */
export interface PresenceLink {
  /** Sends on the presence socket if it is open (the answer to a prompt). */
  send(message: ClientMessage): void;
  /** Takes the presence socket for the call (after the visitor accepted): a SignalingClient adopts it. */
  handOver(): WebSocket | undefined;
  /** A call is on, or coming back, in this tab: no invitations meanwhile (data-presence="in-call"). */
  markInCall(): void;
  /** The call is over: online again for 1-click connect, with a new socket. */
  resume(): void;
}

/** What the call chunk does for the loader. */
export interface CallWidget {
  /** In a call, or getting back into one: no other call may start, invitations wait. */
  busy(): boolean;
  /** The launcher was pressed: the code flow's first step. */
  start(): void;
  /** The call this tab was in before the page loaded (or went into the back/forward cache) comes back: the chunk
   * claims it (sessionMemory.ts, takeResumableSession). False when there was none to claim after all. */
  resumeStored(): boolean;
  /** 1-click connect: the agent's invitation, its withdrawal or expiry, and errors about what this tab sent. */
  prompt(m: TermsPrompt): void;
  promptClosed(m: TermsClosed): void;
  presenceError(m: ErrorMessage): void;
  /** The visitor signed out (Tandem.forget): an open prompt goes. A call in progress goes on. */
  forgotten(): void;
}
