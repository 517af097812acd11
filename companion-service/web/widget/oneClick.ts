import type { TermsClosedReason } from '../../src/protocol/codes';
import { el } from '../shared/dom';
import { socketUrl, type SignalingClient } from '../shared/signalingClient';
import type { CameraPicker } from './cameraPicker';
import { Presence, type TermsClosed, type TermsPrompt } from './presence';
import { cameraAlert, noticeScreen } from './screens';
import type { CameraProblem } from '../shared/camera';
import type { Shell } from './shell';
import { termsHash } from './termsHash';
import { TermsPromptView } from './termsPrompt';

/* 1-click connect for a logged-in visitor: the tab stays online (presence), the agent's invitation shows the terms
 * prompt, and Accept hands the presence socket over to the call (the server answers the acceptance on it). The
 * frame's data-presence says where the tab stands, for the page and for tests. */

const CLOSED_TEXT: Record<TermsClosedReason, string> = {
  expired: 'The video call request timed out.',
};

/** What 1-click connect needs from the widget. */
export interface OneClickHost {
  readonly shell: Shell;
  /** In a call, or getting back into one: prompts wait. */
  busy(): boolean;
  /** A call (VisitorSession) exists, also one just begun from a prompt. */
  inCall(): boolean;
  /** The camera the visitor picked last. */
  chosenCamera(): string | undefined;
  openCamera(deviceId: string | undefined): Promise<void>;
  stopCamera(): void;
  cameraProblem(err: unknown): CameraProblem;
  newPicker(): CameraPicker;
  /** Accepted: the call begins on the presence socket, before the server has answered. */
  beginInvited(client: SignalingClient, agentName: string | undefined): void;
  reset(): void;
}

export class OneClick {
  private presence: { token: string; presence: Presence } | undefined;
  /** The terms prompt, from the invitation until the call it led to has joined. */
  prompt: TermsPromptView | undefined;

  constructor(
    private readonly host: OneClickHost,
    private readonly serviceOrigin: string,
  ) {}

  private get frame(): HTMLElement {
    return this.host.shell.frame;
  }

  /** Puts this tab online for 1-click connect with the token the site issued for its logged-in visitor. */
  identify(visitorToken: string): void {
    if (this.presence?.token === visitorToken) return;
    this.presence?.presence.stop();
    // A tab that is in a call (e.g. resumed after a page load) goes online only once the call is over, so the
    // terms are not asked again for the call it is in.
    const online = !this.host.busy();
    this.frame.dataset.presence = online ? 'connecting' : 'in-call';
    this.presence = {
      token: visitorToken,
      presence: new Presence(socketUrl(this.serviceOrigin), visitorToken, {
        // Visible state for the page and for tests: this tab is online for 1-click connect.
        registered: () => (this.frame.dataset.presence = 'online'),
        offline: () => (this.frame.dataset.presence = 'connecting'),
        prompt: (m) => this.showPrompt(m),
        promptClosed: (m) => this.promptClosed(m),
        refused: (message) => {
          this.frame.dataset.presence = 'refused';
          console.warn(`Tandem: the visitor token was refused (${message}).`);
        },
        error: (m) => this.prompt?.showProblem(alertBox(m.message)),
      }, online),
    };
  }

  /** Takes this tab offline for 1-click connect (the visitor signed out). A call in progress goes on. */
  forget(): void {
    this.presence?.presence.stop();
    this.presence = undefined;
    delete this.frame.dataset.presence;
    if (this.prompt && !this.host.inCall()) this.host.reset();
  }

  /** A stored call is coming back in this tab: no invitations meanwhile. */
  markInCall(): void {
    if (this.presence) this.frame.dataset.presence = 'in-call';
  }

  /** Back online for 1-click connect after a call (the call's socket was the presence socket). */
  resume(): void {
    if (!this.presence) return;
    this.frame.dataset.presence = 'connecting';
    this.presence.presence.resume();
  }

  /** The prompt goes, and the camera it opened. */
  closePrompt(): void {
    this.dropPrompt();
    this.host.stopCamera();
  }

  /** The prompt goes; its camera now belongs to the call. */
  dropPrompt(): void {
    this.prompt?.destroy();
    this.prompt = undefined;
  }

  private showPrompt(m: TermsPrompt): void {
    if (this.host.busy()) return; // already in a call; the invitation times out on the server
    this.prompt?.destroy();
    this.host.stopCamera();
    const picker = this.host.newPicker();
    const view: TermsPromptView = new TermsPromptView({
      prompt: m,
      picker,
      onAccept: () => void this.accept(view, picker),
      onDecline: () => this.decline(view),
    });
    this.prompt = view;
    this.host.shell.show(view.screen);
  }

  private async accept(view: TermsPromptView, picker: CameraPicker): Promise<void> {
    view.showProblem(undefined);
    view.setBusy('Starting your camera\u2026');
    try {
      await this.host.openCamera(picker.value ?? this.host.chosenCamera());
    } catch (err) {
      if (this.prompt !== view) return;
      view.setBusy(undefined);
      view.showProblem(cameraAlert(this.host.cameraProblem(err)));
      view.accept.focus();
      return;
    }
    const hash = await termsHash(view.termsText).catch(() => undefined);
    if (this.prompt !== view) return this.host.stopCamera(); // closed meanwhile (timed out, answered in another tab)
    // The presence socket becomes the call's socket; the server answers the acceptance on it.
    const client = hash ? this.presence?.presence.handOver() : undefined;
    if (!client || !hash) {
      this.host.stopCamera();
      view.setBusy(undefined);
      view.showProblem(
        alertBox(
          hash
            ? 'The connection to the video service was lost. It is reconnecting: try again in a moment.'
            : 'This page cannot confirm the terms: it needs a secure (https) connection.',
        ),
      );
      return;
    }
    view.setBusy('Joining the call\u2026');
    this.frame.dataset.presence = 'in-call';
    this.host.beginInvited(client, view.agentName || undefined);
    client.send({ type: 'terms.accept', invitationId: view.invitationId, termsHash: hash });
  }

  private decline(view: TermsPromptView): void {
    this.presence?.presence.socket?.send({ type: 'terms.decline', invitationId: view.invitationId });
    this.closePrompt();
    this.host.shell.show(noticeScreen('declined', 'Call declined', 'You declined the video call. The agent has been told.', () => this.host.reset()));
  }

  private promptClosed(m: TermsClosed): void {
    if (this.prompt?.invitationId !== m.invitationId || this.host.inCall()) return;
    this.closePrompt();
    this.host.shell.showLauncher();
    this.host.shell.announcer.say(CLOSED_TEXT[m.reason]);
  }
}

/** An alert with a plain message (from the server or ours), shown as text. */
function alertBox(text: string): HTMLElement {
  return el('div', { class: 'alert', role: 'alert' }, text);
}
