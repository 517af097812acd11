import type { TermsClosedReason } from '../../src/protocol/codes';
import type { ErrorMessage } from '../../src/protocol/messages';
import { el } from '../shared/dom';
import { SignalingClient, socketUrl } from '../shared/signalingClient';
import type { PresenceLink } from './callLink';
import type { CameraPicker } from './cameraPicker';
import type { TermsClosed, TermsPrompt } from './presence';
import { canCall } from '../shared/webrtc';
import { cameraAlert, noticeScreen } from './screens';
import type { CameraProblem } from '../shared/camera';
import type { Shell } from './shell';
import { termsHash } from './termsHash';
import { TermsPromptView } from './termsPrompt';

/* 1-click connect for a logged-in visitor, in the call chunk: the agent's invitation (which the loader's presence
 * socket received) shows the terms prompt, and Accept hands the presence socket over to the call (the server
 * answers the acceptance on it). The presence itself, and the frame's data-presence, are the loader's (loader.ts). */

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
  /** The microphone alone, or nothing: for a visitor who accepts without their camera. */
  openWithoutCamera(): Promise<void>;
  stopCamera(): void;
  cameraProblem(err: unknown): CameraProblem;
  newPicker(): CameraPicker;
  /** Accepted: the call begins on the presence socket, before the server has answered. */
  beginInvited(client: SignalingClient, agentName: string | undefined): void;
  reset(): void;
}

export class OneClick {
  /** The terms prompt, from the invitation until the call it led to has joined. */
  prompt: TermsPromptView | undefined;

  constructor(
    private readonly host: OneClickHost,
    private readonly presence: PresenceLink,
    private readonly serviceOrigin: string,
  ) {}

  /** The visitor signed out: an open prompt goes (a call in progress goes on). */
  forgotten(): void {
    if (this.prompt && !this.host.inCall()) this.host.reset();
  }

  /** An error about something this tab sent on the presence socket (a refused answer). */
  error(m: ErrorMessage): void {
    this.prompt?.showProblem(alertBox(m.message));
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

  showPrompt(m: TermsPrompt): void {
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

  private async accept(view: TermsPromptView, picker: CameraPicker, withoutCamera = false): Promise<void> {
    if (withoutCamera && this.prompt !== view) return;
    view.showProblem(undefined);
    // A browser that can't make calls opens nothing: nothing could carry it (the agent still sees the page).
    const calls = canCall();
    view.setBusy(
      !calls ? 'Joining\u2026' : withoutCamera ? 'Joining without your camera\u2026' : 'Starting your camera\u2026',
    );
    // Hashed while the camera opens: both stand between the click and the acceptance going out.
    const hashed = termsHash(view.termsText).catch(() => undefined);
    try {
      if (!calls) this.host.stopCamera();
      else if (withoutCamera) await this.host.openWithoutCamera();
      else await this.host.openCamera(picker.value ?? this.host.chosenCamera());
    } catch (err) {
      if (this.prompt !== view) return;
      view.setBusy(undefined);
      view.showProblem(
        cameraAlert(this.host.cameraProblem(err), {
          label: 'Accept without camera',
          onChoose: () => void this.accept(view, picker, true),
        }),
      );
      view.accept.focus();
      return;
    }
    const hash = await hashed;
    if (this.prompt !== view) return this.host.stopCamera(); // closed meanwhile (timed out, answered in another tab)
    // The presence socket becomes the call's socket; the server answers the acceptance on it.
    const socket = hash ? this.presence.handOver() : undefined;
    if (!socket || !hash) {
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
    this.presence.markInCall();
    const client = new SignalingClient(socketUrl(this.serviceOrigin));
    client.adopt(socket);
    // Sent before the call screen is built: the answer can only be read once this task is over, and the service
    // records the acceptance and tells the agent meanwhile.
    client.send({ type: 'terms.accept', invitationId: view.invitationId, termsHash: hash });
    this.host.beginInvited(client, view.agentName || undefined);
  }

  private decline(view: TermsPromptView): void {
    this.presence.send({ type: 'terms.decline', invitationId: view.invitationId });
    this.closePrompt();
    this.host.shell.show(
      noticeScreen('declined', 'Call declined', 'You declined the video call. The agent has been told.', () =>
        this.host.reset(),
      ),
    );
  }

  promptClosed(m: TermsClosed): void {
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
