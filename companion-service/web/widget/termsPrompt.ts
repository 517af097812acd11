import { el } from '../shared/dom';
import { canCall } from '../shared/webrtc';
import type { CameraPicker } from './cameraPicker';
import { formatClock, formatWords, localDeadline, secondsLeft } from './countdown';
import type { TermsPrompt } from './presence';
import type { Screen } from './shell';
import { NO_CALLS_TEXT } from './screens';
import { onUserClick } from './userAction';

/* 1-click connect: the agent asked to start a call. Shows who asks, the terms (exactly as received, as text), the
 * camera to use and the time left to answer; Accept or Decline. The server closes the prompt when time is up, so
 * the buttons stay usable until it says so (this computer's clock may differ from the server's). */

export interface TermsPromptOptions {
  prompt: TermsPrompt;
  picker: CameraPicker;
  onAccept(): void;
  onDecline(): void;
}

const INTRO_ID = 'tandem-terms-intro';

export class TermsPromptView {
  readonly screen: Screen;
  readonly accept: HTMLButtonElement;
  readonly decline: HTMLButtonElement;
  private readonly alertSlot = el('div', { class: 'alert-slot' });
  private readonly busy = el('p', { class: 'status', role: 'status' });
  private readonly clock = el('span', { 'aria-hidden': 'true' });
  private readonly words = el('span', { class: 'sr-only' });
  private readonly countdown: HTMLElement;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly deadline: number;

  constructor(private readonly o: TermsPromptOptions) {
    const { prompt } = o;
    this.deadline = localDeadline(prompt.expiresAt, Date.now());
    this.accept = el('button', { type: 'button', class: 'primary' }, 'Accept');
    this.decline = el('button', { type: 'button', class: 'secondary' }, 'Decline');
    onUserClick(this.accept, () => this.isBusy || o.onAccept());
    onUserClick(this.decline, () => this.isBusy || o.onDecline());
    this.countdown = el(
      'p',
      { class: 'countdown', role: 'timer', 'data-testid': 'terms-countdown' },
      'Time left to answer: ',
      this.clock,
      this.words,
    );
    const terms = el(
      'div',
      { class: 'terms-text', role: 'region', tabindex: '0', 'aria-label': 'Terms and conditions' },
      prompt.termsText,
    );
    const calls = canCall();
    this.screen = {
      name: 'terms',
      title: 'Video call request',
      prompt: { describedBy: INTRO_ID },
      nodes: [
        el(
          'p',
          { id: INTRO_ID },
          `${prompt.agentName || 'An agent'} would like to start a video call with you. Please read these terms. ${
            calls
              ? 'Accepting them starts the call with your camera on.'
              : 'Accepting them lets the agent see this page.'
          }`,
        ),
        ...(calls ? [] : [el('p', { class: 'alert', role: 'note', 'data-testid': 'no-calls-note' }, NO_CALLS_TEXT)]),
        terms,
        el('p', { class: 'hint' }, `Terms version ${prompt.termsVersion}`),
        ...(calls ? [o.picker.element] : []),
        this.countdown,
        this.alertSlot,
        this.busy,
        el('div', { class: 'row' }, this.decline, this.accept),
      ],
    };
    this.tick();
    this.timer = setInterval(() => this.tick(), 1000);
  }

  get invitationId(): string {
    return this.o.prompt.invitationId;
  }

  get agentName(): string {
    return this.o.prompt.agentName;
  }

  get termsText(): string {
    return this.o.prompt.termsText;
  }

  /** While the camera starts and the acceptance is sent: buttons off, progress shown. */
  setBusy(text: string | undefined): void {
    // aria-disabled rather than disabled: the focused button keeps keyboard focus.
    for (const b of [this.accept, this.decline]) {
      if (text) b.setAttribute('aria-disabled', 'true');
      else b.removeAttribute('aria-disabled');
    }
    this.busy.textContent = text ?? '';
  }

  private get isBusy(): boolean {
    return this.accept.getAttribute('aria-disabled') === 'true';
  }

  showProblem(alert: HTMLElement | undefined): void {
    this.alertSlot.replaceChildren(...(alert ? [alert] : []));
  }

  destroy(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const left = secondsLeft(this.deadline, Date.now());
    if (left === 0) {
      clearInterval(this.timer);
      this.countdown.replaceChildren('Time is up. If the call does not start, ask the agent to try again.');
      return;
    }
    this.clock.textContent = formatClock(left);
    this.words.textContent = formatWords(left);
  }
}
